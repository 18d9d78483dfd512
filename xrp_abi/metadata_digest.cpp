#include "xrp_abi/metadata_digest.h"

#include <algorithm>
#include <stdexcept>

namespace sbpf::xrp {

MetadataDigest::MetadataDigest(std::vector<Extent> extents, uint64_t file_size, uint64_t version)
    : extents_(std::move(extents)), file_size_(file_size), version_(version) {
  std::sort(extents_.begin(), extents_.end(),
            [](const Extent& a, const Extent& b) { return a.file_offset < b.file_offset; });
  uint64_t covered_to = 0;
  for (const Extent& e : extents_) {
    if (e.length == 0) throw std::invalid_argument("an extent of the metadata digest is empty");
    if (e.file_offset + e.length < e.file_offset || e.device_offset + e.length < e.device_offset)
      throw std::invalid_argument("an extent of the metadata digest wraps around");
    if (e.file_offset + e.length > file_size)
      throw std::invalid_argument("an extent of the metadata digest ends past the end of the file");
    if (e.file_offset < covered_to) throw std::invalid_argument("extents of the metadata digest overlap");
    covered_to = e.file_offset + e.length;
  }
}

std::optional<std::vector<DeviceRange>> MetadataDigest::translate(uint64_t offset, uint64_t size) const {
  if (offset > file_size_ || file_size_ - offset < size) return std::nullopt;
  std::vector<DeviceRange> ranges;
  // The first extent that ends after `offset`.
  auto it = std::upper_bound(extents_.begin(), extents_.end(), offset,
                             [](uint64_t at, const Extent& e) { return at < e.file_offset + e.length; });
  uint64_t at = offset;
  const uint64_t end = offset + size;
  while (at < end) {
    if (it == extents_.end() || it->file_offset > at) return std::nullopt;  // a hole
    const uint64_t within = at - it->file_offset;
    const uint64_t length = std::min(it->length - within, end - at);
    ranges.push_back({it->device_offset + within, length});
    at += length;
    ++it;
  }
  return ranges;
}

}  // namespace sbpf::xrp
