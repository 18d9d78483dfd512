// The metadata digest: file offsets to device addresses through extents,
// split where a read crosses extents, refused over holes and past the end.
#include "xrp_abi/metadata_digest.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sbpf::xrp {
namespace {

// A 16 KiB file in three extents, given out of order, with a hole at
// [8 KiB, 12 KiB).
MetadataDigest fragmented() {
  return MetadataDigest({{12288, 900 * 512, 4096}, {0, 100 * 512, 4096}, {4096, 40 * 512, 4096}}, 16384, 7);
}

TEST(MetadataDigest, TranslatesInsideOneExtent) {
  MetadataDigest digest = fragmented();
  EXPECT_EQ(digest.translate(512, 1024), (std::vector<DeviceRange>{{100 * 512 + 512, 1024}}));
  EXPECT_EQ(digest.translate(12288 + 3584, 512), (std::vector<DeviceRange>{{900 * 512 + 3584, 512}}));
  EXPECT_EQ(digest.version(), 7u);
}

TEST(MetadataDigest, SplitsAReadThatCrossesExtents) {
  EXPECT_EQ(fragmented().translate(3584, 1024),
            (std::vector<DeviceRange>{{100 * 512 + 3584, 512}, {40 * 512, 512}}));
}

TEST(MetadataDigest, RefusesHolesAndThePastTheEnd) {
  MetadataDigest digest = fragmented();
  EXPECT_FALSE(digest.translate(8192, 512));
  EXPECT_FALSE(digest.translate(7680, 1024));     // runs into the hole
  EXPECT_FALSE(digest.translate(16384, 512));     // at the end
  EXPECT_FALSE(digest.translate(15872, 1024));    // across it
  EXPECT_FALSE(digest.translate(UINT64_MAX - 511, 512));
  EXPECT_EQ(digest.translate(16384, 0), std::vector<DeviceRange>{});
}

TEST(MetadataDigest, RefusesExtentsThatCannotDescribeAFile) {
  EXPECT_THROW(MetadataDigest({{0, 0, 4096}, {2048, 8192, 4096}}, 8192, 1), std::invalid_argument);  // overlap
  EXPECT_THROW(MetadataDigest({{0, 0, 8192}}, 4096, 1), std::invalid_argument);                      // past the end
  EXPECT_THROW(MetadataDigest({{0, 0, 0}}, 4096, 1), std::invalid_argument);                         // empty
  EXPECT_THROW(MetadataDigest({{0, UINT64_MAX - 100, 4096}}, 4096, 1), std::invalid_argument);       // wraps
}

}  // namespace
}  // namespace sbpf::xrp
