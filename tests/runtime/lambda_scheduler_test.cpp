// λ-IO's scheduling rule on synthetic measurements.
#include "runtime/lambda_scheduler.h"

#include <gtest/gtest.h>

namespace sbpf::runtime {
namespace {

// Reports `samples` identical profiled reads on `stream`.
void profile_reads(LambdaScheduler& scheduler, uint32_t stream, int samples, HostMeasurement host, uint64_t device) {
  for (int i = 0; i < samples; ++i) {
    ASSERT_TRUE(scheduler.decide(stream, host.cached_percent).profile);
    scheduler.report(stream, host, device);
  }
}

TEST(LambdaScheduler, ProfilesTheFirstSamplesOfEveryInterval) {
  LambdaScheduler scheduler({.interval = 10, .samples = 3});
  std::vector<uint64_t> profiled;
  for (int i = 0; i < 25; ++i) {
    const LambdaScheduler::Decision d = scheduler.decide(0, 0);
    EXPECT_EQ(d.request, static_cast<uint64_t>(i));
    if (d.profile) {
      profiled.push_back(d.request);
      scheduler.report(0, {100, 100, 0}, 100);
    }
  }
  EXPECT_EQ(profiled, (std::vector<uint64_t>{0, 1, 2, 10, 11, 12, 20, 21, 22}));
}

TEST(LambdaScheduler, TheCachedShareMovesTheChoice) {
  LambdaScheduler scheduler({.interval = 100, .samples = 1});
  // calc 100, pre 1000 for an uncached range; the device takes 600.
  profile_reads(scheduler, 0, 1, {100, 1000, 0}, 600);
  // host = 100 + 1000 · max(100 − c, 1) / 100: above 600 below c = 50.
  LambdaScheduler::Decision d = scheduler.decide(0, 0);
  EXPECT_EQ(d.side, LambdaSide::kDevice);
  EXPECT_DOUBLE_EQ(d.host_ns, 1100);
  EXPECT_DOUBLE_EQ(d.device_ns, 600);
  EXPECT_EQ(scheduler.decide(0, 49).side, LambdaSide::kDevice);
  EXPECT_EQ(scheduler.decide(0, 50).side, LambdaSide::kHost);  // 600 ≤ 600: the host
  d = scheduler.decide(0, 100);
  EXPECT_EQ(d.side, LambdaSide::kHost);
  EXPECT_DOUBLE_EQ(d.host_ns, 110);  // never less than 1 % of the page fill
}

TEST(LambdaScheduler, PreIsScaledToAnUncachedRangeWhenReported) {
  LambdaScheduler scheduler({.interval = 100, .samples = 1});
  // Half the range was cached when measured: 500 ns would have been 1000.
  profile_reads(scheduler, 0, 1, {0, 500, 50}, 0);
  EXPECT_DOUBLE_EQ(scheduler.estimate(0)->read->pre_ns, 1000);
  // A fully cached sample is scaled by 100 / 1.
  LambdaScheduler cached({.interval = 100, .samples = 1});
  profile_reads(cached, 0, 1, {0, 3, 100}, 0);
  EXPECT_DOUBLE_EQ(cached.estimate(0)->read->pre_ns, 300);
}

TEST(LambdaScheduler, AWindowSumsItsSamplesWithoutTheExtremes) {
  LambdaScheduler scheduler({.interval = 100, .samples = 5});
  const uint64_t device[] = {50, 10, 20, 1000, 30};
  const uint64_t calc[] = {1, 2, 3, 4, 5};
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(scheduler.estimate(0).has_value());
    ASSERT_TRUE(scheduler.decide(0, 0).profile);
    scheduler.report(0, {calc[i], 0, 0}, device[i]);
  }
  const auto e = scheduler.estimate(0);
  ASSERT_TRUE(e && e->read);
  EXPECT_DOUBLE_EQ(e->read->device_ns, 50 + 20 + 30);
  EXPECT_DOUBLE_EQ(e->read->calc_ns, 2 + 3 + 4);
  // Two samples: nothing dropped.
  LambdaScheduler two({.interval = 100, .samples = 2});
  profile_reads(two, 0, 2, {7, 0, 0}, 1);
  EXPECT_DOUBLE_EQ(two.estimate(0)->read->calc_ns, 14);
}

TEST(LambdaScheduler, TheNextWindowReplacesTheFigures) {
  LambdaScheduler scheduler({.interval = 4, .samples = 1});
  profile_reads(scheduler, 0, 1, {10, 0, 0}, 100);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(scheduler.decide(0, 0).side, LambdaSide::kHost);
  profile_reads(scheduler, 0, 1, {1000, 0, 0}, 100);  // request 4: the host got slow
  EXPECT_EQ(scheduler.decide(0, 0).side, LambdaSide::kDevice);
}

TEST(LambdaScheduler, WritesHaveTheirOwnFiguresAndNoCacheTerm) {
  LambdaScheduler scheduler({.interval = 100, .samples = 1});
  profile_reads(scheduler, 0, 1, {10, 0, 0}, 100);
  // No write has been measured: a write is profiled whatever its number.
  LambdaScheduler::Decision d = scheduler.decide(0, 0, /*is_write=*/true);
  ASSERT_TRUE(d.profile);
  scheduler.report(0, {300, 400, 0}, 600, /*is_write=*/true);
  d = scheduler.decide(0, 100, true);
  EXPECT_FALSE(d.profile);
  EXPECT_DOUBLE_EQ(d.host_ns, 700);  // c does not scale a write
  EXPECT_EQ(d.side, LambdaSide::kDevice);
  EXPECT_EQ(scheduler.decide(0, 0).side, LambdaSide::kHost);  // reads keep theirs
}

TEST(LambdaScheduler, StreamsKeepTheirOwnWindows) {
  LambdaScheduler scheduler({.interval = 100, .samples = 1});
  profile_reads(scheduler, 0, 1, {10, 0, 0}, 100);
  EXPECT_FALSE(scheduler.decide(0, 0).profile);
  const LambdaScheduler::Decision other = scheduler.decide(1, 0);
  EXPECT_TRUE(other.profile);
  EXPECT_EQ(other.request, 0u);
  EXPECT_FALSE(scheduler.estimate(1).has_value());
}

TEST(LambdaScheduler, RefusesOptionsOutsideLambdaIosRange) {
  EXPECT_THROW(LambdaScheduler({.interval = 0, .samples = 0}), std::invalid_argument);
  EXPECT_THROW(LambdaScheduler({.interval = 1001, .samples = 5}), std::invalid_argument);
  EXPECT_THROW(LambdaScheduler({.interval = 200, .samples = 0}), std::invalid_argument);
  EXPECT_THROW(LambdaScheduler({.interval = 4, .samples = 5}), std::invalid_argument);
  EXPECT_NO_THROW(LambdaScheduler({.interval = 1000, .samples = 1000}));
}

TEST(LambdaScheduler, TraceLinesAreJsonWithBothEstimates) {
  LambdaScheduler scheduler({.interval = 100, .samples = 1});
  const LambdaScheduler::Decision first = scheduler.decide(0, 30);
  EXPECT_EQ(LambdaScheduler::trace_line(0, 30, first), R"({"stream":0,"request":0,"c":30,"side":"both"})");
  scheduler.report(0, {100, 1000, 30}, 600);
  const LambdaScheduler::Decision second = scheduler.decide(0, 30);
  EXPECT_EQ(LambdaScheduler::trace_line(0, 30, second),
            R"({"stream":0,"request":1,"c":30,"host_ns":1100.0,"device_ns":600.0,"side":"device"})");
}

}  // namespace
}  // namespace sbpf::runtime
