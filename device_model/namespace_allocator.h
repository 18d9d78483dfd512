// Where a file lives in a namespace: the model's stand-in for a file
// system's block allocator. A file is a list of extents (file offset →
// starting block, length in blocks) and a layout version, which is what
// XRP's metadata digest snapshots; the version moves whenever the file's
// blocks do, so a digest taken before knows it is stale.
//
// Files are contiguous unless asked otherwise: a Placement cuts a file into
// extents of a given size, leaves gaps between them, and can scatter them
// over the namespace in an order drawn from a seed, so that tests and
// experiments can fragment a file on purpose, reproducibly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "device_model/namespace_file.h"

namespace sbpf::device_model {

struct FileExtent {
  std::uint64_t file_offset = 0;  // bytes
  std::uint64_t lba = 0;          // the namespace's first block of the extent
  std::uint64_t blocks = 0;
  bool operator==(const FileExtent&) const = default;
};

struct FileLayout {
  std::uint64_t size_bytes = 0;
  std::uint64_t version = 0;
  std::vector<FileExtent> extents;  // in file order, covering the whole file
};

struct Placement {
  std::uint64_t extent_blocks = 0;  // the longest extent; 0: one extent if it fits
  std::uint64_t gap_blocks = 0;     // free blocks left after each extent
  bool scatter = false;             // extents in an order drawn from `seed`
  std::uint64_t seed = 0;
};

class NamespaceAllocator {
 public:
  NamespaceAllocator(std::uint64_t block_count, std::uint32_t lba_size);

  std::uint32_t lba_size() const { return lba_size_; }
  std::uint64_t free_blocks() const { return free_blocks_; }

  // Blocks for a file of `bytes` (rounded up to whole blocks; at least one).
  // std::length_error when the namespace has no room for it as placed.
  FileLayout allocate(std::uint64_t bytes, const Placement& placement = {});
  // The layout's blocks are free again.
  void release(const FileLayout& layout);
  // Moves the file to new blocks placed by `placement` and copies its data
  // there in `space`: its version moves on, and a digest of the old layout is
  // stale. The old blocks are freed after the copy.
  void relocate(FileLayout& layout, NamespaceFile& space, const Placement& placement = {});

 private:
  // The first run of free blocks at or after `from` of up to `want` blocks:
  // its start and length (length 0 when none is left).
  std::pair<std::uint64_t, std::uint64_t> free_run(std::uint64_t from, std::uint64_t want) const;
  void mark(std::uint64_t lba, std::uint64_t blocks, bool used);

  std::uint32_t lba_size_;
  std::vector<bool> used_;
  std::uint64_t free_blocks_;
  std::uint64_t next_version_ = 1;
};

// Copies `bytes` into the namespace at the layout's blocks (the last block's
// tail is zero-filled): how a host file (a BPF-KV database) gets onto the
// model. std::invalid_argument when `bytes` is not the layout's size.
void store_file(NamespaceFile& space, const FileLayout& layout, std::span<const std::uint8_t> bytes);

// The file's bytes read back through its layout.
std::vector<std::uint8_t> load_file(const NamespaceFile& space, const FileLayout& layout);

}  // namespace sbpf::device_model
