#include "device_model/seeded_random.h"

#include <gtest/gtest.h>

#include <set>

namespace sbpf::device_model {
namespace {

// The C++ standard fixes mt19937_64's 10,000th output from the default seed
// ([rand.predef]): the generator is the specified one, not a lookalike.
TEST(SeededRandomTest, IsTheStandardsMersenneTwister) {
  SeededRandom random(5489);
  for (int i = 0; i < 9999; ++i) random.next();
  EXPECT_EQ(random.next(), 9981545732273789042ull);
}

TEST(SeededRandomTest, BelowStaysInRangeAndReachesEveryValue) {
  SeededRandom random(1);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    std::uint64_t value = random.below(7);
    ASSERT_LT(value, 7u);
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(random.below(0), 0u);
  EXPECT_EQ(random.below(1), 0u);
}

TEST(SeededRandomTest, SymmetricCoversBothEnds) {
  SeededRandom random(2);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    std::int64_t value = random.symmetric(2);
    ASSERT_GE(value, -2);
    ASSERT_LE(value, 2);
    seen.insert(value);
  }
  EXPECT_EQ(seen, (std::set<std::int64_t>{-2, -1, 0, 1, 2}));
}

TEST(SeededRandomTest, SameSeedSameNumbersOtherSeedOtherNumbers) {
  SeededRandom a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    std::uint64_t x = a.below(1000);
    EXPECT_EQ(x, b.below(1000));
    differs |= x != c.below(1000);
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace sbpf::device_model
