#include "device_model/namespace_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace sbpf::device_model {

namespace {

std::system_error io_error(const std::string& what, const std::string& path) {
  return std::system_error(errno, std::generic_category(), what + " " + path);
}

bool valid_lba_size(std::uint32_t size) { return size >= 512 && size <= 65536 && (size & (size - 1)) == 0; }

}  // namespace

NamespaceFile::NamespaceFile(const std::string& path, std::uint64_t block_count, std::uint32_t lba_size)
    : NamespaceFile(path, block_count, lba_size, true) {}

NamespaceFile::NamespaceFile(const std::string& path, std::uint64_t block_count, std::uint32_t lba_size,
                             bool extend)
    : path_(path), lba_size_(lba_size), block_count_(block_count) {
  if (!valid_lba_size(lba_size)) {
    throw std::invalid_argument("LBA size " + std::to_string(lba_size) + " is not a power of two from 512 to 65536");
  }
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  // A file the host may only read is a namespace whose writes fail.
  if (fd_ < 0 && (errno == EACCES || errno == EROFS)) fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw io_error("cannot open", path);
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    throw io_error("cannot stat", path);
  }
  const auto wanted = static_cast<off_t>(block_count * lba_size);
  if (extend && st.st_size < wanted && ::ftruncate(fd_, wanted) != 0) {
    ::close(fd_);
    throw io_error("cannot extend", path);
  }
}

NamespaceFile NamespaceFile::open_existing(const std::string& path, std::uint32_t lba_size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw io_error("cannot open", path);
  if (!valid_lba_size(lba_size)) return NamespaceFile(path, 0, lba_size);  // throws the usual message
  const auto size = static_cast<std::uint64_t>(st.st_size);
  return NamespaceFile(path, (size + lba_size - 1) / lba_size, lba_size, false);
}

NamespaceFile::NamespaceFile(NamespaceFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      lba_size_(other.lba_size_),
      block_count_(other.block_count_) {}

NamespaceFile& NamespaceFile::operator=(NamespaceFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    lba_size_ = other.lba_size_;
    block_count_ = other.block_count_;
  }
  return *this;
}

NamespaceFile::~NamespaceFile() {
  if (fd_ >= 0) ::close(fd_);
}

void NamespaceFile::check_range(std::uint64_t start_lba, std::size_t bytes) const {
  if (bytes % lba_size_ != 0) throw std::invalid_argument("a buffer of whole blocks is needed");
  const std::uint64_t blocks = bytes / lba_size_;
  if (start_lba > block_count_ || blocks > block_count_ - start_lba) {
    throw std::out_of_range("blocks " + std::to_string(start_lba) + "+" + std::to_string(blocks) + " past the end of " +
                            path_ + " (" + std::to_string(block_count_) + " blocks)");
  }
}

void NamespaceFile::check_bytes(std::uint64_t offset, std::size_t bytes) const {
  if (offset > size_bytes() || bytes > size_bytes() - offset) {
    throw std::out_of_range("bytes " + std::to_string(offset) + "+" + std::to_string(bytes) + " past the end of " +
                            path_ + " (" + std::to_string(size_bytes()) + " bytes)");
  }
}

void NamespaceFile::read(std::uint64_t start_lba, std::span<std::uint8_t> buffer) const {
  check_range(start_lba, buffer.size());
  read_bytes(start_lba * lba_size_, buffer);
}

void NamespaceFile::write(std::uint64_t start_lba, std::span<const std::uint8_t> buffer) {
  check_range(start_lba, buffer.size());
  write_bytes(start_lba * lba_size_, buffer);
}

void NamespaceFile::read_bytes(std::uint64_t offset, std::span<std::uint8_t> buffer) const {
  check_bytes(offset, buffer.size());
  std::size_t done = 0;
  while (done < buffer.size()) {
    ssize_t n = ::pread(fd_, buffer.data() + done, buffer.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_error("cannot read", path_);
    if (n == 0) {
      // Past the file's end (another process shrank it): a never-written block reads as zeros.
      std::fill(buffer.begin() + static_cast<long>(done), buffer.end(), 0);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
}

void NamespaceFile::write_bytes(std::uint64_t offset, std::span<const std::uint8_t> buffer) {
  check_bytes(offset, buffer.size());
  std::size_t done = 0;
  while (done < buffer.size()) {
    ssize_t n = ::pwrite(fd_, buffer.data() + done, buffer.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_error("cannot write", path_);
    done += static_cast<std::size_t>(n);
  }
}

void NamespaceFile::grow(std::uint64_t block_count) {
  if (block_count < block_count_) throw std::invalid_argument("a namespace never shrinks");
  block_count_ = block_count;
}

void NamespaceFile::flush() {
  if (::fdatasync(fd_) != 0) throw io_error("cannot flush", path_);
}

}  // namespace sbpf::device_model
