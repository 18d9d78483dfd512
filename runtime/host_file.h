// A regular file on the host, read at offsets (pread): the input of a λ run,
// the database an XRP request walks.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace sbpf::runtime {

class HostFile {
 public:
  // Throws std::system_error, what() = "path: reason", when the file cannot
  // be opened.
  explicit HostFile(const std::string& path);
  ~HostFile();
  HostFile(const HostFile&) = delete;
  HostFile& operator=(const HostFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  // Fills `bytes` from `offset`; false when the file ends first. Throws
  // std::system_error ("path: reason") on an I/O error.
  bool read_at(uint64_t offset, std::span<uint8_t> bytes) const;

 private:
  std::string path_;
  int fd_;
  uint64_t size_ = 0;
};

}  // namespace sbpf::runtime
