// The real file's digest: the version from fstat (tested everywhere) and the
// extents from FIEMAP (skipped where the file system has none).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "xrp_abi/fiemap_digest.h"

namespace sbpf::xrp {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("sbpf-fiemap-" + std::to_string(getpid()) + "-" + name)) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot create " + path_.string());
  }
  ~TempFile() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  void write_at(uint64_t offset, size_t size, uint8_t fill) {
    std::vector<uint8_t> bytes(size, fill);
    ASSERT_EQ(::pwrite(fd_, bytes.data(), size, static_cast<off_t>(offset)), static_cast<ssize_t>(size));
  }

 private:
  std::filesystem::path path_;
  int fd_;
};

// Long enough for any timestamp clock to have ticked.
void let_the_clock_tick() { std::this_thread::sleep_for(std::chrono::milliseconds(25)); }

TEST(FileVersion, TheSameFileUnchangedHasTheSameVersion) {
  TempFile file("same");
  file.write_at(0, 4096, 1);
  const FileVersion first = file_version(file.fd());
  EXPECT_EQ(file_version(file.fd()), first);
  EXPECT_EQ(file_version(file.fd()).hash(), first.hash());
  EXPECT_EQ(first.size, 4096u);
}

TEST(FileVersion, AWriteChangesIt) {
  TempFile file("write");
  file.write_at(0, 4096, 1);
  const FileVersion before = file_version(file.fd());
  let_the_clock_tick();
  file.write_at(512, 512, 2);  // same size
  const FileVersion after = file_version(file.fd());
  EXPECT_NE(after, before);
  EXPECT_NE(after.hash(), before.hash());
  EXPECT_EQ(after.size, before.size);
}

TEST(FileVersion, RestoringTheMtimeDoesNotHideAWrite) {
  TempFile file("mtime");
  file.write_at(0, 4096, 1);
  let_the_clock_tick();
  const FileVersion before = file_version(file.fd());
  let_the_clock_tick();
  file.write_at(0, 512, 9);
  const timespec times[2] = {{0, UTIME_OMIT},
                             {before.mtime_ns / 1'000'000'000, static_cast<long>(before.mtime_ns % 1'000'000'000)}};
  ASSERT_EQ(futimens(file.fd(), times), 0);
  const FileVersion after = file_version(file.fd());
  EXPECT_EQ(after.mtime_ns, before.mtime_ns);  // what `touch -d` can do
  EXPECT_NE(after.ctime_ns, before.ctime_ns);  // what it cannot
  EXPECT_NE(after, before);
}

TEST(FileVersion, AFileRenamedIntoPlaceIsAnotherFile) {
  TempFile file("old");
  TempFile replacement("new");
  file.write_at(0, 4096, 1);
  replacement.write_at(0, 4096, 1);
  const FileVersion old_version = file_version(file.fd());
  std::filesystem::rename(replacement.path(), file.path());
  const int reopened = ::open(file.path().c_str(), O_RDONLY);
  ASSERT_GE(reopened, 0);
  EXPECT_NE(file_version(reopened).inode, old_version.inode);
  ::close(reopened);
  // The old descriptor still names the old file (losing its name may stamp
  // its ctime, which only makes the version more careful).
  EXPECT_EQ(file_version(file.fd()).inode, old_version.inode);
}

TEST(FileVersion, AVersionIsTrustedOnlyOnceItHasSettled) {
  FileVersion version;
  version.mtime_ns = 1'000'000'000;
  version.ctime_ns = 1'000'000'000;
  EXPECT_TRUE(changed_recently(version, 1'000'000'000, 20));
  EXPECT_TRUE(changed_recently(version, 1'000'000'019, 20));
  EXPECT_FALSE(changed_recently(version, 1'000'000'020, 20));
  // The newer of the two stamps counts.
  version.ctime_ns = 1'000'000'050;
  EXPECT_TRUE(changed_recently(version, 1'000'000'060, 20));
  // A stamp from the future cannot be trusted.
  EXPECT_TRUE(changed_recently(version, 999'999'000, 20));
  EXPECT_FALSE(changed_recently(version, 999'999'000 + 1'000'000'000, 0));
}

TEST(FiemapDigest, CarriesTheVersionWithOrWithoutExtents) {
  TempFile file("version");
  file.write_at(0, 8192, 1);
  const FiemapDigest digest = take_fiemap_digest(file.fd());
  EXPECT_EQ(digest.version, file_version(file.fd()));
  if (digest.extents) {
    EXPECT_EQ(digest.extents->version(), digest.version.hash());
    EXPECT_TRUE(digest.no_fiemap.empty());
  } else {
    EXPECT_NE(digest.no_fiemap.find("no FIEMAP"), std::string::npos) << digest.no_fiemap;
  }
}

// The tests below need FIEMAP.
#define SKIP_WITHOUT_FIEMAP(digest)                                                         \
  if (!(digest).extents) GTEST_SKIP() << "this file system has no FIEMAP: " << (digest).no_fiemap

TEST(FiemapDigest, AWrittenFileTranslatesWhole) {
  TempFile file("whole");
  file.write_at(0, 1 << 20, 7);  // still in the page cache: FIEMAP_FLAG_SYNC places it
  const FiemapDigest digest = take_fiemap_digest(file.fd());
  SKIP_WITHOUT_FIEMAP(digest);
  EXPECT_EQ(digest.refused_extents, 0u);
  ASSERT_FALSE(digest.extents->extents().empty());
  auto whole = digest.extents->translate(0, 1 << 20);
  ASSERT_TRUE(whole.has_value());
  uint64_t covered = 0;
  for (const DeviceRange& range : *whole) covered += range.length;
  EXPECT_EQ(covered, 1u << 20);
  EXPECT_TRUE(digest.extents->translate(512, 512));
  EXPECT_FALSE(digest.extents->translate(1 << 20, 512));  // past the end
}

TEST(FiemapDigest, AFileOfOddSizeHasItsLastExtentClipped) {
  TempFile file("odd");
  file.write_at(0, 5000, 3);
  const FiemapDigest digest = take_fiemap_digest(file.fd());
  SKIP_WITHOUT_FIEMAP(digest);
  EXPECT_EQ(digest.extents->file_size(), 5000u);
  EXPECT_TRUE(digest.extents->translate(4096, 904));
}

TEST(FiemapDigest, HolesDoNotTranslate) {
  TempFile file("sparse");
  ASSERT_EQ(ftruncate(file.fd(), 1 << 20), 0);
  file.write_at((1 << 20) - 4096, 4096, 5);
  const FiemapDigest digest = take_fiemap_digest(file.fd());
  SKIP_WITHOUT_FIEMAP(digest);
  EXPECT_FALSE(digest.extents->translate(0, 512));
  EXPECT_FALSE(digest.extents->translate((1 << 20) - 8192, 8192));  // half hole
  EXPECT_TRUE(digest.extents->translate((1 << 20) - 4096, 4096));
}

TEST(FiemapDigest, UnwrittenExtentsAreRefused) {
  TempFile file("unwritten");
  if (fallocate(file.fd(), 0, 0, 1 << 20) != 0) GTEST_SKIP() << "no fallocate here";
  const FiemapDigest digest = take_fiemap_digest(file.fd());
  SKIP_WITHOUT_FIEMAP(digest);
  // Allocated but never written: the device holds whatever was there, and
  // the file reads as zeroes. XRP could not translate it either.
  EXPECT_GE(digest.refused_extents, 1u);
  EXPECT_FALSE(digest.extents->translate(0, 512));
}

TEST(FiemapDigest, AFileOfManyExtentsIsReadInFull) {
  // Every other 4096-byte block written: more extents than one ioctl's batch.
  TempFile file("many");
  constexpr uint64_t kBlocks = 1200;
  for (uint64_t i = 0; i < kBlocks; i += 2) file.write_at(i * 4096, 4096, 1);
  const FiemapDigest digest = take_fiemap_digest(file.fd());
  SKIP_WITHOUT_FIEMAP(digest);
  EXPECT_GE(digest.extents->extents().size(), kBlocks / 2);
  EXPECT_TRUE(digest.extents->translate((kBlocks - 2) * 4096, 4096));
  EXPECT_FALSE(digest.extents->translate(4096, 512));
}

}  // namespace
}  // namespace sbpf::xrp
