#include "device_model/namespace_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "tests/device_model/test_support.h"

namespace sbpf::device_model {
namespace {

using testing::ScratchFile;

TEST(NamespaceFileTest, CreatesAFileOfTheNamespacesSize) {
  ScratchFile scratch;
  NamespaceFile file(scratch.path(), 16, 512);
  EXPECT_EQ(file.size_bytes(), 8192u);
  EXPECT_EQ(std::filesystem::file_size(scratch.path()), 8192u);
}

TEST(NamespaceFileTest, WrittenBlocksReadBackAndReachTheFile) {
  ScratchFile scratch;
  NamespaceFile file(scratch.path(), 8, 512);
  std::vector<std::uint8_t> data(1024);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  file.write(3, data);
  file.flush();
  std::vector<std::uint8_t> back(1024);
  file.read(3, back);
  EXPECT_EQ(back, data);

  std::ifstream raw(scratch.path(), std::ios::binary);
  raw.seekg(3 * 512);
  std::vector<std::uint8_t> on_disk(1024);
  raw.read(reinterpret_cast<char*>(on_disk.data()), 1024);
  EXPECT_EQ(on_disk, data);
}

TEST(NamespaceFileTest, KeepsWhatTheFileHeldAndSizesByIt) {
  ScratchFile scratch;
  {
    std::ofstream out(scratch.path(), std::ios::binary);
    std::vector<char> bytes(1000, 'x');
    out.write(bytes.data(), 1000);
  }
  NamespaceFile file = NamespaceFile::open_existing(scratch.path(), 512);
  EXPECT_EQ(file.block_count(), 2u);
  std::vector<std::uint8_t> block(512);
  file.read(1, block);
  EXPECT_EQ(block[0], 'x');
  EXPECT_EQ(block[487], 'x');
  EXPECT_EQ(block[488], 0);  // past the old end: zeros
  EXPECT_EQ(std::filesystem::file_size(scratch.path()), 1000u);  // and the file is not padded
}

TEST(NamespaceFileTest, BytesAnywhereAndANamespaceThatGrowsAsItIsWritten) {
  ScratchFile scratch;
  {
    std::ofstream out(scratch.path(), std::ios::binary);
    out << "0123456789";
  }
  NamespaceFile file = NamespaceFile::open_existing(scratch.path(), 512);
  std::vector<std::uint8_t> bytes(4);
  file.read_bytes(3, bytes);
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "3456");
  EXPECT_THROW(file.read_bytes(510, bytes), std::out_of_range);
  file.grow(3);
  EXPECT_EQ(std::filesystem::file_size(scratch.path()), 10u);
  const std::string tail = "end";
  file.write_bytes(1200, std::span(reinterpret_cast<const std::uint8_t*>(tail.data()), tail.size()));
  EXPECT_EQ(std::filesystem::file_size(scratch.path()), 1203u);
  file.read_bytes(1199, bytes);
  EXPECT_EQ(bytes, (std::vector<std::uint8_t>{0, 'e', 'n', 'd'}));
  EXPECT_THROW(file.grow(2), std::invalid_argument);
}

TEST(NamespaceFileTest, RefusesBlocksPastTheEndAndPartialBlocks) {
  ScratchFile scratch;
  NamespaceFile file(scratch.path(), 4, 512);
  std::vector<std::uint8_t> two_blocks(1024);
  EXPECT_THROW(file.read(3, two_blocks), std::out_of_range);
  EXPECT_THROW(file.write(~0ull, two_blocks), std::out_of_range);
  std::vector<std::uint8_t> partial(100);
  EXPECT_THROW(file.read(0, partial), std::invalid_argument);
}

TEST(NamespaceFileTest, LbaSizeMustBeAnNvmeFormat) {
  ScratchFile scratch;
  EXPECT_THROW(NamespaceFile(scratch.path(), 1, 1000), std::invalid_argument);
  EXPECT_THROW(NamespaceFile(scratch.path(), 1, 256), std::invalid_argument);
  EXPECT_NO_THROW(NamespaceFile(scratch.path(), 1, 4096));
}

TEST(NamespaceFileTest, AnUnopenableFileIsASystemError) {
  EXPECT_THROW(NamespaceFile("/nonexistent-dir/namespace", 1, 512), std::system_error);
}

}  // namespace
}  // namespace sbpf::device_model
