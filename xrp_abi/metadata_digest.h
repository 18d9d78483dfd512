// XRP's metadata digest: what the completion path knows of a file's layout,
// so that it can turn the file offset a function asks for into a device
// address without the file system. It is a snapshot: the file's extents and
// the version of the layout they were read at. The driver translates each
// read through it and, once the read has completed, compares the version
// with the file's current one; a mismatch means the read may have come from
// blocks the file no longer owns, and the request fails as stale so that the
// caller falls back to ordinary reads, as XRP does.
//
// The extents come from the device model's allocator, or from FIEMAP for a
// real file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sbpf::xrp {

struct Extent {
  uint64_t file_offset = 0;
  uint64_t device_offset = 0;
  uint64_t length = 0;
  bool operator==(const Extent&) const = default;
};

// A piece of a translated read: `length` bytes at `device_offset`.
struct DeviceRange {
  uint64_t device_offset = 0;
  uint64_t length = 0;
  bool operator==(const DeviceRange&) const = default;
};

class MetadataDigest {
 public:
  // Extents may come in any order; they must not overlap in the file.
  // Throws std::invalid_argument otherwise, or when one ends past
  // `file_size` or wraps around.
  MetadataDigest(std::vector<Extent> extents, uint64_t file_size, uint64_t version);

  uint64_t file_size() const { return file_size_; }
  uint64_t version() const { return version_; }
  const std::vector<Extent>& extents() const { return extents_; }

  // The device ranges holding [offset, offset + size), in file order: one
  // per extent the read crosses. Nothing when part of it is a hole or lies
  // past the end of the file.
  std::optional<std::vector<DeviceRange>> translate(uint64_t offset, uint64_t size) const;

 private:
  std::vector<Extent> extents_;  // sorted by file offset
  uint64_t file_size_;
  uint64_t version_;
};

}  // namespace sbpf::xrp
