#include "device_model/core_pool.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sbpf::device_model {
namespace {

TEST(CorePoolTest, CostComesFromInstructionsAndHelperBytesRoundedUp) {
  CorePool cores({4, 833, 250});
  EXPECT_EQ(cores.cost(3, 0), 3u);         // 2,499 ps
  EXPECT_EQ(cores.cost(1200, 0), 1000u);   // 999,600 ps
  EXPECT_EQ(cores.cost(0, 4096), 1024u);   // 1,024,000 ps
  EXPECT_EQ(cores.cost(1000, 4), 834u);    // 833,000 + 1,000 ps
  EXPECT_EQ(cores.cost(0, 0), 0u);
}

TEST(CorePoolTest, RunsTakeTheFirstFreeCoreAndQueueWhenAllAreBusy) {
  CorePool cores({2, 1000, 0});
  auto a = cores.run(0, 100, 0);
  auto b = cores.run(0, 100, 0);
  auto c = cores.run(0, 100, 0);
  EXPECT_EQ(a.core, 0u);
  EXPECT_EQ(b.core, 1u);
  EXPECT_EQ(b.start, 0u);
  EXPECT_EQ(c.core, 0u);
  EXPECT_EQ(c.start, 100u);
  EXPECT_EQ(c.end, 200u);
  auto late = cores.run(1000, 50, 0);
  EXPECT_EQ(late.core, 0u);  // both free: the lower number
  EXPECT_EQ(late.start, 1000u);
}

TEST(CorePoolTest, NoCoresNoRuns) {
  CorePool cores({0, 0, 0});
  EXPECT_THROW(cores.run(0, 1, 0), std::logic_error);
}

}  // namespace
}  // namespace sbpf::device_model
