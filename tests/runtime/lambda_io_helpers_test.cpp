#include "runtime/lambda_io_helpers.h"

#include <gtest/gtest.h>

#include <cstring>

#include "runtime/heap_arena.h"

namespace sbpf::runtime {
namespace {

// Calls helper `id` directly, with `regions` as the invocation's memory.
struct HelperHarness {
  HelperRegistry registry;
  RegionTable regions;
  HeapArena heap{4096};
  std::string failure;

  HelperHarness() { add_lambda_io_helpers(registry); }
  uint64_t call(int32_t id, std::initializer_list<uint64_t> args) {
    uint64_t a[5] = {};
    size_t i = 0;
    for (uint64_t v : args) a[i++] = v;
    HelperCall call(regions, &heap);
    uint64_t r = registry.find(id)->function(call, a);
    failure = call.failed() ? call.failure() : "";
    return r;
  }
};

uint64_t addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

TEST(LambdaIoHelpers, RegistersTheirIdsAndNames) {
  HelperRegistry r;
  add_lambda_io_helpers(r);
  EXPECT_EQ(r.find(156)->signature.name, "memcpy");
  EXPECT_EQ(r.find(157)->signature.name, "malloc");
  EXPECT_EQ(r.find(158)->signature.name, "free");
  EXPECT_EQ(r.find(159)->signature.name, "mem_read");
  EXPECT_EQ(r.find(160)->signature.name, "mem_write");
  EXPECT_EQ(r.find(161)->signature.name, "memcmp");
  EXPECT_EQ(r.find(162)->signature.name, "memset");
}

TEST(LambdaIoHelpers, MemcpyChecksBothRanges) {
  HelperHarness h;
  uint8_t src[8] = {1, 2, 3, 4, 5, 6, 7, 8}, dst[8] = {};
  h.regions.add({RegionKind::kInput, src, 8, false});
  h.regions.add({RegionKind::kOutput, dst, 8, true});
  EXPECT_EQ(h.call(kHelperMemcpy, {addr(dst), addr(src), 8}), addr(dst));
  EXPECT_EQ(h.failure, "");
  EXPECT_EQ(0, std::memcmp(src, dst, 8));
  h.call(kHelperMemcpy, {addr(dst), addr(src), 9});
  EXPECT_NE(h.failure, "");
  h.call(kHelperMemcpy, {addr(src), addr(dst), 4});  // input is read-only
  EXPECT_NE(h.failure.find("write of 4 bytes"), std::string::npos);
}

TEST(LambdaIoHelpers, MemReadAndWriteClampTheOffset) {
  HelperHarness h;
  uint8_t src[8] = {1, 2, 3, 4, 5, 6, 7, 8}, dst[8] = {};
  h.regions.add({RegionKind::kInput, src, 8, false});
  h.regions.add({RegionKind::kOutput, dst, 8, true});
  // off 6 + size 4 > boundary 8: off becomes 4.
  h.call(kHelperMemRead, {addr(dst), addr(src), 6, 4, 8});
  EXPECT_EQ(h.failure, "");
  EXPECT_EQ(dst[0], 5);
  EXPECT_EQ(dst[3], 8);
  uint8_t two[2] = {9, 9};
  h.regions.add({RegionKind::kMemory, two, 2, false});
  h.call(kHelperMemWrite, {addr(dst), addr(two), 100, 2, 8});  // off clamps to 6
  EXPECT_EQ(h.failure, "");
  EXPECT_EQ(dst[6], 9);
  EXPECT_EQ(dst[7], 9);
  // A boundary larger than the region does not let the copy escape it.
  h.call(kHelperMemWrite, {addr(dst), addr(two), 100, 2, 1 << 20});
  EXPECT_NE(h.failure, "");
}

TEST(LambdaIoHelpers, MemcmpAndMemset) {
  HelperHarness h;
  uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 9, 4};
  h.regions.add({RegionKind::kOutput, a, 4, true});
  h.regions.add({RegionKind::kInput, b, 4, false});
  EXPECT_EQ(static_cast<int64_t>(h.call(kHelperMemcmp, {addr(a), addr(b), 4})), -1);
  EXPECT_EQ(h.call(kHelperMemcmp, {addr(a), addr(b), 2}), 0u);
  h.call(kHelperMemset, {addr(a), 0x1ff, 4});
  EXPECT_EQ(a[3], 0xff);
  h.call(kHelperMemset, {addr(b), 0, 4});
  EXPECT_NE(h.failure, "");
}

TEST(LambdaIoHelpers, MallocAndFreeUseTheArena) {
  HelperHarness h;
  uint64_t p = h.call(kHelperMalloc, {100});
  EXPECT_NE(p, 0u);
  EXPECT_TRUE(h.heap.region().contains(p, 100));
  EXPECT_EQ(h.call(kHelperMalloc, {1 << 20}), 0u);  // too big: NULL, not an abort
  EXPECT_EQ(h.failure, "");
  h.call(kHelperFree, {p});
  EXPECT_EQ(h.failure, "");
  h.call(kHelperFree, {p + 8});
  EXPECT_EQ(h.failure, "free: pointer was not returned by malloc");
  h.call(kHelperFree, {0});
  EXPECT_EQ(h.failure, "");
}

}  // namespace
}  // namespace sbpf::runtime
