#include "device_model/namespace_allocator.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <tuple>

#include "device_model/seeded_random.h"

namespace sbpf::device_model {

NamespaceAllocator::NamespaceAllocator(std::uint64_t block_count, std::uint32_t lba_size)
    : lba_size_(lba_size), used_(block_count, false), free_blocks_(block_count) {
  if (lba_size == 0) throw std::invalid_argument("a namespace's blocks are not empty");
}

std::pair<std::uint64_t, std::uint64_t> NamespaceAllocator::free_run(std::uint64_t from, std::uint64_t want) const {
  std::uint64_t start = from;
  while (start < used_.size() && used_[start]) ++start;
  std::uint64_t end = start;
  while (end < used_.size() && end - start < want && !used_[end]) ++end;
  return {start, end - start};
}

void NamespaceAllocator::mark(std::uint64_t lba, std::uint64_t blocks, bool used) {
  for (std::uint64_t b = lba; b < lba + blocks; ++b) used_[b] = used;
  if (used) free_blocks_ -= blocks;
  else free_blocks_ += blocks;
}

FileLayout NamespaceAllocator::allocate(std::uint64_t bytes, const Placement& placement) {
  const std::uint64_t blocks = std::max<std::uint64_t>(1, bytes / lba_size_ + (bytes % lba_size_ != 0));
  FileLayout layout;
  layout.size_bytes = bytes;
  auto give_back = [&] {
    for (const FileExtent& e : layout.extents) mark(e.lba, e.blocks, false);
  };
  const std::uint64_t longest = placement.extent_blocks != 0 ? placement.extent_blocks : blocks;
  SeededRandom random(placement.seed);
  std::uint64_t from = 0;
  // Unfragmented, a file takes the first run that holds it whole.
  if (placement.extent_blocks == 0 && !placement.scatter) {
    for (auto run = free_run(0, blocks); run.second != 0; run = free_run(run.first + run.second, blocks))
      if (run.second == blocks) {
        from = run.first;
        break;
      }
  }
  std::uint64_t placed = 0;
  while (placed < blocks) {
    const std::uint64_t want = std::min(longest, blocks - placed);
    if (placement.scatter) from = random.below(used_.size());
    auto [start, length] = free_run(from, want);
    if (length == 0 && from != 0) std::tie(start, length) = free_run(0, want);  // wrap around
    if (length == 0) {
      give_back();
      throw std::length_error("the namespace has no room for a file of " + std::to_string(bytes) + " bytes (" +
                              std::to_string(free_blocks_) + " blocks free)");
    }
    mark(start, length, true);
    layout.extents.push_back({placed * lba_size_, start, length});
    placed += length;
    from = start + length + placement.gap_blocks;
  }
  layout.version = next_version_++;
  return layout;
}

void NamespaceAllocator::release(const FileLayout& layout) {
  for (const FileExtent& e : layout.extents) {
    if (e.lba + e.blocks > used_.size()) throw std::invalid_argument("a layout from another namespace");
    mark(e.lba, e.blocks, false);
  }
}

void NamespaceAllocator::relocate(FileLayout& layout, NamespaceFile& space, const Placement& placement) {
  const std::vector<std::uint8_t> data = load_file(space, layout);
  FileLayout moved = allocate(layout.size_bytes, placement);
  store_file(space, moved, data);
  release(layout);
  layout = std::move(moved);
}

void store_file(NamespaceFile& space, const FileLayout& layout, std::span<const std::uint8_t> bytes) {
  if (bytes.size() != layout.size_bytes)
    throw std::invalid_argument("store_file: " + std::to_string(bytes.size()) + " bytes for a file of " +
                                std::to_string(layout.size_bytes));
  std::vector<std::uint8_t> buffer;
  for (const FileExtent& e : layout.extents) {
    buffer.assign(e.blocks * space.lba_size(), 0);
    if (e.file_offset < bytes.size()) {
      const std::uint64_t take = std::min<std::uint64_t>(buffer.size(), bytes.size() - e.file_offset);
      std::memcpy(buffer.data(), bytes.data() + e.file_offset, take);
    }
    space.write(e.lba, buffer);
  }
}

std::vector<std::uint8_t> load_file(const NamespaceFile& space, const FileLayout& layout) {
  std::vector<std::uint8_t> bytes(layout.size_bytes);
  std::vector<std::uint8_t> buffer;
  for (const FileExtent& e : layout.extents) {
    buffer.resize(e.blocks * space.lba_size());
    space.read(e.lba, buffer);
    if (e.file_offset >= bytes.size()) continue;
    const std::uint64_t take = std::min<std::uint64_t>(buffer.size(), bytes.size() - e.file_offset);
    std::memcpy(bytes.data() + e.file_offset, buffer.data(), take);
  }
  return bytes;
}

}  // namespace sbpf::device_model
