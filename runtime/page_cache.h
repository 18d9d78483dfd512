// What the host λ runtime knows of the host's page cache for one file: which
// 4 KiB pages are cached — the share `c` that λ-IO's scheduler weighs — and
// which pages the host has written that the device has not seen yet.
//
// Two sources for the cached pages: the kernel's own cache (mincore on the
// real file: what `sbpf run` sees), and a modelled one (a page map with a
// starting share drawn from a seed: what experiments use, so that a run
// does not depend on what the machine happened to cache). Dirty pages are
// the λ API's own record either way: the kernel does not tell a process
// which of its pages are dirty.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sbpf::runtime {

inline constexpr uint64_t kPageBytes = 4096;

// A byte range of a file.
struct FileRange {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  bool operator==(const FileRange&) const = default;
};

class PageCache {
 public:
  virtual ~PageCache() = default;

  // The pages [offset, offset + bytes) touches, and how many of them are cached.
  struct Residency {
    uint64_t pages = 0;
    uint64_t cached = 0;
    // The share in whole percent (rounded down; 100 for an empty range).
    unsigned percent() const;
  };
  virtual Residency residency(FileRange range) const = 0;
  // The maximal runs of pages in `range` that are not cached, page-aligned.
  virtual std::vector<FileRange> missing(FileRange range) const = 0;
  // A read brought `range`'s pages in.
  virtual void loaded(FileRange range) = 0;
  // The device wrote `range` underneath the cache: its pages are dropped.
  virtual void invalidate(FileRange range) = 0;

  // The host wrote `range` (buffered): its pages are cached and dirty.
  void wrote(FileRange range);
  // The dirty pages' maximal runs within `range`, page-aligned.
  std::vector<FileRange> dirty(FileRange range) const;
  // `range`'s dirty pages were written back.
  void cleaned(FileRange range);

 private:
  std::set<uint64_t> dirty_;  // page numbers
};

// The kernel's page cache of the file at `path`, read with mincore.
// invalidate() writes back and drops the range (sync_file_range, then
// POSIX_FADV_DONTNEED). std::system_error when the file cannot be opened.
std::unique_ptr<PageCache> kernel_page_cache(const std::string& path);

// A modelled cache of a file of `file_bytes`: each page starts cached with
// probability `cached_share` (0–1), drawn from `seed`. A steady one stays
// so — what reads bring in, the cache evicts elsewhere — as experiments that
// hold `c` fixed need; otherwise reads keep what they load.
std::unique_ptr<PageCache> modelled_page_cache(uint64_t file_bytes, double cached_share, uint64_t seed,
                                               bool steady = false);

}  // namespace sbpf::runtime
