// A namespace's data: a regular file on the host, read and written for real
// (pread/pwrite), so what the model stores survives it and anything can be
// put in front of it (a BPF-KV database, a λ program's input).
//
// The namespace has `block_count` logical blocks of `lba_size` bytes; the
// file is extended to that size when it is shorter and never shrunk.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace sbpf::device_model {

class NamespaceFile {
 public:
  // Opens (creating if needed) `path` as a namespace of `block_count` blocks
  // of `lba_size` bytes (a power of two, 512 to 64 KiB: NVMe's LBA formats).
  // std::system_error when the file cannot be opened or sized,
  // std::invalid_argument for a bad LBA size.
  NamespaceFile(const std::string& path, std::uint64_t block_count, std::uint32_t lba_size = 512);
  // A namespace exactly as large as the file already is, rounded up to
  // whole blocks; the file itself is left as it is (its last block's tail
  // reads as zeros).
  static NamespaceFile open_existing(const std::string& path, std::uint32_t lba_size = 512);

  NamespaceFile(NamespaceFile&& other) noexcept;
  NamespaceFile& operator=(NamespaceFile&& other) noexcept;
  NamespaceFile(const NamespaceFile&) = delete;
  NamespaceFile& operator=(const NamespaceFile&) = delete;
  ~NamespaceFile();

  std::uint32_t lba_size() const { return lba_size_; }
  std::uint64_t block_count() const { return block_count_; }
  std::uint64_t size_bytes() const { return block_count_ * lba_size_; }
  // The namespace covers `block_count` blocks from now on; the file grows
  // as they are written, not before. Never shrinks (std::invalid_argument).
  void grow(std::uint64_t block_count);
  const std::string& path() const { return path_; }

  // Whole blocks from `start_lba`; `buffer` is blocks × lba_size bytes.
  // std::system_error on an I/O error, std::out_of_range past the end.
  void read(std::uint64_t start_lba, std::span<std::uint8_t> buffer) const;
  void write(std::uint64_t start_lba, std::span<const std::uint8_t> buffer);
  // Any bytes, at a byte offset: what the device's own firmware does inside
  // a block (λ commands' extents are in bytes). std::out_of_range past the end.
  void read_bytes(std::uint64_t offset, std::span<std::uint8_t> buffer) const;
  void write_bytes(std::uint64_t offset, std::span<const std::uint8_t> buffer);
  // The file's data on stable storage (fdatasync): a flush is real too.
  void flush();

 private:
  NamespaceFile(const std::string& path, std::uint64_t block_count, std::uint32_t lba_size, bool extend);
  void check_range(std::uint64_t start_lba, std::size_t bytes) const;
  void check_bytes(std::uint64_t offset, std::size_t bytes) const;

  std::string path_;
  int fd_ = -1;
  std::uint32_t lba_size_ = 512;
  std::uint64_t block_count_ = 0;
};

}  // namespace sbpf::device_model
