// The BPF-KV bulk loader and the host reference lookups: the file's layout
// byte for byte on small trees, and lookups and scans against the keys the
// options describe.
#include "xrp_abi/bpfkv_database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <sbpf/bpfkv.h>

namespace sbpf::xrp {
namespace {

using RangeResult = std::vector<std::pair<uint64_t, BpfkvValue>>;

class BpfkvDatabaseTest : public ::testing::Test {
 protected:
  // The pid keeps concurrent test runs apart.
  BpfkvDatabaseTest()
      : dir_(std::filesystem::temp_directory_path() / ("sbpf_bpfkv_test_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~BpfkvDatabaseTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string build(uint64_t keys, uint64_t stride = 1) {
    std::string path = (dir_ / ("db_" + std::to_string(keys) + "_" + std::to_string(stride))).string();
    build_bpfkv_database(path, {keys, stride});
    return path;
  }

  std::filesystem::path dir_;
};

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bpfkv_node node_at(const std::vector<uint8_t>& file, uint64_t offset) {
  bpfkv_node node;
  EXPECT_LE(offset + sizeof node, file.size());
  std::memcpy(&node, file.data() + offset, sizeof node);
  return node;
}

// What the reference range must return for keys 0, stride, ... below
// keys * stride.
RangeResult expected_range(uint64_t keys, uint64_t stride, uint64_t low, uint64_t high) {
  RangeResult out;
  for (uint64_t i = 0; i < keys; ++i)
    if (i * stride >= low && i * stride <= high) out.emplace_back(i * stride, bpfkv_value_for_key(i * stride));
  return out;
}

std::string as_text(const BpfkvValue& value) { return std::string(value.begin(), value.end() - 1); }

TEST(BpfkvValue, IsTheKeyRightAlignedIn63CharactersThenNul) {
  EXPECT_EQ(as_text(bpfkv_value_for_key(0)), std::string(62, ' ') + "0");
  EXPECT_EQ(as_text(bpfkv_value_for_key(12345)), std::string(58, ' ') + "12345");
  EXPECT_EQ(as_text(bpfkv_value_for_key(UINT64_MAX)), std::string(43, ' ') + "18446744073709551615");
  EXPECT_EQ(bpfkv_value_for_key(7)[63], 0);
}

// 1000 keys: 33 leaves (32 full, one of 8), 2 internal nodes above them
// (31 and 2 children), and the root. Root first, level by level.
TEST_F(BpfkvDatabaseTest, LaysOutThreeLevelsRootFirstThenTheLog) {
  std::string path = build(1000);
  std::vector<uint8_t> file = read_bytes(path);
  const uint64_t kMid = 512, kLeaves = 3 * 512, kLog = 36 * 512;
  ASSERT_EQ(file.size(), kLog + 125 * 512);  // 1000 values, 8 per block

  bpfkv_node root = node_at(file, 0);
  EXPECT_EQ(root.type, uint64_t{BPFKV_INTERNAL});
  EXPECT_EQ(root.next, 0u);
  EXPECT_EQ(root.key[0], 0u);
  EXPECT_EQ(root.key[1], 961u);  // 31 leaves of 31 keys under the first child
  EXPECT_EQ(root.ptr[0], bpfkv_encode(kMid));
  EXPECT_EQ(root.ptr[1], bpfkv_encode(kMid + 512));
  for (int slot = 2; slot < BPFKV_NODE_CAPACITY; ++slot) {  // padding repeats the last child
    EXPECT_EQ(root.key[slot], 961u);
    EXPECT_EQ(root.ptr[slot], bpfkv_encode(kMid + 512));
  }

  bpfkv_node mid0 = node_at(file, kMid), mid1 = node_at(file, kMid + 512);
  EXPECT_EQ(mid0.type, uint64_t{BPFKV_INTERNAL});
  EXPECT_EQ(mid0.next, kMid + 512);
  EXPECT_EQ(mid1.next, 0u);
  for (int slot = 0; slot < BPFKV_NODE_CAPACITY; ++slot) {
    EXPECT_EQ(mid0.key[slot], 31u * slot);
    EXPECT_EQ(mid0.ptr[slot], bpfkv_encode(kLeaves + 512u * slot));
  }
  EXPECT_EQ(mid1.key[0], 961u);
  EXPECT_EQ(mid1.key[1], 992u);
  EXPECT_EQ(mid1.key[30], 992u);
  EXPECT_EQ(mid1.ptr[30], bpfkv_encode(kLeaves + 512 * 32));

  for (uint64_t leaf = 0; leaf < 33; ++leaf) {
    bpfkv_node node = node_at(file, kLeaves + 512 * leaf);
    EXPECT_EQ(node.type, uint64_t{BPFKV_LEAF});
    EXPECT_EQ(node.next, leaf < 32 ? kLeaves + 512 * (leaf + 1) : 0u) << "leaf " << leaf;
    for (uint64_t slot = 0; slot < BPFKV_NODE_CAPACITY; ++slot) {
      uint64_t key = std::min<uint64_t>(leaf * 31 + slot, 999);  // the last leaf pads with 999
      EXPECT_EQ(node.key[slot], key);
      EXPECT_EQ(node.ptr[slot], bpfkv_encode(kLog + 64 * key));
    }
  }

  for (uint64_t key = 0; key < 1000; ++key) {
    BpfkvValue value;
    std::memcpy(value.data(), file.data() + kLog + 64 * key, value.size());
    EXPECT_EQ(value, bpfkv_value_for_key(key));
  }
  // 1000 fills its last log block exactly: no zero tail here (see OneKey).
}

TEST_F(BpfkvDatabaseTest, EveryPointerCarriesBit63AndStaysInTheFile) {
  std::vector<uint8_t> file = read_bytes(build(5000, 7));
  const uint64_t node_bytes = file.size() - (5000 / 8) * 512;
  for (uint64_t offset = 0; offset < node_bytes; offset += 512) {
    bpfkv_node node = node_at(file, offset);
    ASSERT_TRUE(node.type == BPFKV_INTERNAL || node.type == BPFKV_LEAF) << offset;
    for (uint64_t ptr : node.ptr) {
      ASSERT_TRUE(ptr & BPFKV_FILE_MASK) << "node at " << offset;
      ASSERT_LT(bpfkv_decode(ptr), file.size());
      // Children come after their parent; values after every node.
      ASSERT_GT(bpfkv_decode(ptr), offset);
      if (node.type == BPFKV_LEAF) {
        ASSERT_GE(bpfkv_decode(ptr), node_bytes);
      }
    }
    if (node.next != 0) {
      ASSERT_EQ(node.next, offset + 512);
    }
  }
}

TEST_F(BpfkvDatabaseTest, ZeroKeysIsALoneEmptyLeaf) {
  std::string path = build(0);
  std::vector<uint8_t> file = read_bytes(path);
  ASSERT_EQ(file.size(), 512u);
  bpfkv_node root = node_at(file, 0);
  EXPECT_EQ(root.type, uint64_t{BPFKV_LEAF});
  EXPECT_EQ(root.next, 0u);
  for (int slot = 0; slot < BPFKV_NODE_CAPACITY; ++slot) {
    EXPECT_EQ(root.key[slot], 0u);
    EXPECT_EQ(root.ptr[slot], 0u);  // no file bit: no key, not even 0
  }
  EXPECT_FALSE(bpfkv_reference_get(path, 0));
  EXPECT_FALSE(bpfkv_reference_get(path, 1));
  EXPECT_FALSE(bpfkv_reference_get(path, UINT64_MAX));
  EXPECT_TRUE(bpfkv_reference_range(path, 0, UINT64_MAX).empty());
}

TEST_F(BpfkvDatabaseTest, OneKey) {
  std::string path = build(1);
  std::vector<uint8_t> file = read_bytes(path);
  ASSERT_EQ(file.size(), 1024u);  // the leaf, one log block
  bpfkv_node root = node_at(file, 0);
  EXPECT_EQ(root.type, uint64_t{BPFKV_LEAF});
  for (int slot = 0; slot < BPFKV_NODE_CAPACITY; ++slot) {
    EXPECT_EQ(root.key[slot], 0u);
    EXPECT_EQ(root.ptr[slot], bpfkv_encode(512));
  }
  for (size_t i = 512 + 64; i < 1024; ++i) ASSERT_EQ(file[i], 0) << i;  // the log block's zero tail

  EXPECT_EQ(bpfkv_reference_get(path, 0), bpfkv_value_for_key(0));
  EXPECT_FALSE(bpfkv_reference_get(path, 1));
  EXPECT_EQ(bpfkv_reference_range(path, 0, 10), expected_range(1, 1, 0, 10));
  EXPECT_TRUE(bpfkv_reference_range(path, 1, 10).empty());
}

TEST_F(BpfkvDatabaseTest, ThirtyOneKeysFillOneLeaf) {
  std::string path = build(31, 2);
  std::vector<uint8_t> file = read_bytes(path);
  ASSERT_EQ(file.size(), 512u + 4 * 512);
  bpfkv_node root = node_at(file, 0);
  EXPECT_EQ(root.type, uint64_t{BPFKV_LEAF});
  EXPECT_EQ(root.key[30], 60u);
  for (uint64_t key = 0; key < 64; ++key) {
    auto value = bpfkv_reference_get(path, key);
    if (key % 2 == 0 && key <= 60)
      EXPECT_EQ(value, bpfkv_value_for_key(key)) << key;
    else
      EXPECT_FALSE(value) << key;
  }
}

TEST_F(BpfkvDatabaseTest, ThirtyTwoKeysSplitUnderARoot) {
  std::string path = build(32, 2);
  std::vector<uint8_t> file = read_bytes(path);
  ASSERT_EQ(file.size(), 3 * 512u + 4 * 512);
  bpfkv_node root = node_at(file, 0), left = node_at(file, 512), right = node_at(file, 1024);
  EXPECT_EQ(root.type, uint64_t{BPFKV_INTERNAL});
  EXPECT_EQ(root.key[0], 0u);
  EXPECT_EQ(root.key[1], 62u);
  EXPECT_EQ(left.next, 1024u);
  EXPECT_EQ(right.next, 0u);
  EXPECT_EQ(right.key[0], 62u);
  EXPECT_EQ(right.key[30], 62u);
  for (uint64_t key = 0; key < 70; ++key) {
    auto value = bpfkv_reference_get(path, key);
    if (key % 2 == 0 && key <= 62)
      EXPECT_EQ(value, bpfkv_value_for_key(key)) << key;
    else
      EXPECT_FALSE(value) << key;
  }
  EXPECT_EQ(bpfkv_reference_range(path, 55, 100), expected_range(32, 2, 55, 100));
}

TEST_F(BpfkvDatabaseTest, GetFindsEveryKeyOfTenThousandAndNothingBetween) {
  std::string path = build(10000, 3);
  for (uint64_t i = 0; i < 10000; ++i) {
    ASSERT_EQ(bpfkv_reference_get(path, 3 * i), bpfkv_value_for_key(3 * i)) << 3 * i;
    ASSERT_FALSE(bpfkv_reference_get(path, 3 * i + 1)) << 3 * i + 1;
    ASSERT_FALSE(bpfkv_reference_get(path, 3 * i + 2)) << 3 * i + 2;
  }
  // Key 0 is always the smallest, so "absent" lies only between and above.
  for (uint64_t key : std::vector<uint64_t>{30000, 30001, 1ull << 40, UINT64_MAX - 1, UINT64_MAX})
    EXPECT_FALSE(bpfkv_reference_get(path, key)) << key;
}

TEST_F(BpfkvDatabaseTest, RangeReturnsTheKeysBetweenTheBoundsInOrder) {
  const uint64_t keys = 10000, stride = 3;
  std::string path = build(keys, stride);
  const std::pair<uint64_t, uint64_t> ranges[] = {
      {0, 0},          {1, 2},          {4, 3},  // empty, and low > high
      {0, 92},         {90, 95},        {92, 187},  // around the first leaf boundary (key 93)
      {2780, 2900},    {1000, 4000},    {29990, 40000},  // the last keys
      {30000, UINT64_MAX}, {0, UINT64_MAX},
  };
  for (auto [low, high] : ranges)
    EXPECT_EQ(bpfkv_reference_range(path, low, high), expected_range(keys, stride, low, high))
        << "[" << low << ", " << high << "]";
}

TEST_F(BpfkvDatabaseTest, TheLargestKeyStopsJustBelowUint64Max) {
  std::string path = build(2, UINT64_MAX - 1);
  EXPECT_EQ(bpfkv_reference_get(path, UINT64_MAX - 1), bpfkv_value_for_key(UINT64_MAX - 1));
  EXPECT_FALSE(bpfkv_reference_get(path, UINT64_MAX));
  EXPECT_EQ(bpfkv_reference_range(path, 1, UINT64_MAX), expected_range(2, UINT64_MAX - 1, 1, UINT64_MAX));
}

TEST(BpfkvDepth, FollowsTheNodeFill) {
  EXPECT_EQ(bpfkv_depth(0, 31), 1u);
  EXPECT_EQ(bpfkv_depth(31, 31), 1u);
  EXPECT_EQ(bpfkv_depth(32, 31), 2u);
  EXPECT_EQ(bpfkv_depth(100000, 31), 4u);
  EXPECT_EQ(bpfkv_depth(100000, 9), 6u);
  EXPECT_EQ(bpfkv_depth(100000, 10), 5u);
  // The fullest nodes that give each depth; none for a depth the keys cannot make.
  EXPECT_EQ(bpfkv_fill_for_depth(100000, 6), 9u);
  EXPECT_EQ(bpfkv_fill_for_depth(100000, 4), 31u);
  EXPECT_EQ(bpfkv_fill_for_depth(100000, 3), std::nullopt);  // 31^3 < 100,000
  EXPECT_EQ(bpfkv_fill_for_depth(100, 8), std::nullopt);     // 2^7 ≥ 100: even 2 a node is too many
  EXPECT_EQ(bpfkv_fill_for_depth(31, 1), 31u);
}

TEST_F(BpfkvDatabaseTest, PartlyFilledNodesPadWithTheirLastEntry) {
  // 10 keys, 3 to a node: leaves {0,1,2} {3,4,5} {6,7,8} {9}, then a
  // parent over three of them and one over the last, under a root.
  const std::string path = (dir_ / "partly").string();
  build_bpfkv_database(path, {10, 1, 3});
  const std::vector<uint8_t> file = read_bytes(path);
  const bpfkv_node root = node_at(file, 0);
  EXPECT_EQ(root.type, BPFKV_INTERNAL);
  EXPECT_EQ(root.key[0], 0u);
  EXPECT_EQ(root.key[1], 9u);
  for (size_t slot = 2; slot < BPFKV_NODE_CAPACITY; ++slot) {
    EXPECT_EQ(root.key[slot], root.key[1]);
    EXPECT_EQ(root.ptr[slot], root.ptr[1]);
  }
  const bpfkv_node first_leaf = node_at(file, 3 * 512);
  EXPECT_EQ(first_leaf.type, BPFKV_LEAF);
  EXPECT_EQ(first_leaf.key[2], 2u);
  EXPECT_EQ(first_leaf.key[30], 2u);
  for (uint64_t key = 0; key < 10; ++key) EXPECT_EQ(bpfkv_reference_get(path, key), bpfkv_value_for_key(key));
  EXPECT_EQ(bpfkv_reference_get(path, 10), std::nullopt);
}

TEST_F(BpfkvDatabaseTest, RejectsOptionsThatReachUint64MaxOrRepeatKeys) {
  auto message = [&](BpfkvBuildOptions options) -> std::string {
    try {
      build_bpfkv_database((dir_ / "rejected").string(), options);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(message({2, UINT64_MAX}),
            "BPF-KV build: 2 keys with stride 18446744073709551615 reach key 2^64-1 or beyond; the largest key must "
            "be below 2^64-1");
  EXPECT_NE(message({(1ull << 32) + 1, 1ull << 32}).find("reach key 2^64-1 or beyond"), std::string::npos);
  EXPECT_EQ(message({3, 0}), "BPF-KV build: the key stride must be at least 1");
  EXPECT_EQ(message({3, 1, 1}), "BPF-KV build: nodes hold 2 to 31 entries, not 1");
  EXPECT_EQ(message({3, 1, 32}), "BPF-KV build: nodes hold 2 to 31 entries, not 32");
  EXPECT_NE(message({1ull << 60, 1}).find("past 2^63 bytes"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "rejected"));
}

TEST_F(BpfkvDatabaseTest, IoErrorsNameThePathAndTheReason) {
  std::string missing_dir = (dir_ / "no_such_dir" / "db").string();
  try {
    build_bpfkv_database(missing_dir, {10});
    FAIL() << "built into a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), missing_dir + ": cannot create: No such file or directory");
  }
  try {
    bpfkv_reference_get(missing_dir, 0);
    FAIL() << "read a missing file";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), missing_dir + ": cannot open: No such file or directory");
  }
}

TEST_F(BpfkvDatabaseTest, ReferenceRejectsABrokenFile) {
  std::string path = build(100);
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    uint64_t bad_type = 7;
    file.seekp(8);
    file.write(reinterpret_cast<const char*>(&bad_type), sizeof bad_type);
  }
  try {
    bpfkv_reference_get(path, 5);
    FAIL() << "read a node of type 7";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": node at offset 0 has type 7, neither internal nor leaf");
  }

  path = build(100);
  std::filesystem::resize_file(path, 700);  // cuts the first leaf short
  try {
    bpfkv_reference_range(path, 0, 10);
    FAIL() << "read a truncated leaf";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": the file ends before the 512 bytes at offset 512");
  }
}

}  // namespace
}  // namespace sbpf::xrp
