#include "runtime/region.h"

#include <gtest/gtest.h>

#include "runtime/heap_arena.h"

namespace sbpf::runtime {
namespace {

TEST(Region, ContainsIsExactAtBothEnds) {
  uint8_t buf[16];
  Region r{RegionKind::kMemory, buf, sizeof buf, true};
  uint64_t base = r.start();
  EXPECT_TRUE(r.contains(base, 16));
  EXPECT_TRUE(r.contains(base + 15, 1));
  EXPECT_FALSE(r.contains(base + 15, 2));
  EXPECT_FALSE(r.contains(base - 1, 1));
  EXPECT_FALSE(r.contains(base + 16, 1));
  EXPECT_FALSE(r.contains(base, 17));
  EXPECT_FALSE(r.contains(UINT64_MAX, 2));  // no wrap-around
}

TEST(RegionTable, TranslatesWithPermissions) {
  uint8_t ro[8], rw[8];
  RegionTable t;
  t.add({RegionKind::kInput, ro, 8, false});
  t.add({RegionKind::kOutput, rw, 8, true});
  EXPECT_EQ(t.translate(reinterpret_cast<uintptr_t>(ro) + 4, 4, false), ro + 4);
  EXPECT_EQ(t.translate(reinterpret_cast<uintptr_t>(ro), 1, true), nullptr);
  EXPECT_EQ(t.translate(reinterpret_cast<uintptr_t>(rw) + 7, 1, true), rw + 7);
  EXPECT_EQ(t.translate(reinterpret_cast<uintptr_t>(rw) + 7, 2, false), nullptr);
  EXPECT_EQ(t.find(reinterpret_cast<uintptr_t>(ro) + 3)->kind, RegionKind::kInput);
}

TEST(RegionTable, TranslatesOnlyIntoTheAllowedKinds) {
  uint8_t ro[8], rw[8];
  RegionTable t;
  t.add({RegionKind::kInput, ro, 8, false});
  t.add({RegionKind::kOutput, rw, 8, true});
  const uint64_t in = reinterpret_cast<uintptr_t>(ro);
  const uint64_t out = reinterpret_cast<uintptr_t>(rw);
  // The last hit is input: the restricted lookup must not take it anyway.
  EXPECT_EQ(t.translate(in, 8, false), ro);
  EXPECT_EQ(t.translate(in, 8, false, region_bit(RegionKind::kOutput)), nullptr);
  EXPECT_EQ(t.translate(in + 1, 1, false, region_bit(RegionKind::kInput)), ro + 1);
  EXPECT_EQ(t.translate(out, 8, true, region_bit(RegionKind::kOutput) | region_bit(RegionKind::kStack)), rw);
  EXPECT_EQ(t.translate(out, 8, true, region_bit(RegionKind::kInput)), nullptr);
  EXPECT_EQ(t.translate(in, 1, true, kAllRegionKinds), nullptr);  // permissions still apply
  EXPECT_EQ(t.translate(out, 1, false, 0), nullptr);
}

TEST(RegionTable, RefusesMoreThanItsCapacity) {
  RegionTable t;
  uint8_t b[1];
  for (size_t i = 0; i < RegionTable::kCapacity; ++i) t.add({RegionKind::kMemory, b, 1, false});
  EXPECT_THROW(t.add({RegionKind::kMemory, b, 1, false}), std::length_error);
}

TEST(HeapArena, AllocatesAlignedBlocksUntilFull) {
  HeapArena heap(64);
  uint64_t a = heap.allocate(5);
  uint64_t b = heap.allocate(8);
  ASSERT_NE(a, 0u);
  EXPECT_EQ(a % 8, 0u);
  EXPECT_EQ(b, a + 8);
  EXPECT_EQ(heap.allocate(64), 0u);  // exhausted
  EXPECT_EQ(heap.allocate(0), 0u);
  EXPECT_TRUE(heap.release(b));      // newest: space returns
  EXPECT_EQ(heap.allocate(8), b);
  EXPECT_FALSE(heap.release(a + 1)); // not a block start
  EXPECT_FALSE(heap.release(12345));
  heap.reset();
  EXPECT_EQ(heap.allocate(64), a);
}

}  // namespace
}  // namespace sbpf::runtime
