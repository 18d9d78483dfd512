#include "device_model/fixed_latency_medium.h"

#include <gtest/gtest.h>

namespace sbpf::device_model {
namespace {

TEST(FixedLatencyMediumTest, EveryReadTakesTheSameTimeWhereverItLands) {
  FixedLatencyMedium medium({3150, 4000, 0, 0});
  EXPECT_EQ(medium.read(0, 0, 512), 3150u);
  EXPECT_EQ(medium.read(0, 1 << 30, 512), 3150u);
  EXPECT_EQ(medium.read(100, 512, 4096), 3250u);
  EXPECT_EQ(medium.write(200, 0, 512), 4200u);
}

TEST(FixedLatencyMediumTest, CommandsStartNoCloserThanTheInterval) {
  FixedLatencyMedium medium({3150, 3150, 0, 200});
  EXPECT_EQ(medium.read(0, 0, 512), 3150u);
  EXPECT_EQ(medium.read(0, 0, 512), 3350u);
  EXPECT_EQ(medium.read(0, 0, 512), 3550u);
  // Past the backlog, no wait.
  EXPECT_EQ(medium.read(10000, 0, 512), 13150u);
}

TEST(FixedLatencyMediumTest, FlushWaitsForEarlierWrites) {
  FixedLatencyMedium medium({1000, 5000, 70, 0});
  EXPECT_EQ(medium.flush(10), 80u);
  medium.write(100, 0, 512);
  EXPECT_EQ(medium.flush(200), 5170u);
  EXPECT_EQ(medium.flush(9000), 9070u);
}

}  // namespace
}  // namespace sbpf::device_model
