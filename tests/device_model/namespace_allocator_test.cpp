#include "device_model/namespace_allocator.h"

#include <gtest/gtest.h>

#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "tests/device_model/test_support.h"

namespace sbpf::device_model {
namespace {

using testing::ScratchFile;

std::uint64_t total_blocks(const FileLayout& layout) {
  std::uint64_t blocks = 0;
  for (const FileExtent& e : layout.extents) blocks += e.blocks;
  return blocks;
}

// Every extent follows the previous one in the file, and no two files share
// a block.
void expect_well_formed(const std::vector<FileLayout>& files) {
  std::set<std::uint64_t> taken;
  for (const FileLayout& f : files) {
    std::uint64_t at = 0;
    for (const FileExtent& e : f.extents) {
      EXPECT_EQ(e.file_offset, at);
      at += e.blocks * 512;
      for (std::uint64_t b = e.lba; b < e.lba + e.blocks; ++b) EXPECT_TRUE(taken.insert(b).second) << "block " << b;
    }
    EXPECT_GE(at, f.size_bytes);
  }
}

TEST(NamespaceAllocator, AFileIsOneExtentWhenItFits) {
  NamespaceAllocator allocator(100, 512);
  FileLayout a = allocator.allocate(1000);
  FileLayout b = allocator.allocate(512 * 10);
  EXPECT_EQ(a.extents, (std::vector<FileExtent>{{0, 0, 2}}));
  EXPECT_EQ(b.extents, (std::vector<FileExtent>{{0, 2, 10}}));
  EXPECT_EQ(allocator.free_blocks(), 88u);
  EXPECT_NE(a.version, b.version);
}

TEST(NamespaceAllocator, PlacementCutsAndSpacesExtents) {
  NamespaceAllocator allocator(100, 512);
  FileLayout f = allocator.allocate(512 * 10, {.extent_blocks = 3, .gap_blocks = 2});
  EXPECT_EQ(f.extents, (std::vector<FileExtent>{{0, 0, 3}, {1536, 5, 3}, {3072, 10, 3}, {4608, 15, 1}}));
  // The gaps are free for the next file, which fills them.
  FileLayout g = allocator.allocate(512 * 4);
  EXPECT_EQ(g.extents, (std::vector<FileExtent>{{0, 16, 4}}));  // the first run that holds it whole
  FileLayout h = allocator.allocate(512 * 5, {.extent_blocks = 100});
  EXPECT_EQ(h.extents, (std::vector<FileExtent>{{0, 3, 2}, {1024, 8, 2}, {2048, 13, 1}}));
  expect_well_formed({f, g, h});
}

TEST(NamespaceAllocator, ScatteringIsReproducibleForASeed) {
  auto place = [](std::uint64_t seed) {
    NamespaceAllocator allocator(1000, 512);
    return allocator.allocate(512 * 64, {.extent_blocks = 4, .scatter = true, .seed = seed}).extents;
  };
  EXPECT_EQ(place(1), place(1));
  EXPECT_NE(place(1), place(2));
  std::vector<FileExtent> extents = place(1);
  EXPECT_EQ(extents.size(), 16u);
  bool out_of_order = false;
  for (size_t i = 1; i < extents.size(); ++i) out_of_order |= extents[i].lba < extents[i - 1].lba;
  EXPECT_TRUE(out_of_order);
}

TEST(NamespaceAllocator, AFullNamespaceRefusesAndKeepsWhatItHad) {
  NamespaceAllocator allocator(10, 512);
  FileLayout a = allocator.allocate(512 * 6);
  EXPECT_THROW(allocator.allocate(512 * 5), std::length_error);
  EXPECT_EQ(allocator.free_blocks(), 4u);
  allocator.release(a);
  EXPECT_EQ(allocator.free_blocks(), 10u);
  EXPECT_EQ(total_blocks(allocator.allocate(512 * 10)), 10u);
}

TEST(NamespaceAllocator, DataGoesThroughTheExtentsAndSurvivesARelocation) {
  ScratchFile scratch;
  NamespaceFile space(scratch.path(), 64, 512);
  NamespaceAllocator allocator(64, 512);
  allocator.allocate(512 * 3);  // someone else's blocks first
  FileLayout file = allocator.allocate(3000, {.extent_blocks = 2, .gap_blocks = 1});
  std::vector<std::uint8_t> data(3000);
  std::iota(data.begin(), data.end(), 0);
  store_file(space, file, data);
  EXPECT_EQ(load_file(space, file), data);

  const FileLayout before = file;
  allocator.relocate(file, space, {.extent_blocks = 1, .scatter = true, .seed = 9});
  EXPECT_NE(file.version, before.version);
  EXPECT_NE(file.extents, before.extents);
  EXPECT_EQ(load_file(space, file), data);
  EXPECT_EQ(allocator.free_blocks(), 64u - 3 - 6);
  EXPECT_THROW(store_file(space, file, std::vector<std::uint8_t>(10)), std::invalid_argument);
}

}  // namespace
}  // namespace sbpf::device_model
