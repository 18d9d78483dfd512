#include "runtime/page_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <system_error>

namespace sbpf::runtime {

namespace {

uint64_t first_page(FileRange range) { return range.offset / kPageBytes; }
uint64_t end_page(FileRange range) {
  return range.bytes == 0 ? first_page(range) : (range.offset + range.bytes + kPageBytes - 1) / kPageBytes;
}

// The maximal runs of pages in [first, end) for which `pick` holds.
template <typename Pick>
std::vector<FileRange> page_runs(uint64_t first, uint64_t end, Pick pick) {
  std::vector<FileRange> runs;
  for (uint64_t page = first; page < end; ++page) {
    if (!pick(page)) continue;
    if (!runs.empty() && runs.back().offset + runs.back().bytes == page * kPageBytes) {
      runs.back().bytes += kPageBytes;
    } else {
      runs.push_back({page * kPageBytes, kPageBytes});
    }
  }
  return runs;
}

class KernelPageCache : public PageCache {
 public:
  explicit KernelPageCache(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), path);
  }
  ~KernelPageCache() override { ::close(fd_); }

  Residency residency(FileRange range) const override {
    const std::vector<bool> map = resident(range);
    Residency r{map.size(), 0};
    for (bool cached : map) r.cached += cached;
    return r;
  }

  std::vector<FileRange> missing(FileRange range) const override {
    const std::vector<bool> map = resident(range);
    const uint64_t first = first_page(range);
    return page_runs(first, first + map.size(), [&](uint64_t page) { return !map[page - first]; });
  }

  void loaded(FileRange) override {}  // the kernel cached what it read

  void invalidate(FileRange range) override {
    // Dirty pages are not dropped: write them back first.
    ::sync_file_range(fd_, static_cast<off_t>(range.offset), static_cast<off_t>(range.bytes),
                      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    ::posix_fadvise(fd_, static_cast<off_t>(range.offset), static_cast<off_t>(range.bytes), POSIX_FADV_DONTNEED);
  }

 private:
  // One flag per page of `range` that lies within the file (pages past its
  // end cannot be cached, and count as missing).
  std::vector<bool> resident(FileRange range) const {
    const uint64_t first = first_page(range);
    const uint64_t end = end_page(range);
    std::vector<bool> map(end - first, false);
    struct stat st;
    if (::fstat(fd_, &st) != 0 || map.empty()) return map;
    const auto file_pages = (static_cast<uint64_t>(st.st_size) + kPageBytes - 1) / kPageBytes;
    if (first >= file_pages) return map;
    const uint64_t mapped_pages = std::min(end, file_pages) - first;
    void* mapping =
        ::mmap(nullptr, mapped_pages * kPageBytes, PROT_READ, MAP_SHARED, fd_, static_cast<off_t>(first * kPageBytes));
    if (mapping == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap " + path_);
    std::vector<unsigned char> vec(mapped_pages);
    const int status = ::mincore(mapping, mapped_pages * kPageBytes, vec.data());
    const int error = errno;
    ::munmap(mapping, mapped_pages * kPageBytes);
    if (status != 0) throw std::system_error(error, std::generic_category(), "mincore " + path_);
    for (uint64_t i = 0; i < mapped_pages; ++i) map[i] = (vec[i] & 1) != 0;
    return map;
  }

  std::string path_;
  int fd_;
};

class ModelledPageCache : public PageCache {
 public:
  ModelledPageCache(uint64_t file_bytes, double cached_share, uint64_t seed, bool steady)
      : cached_((file_bytes + kPageBytes - 1) / kPageBytes, false), steady_(steady) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> draw(0.0, 1.0);
    for (size_t page = 0; page < cached_.size(); ++page) cached_[page] = draw(random) < cached_share;
  }

  Residency residency(FileRange range) const override {
    Residency r{end_page(range) - first_page(range), 0};
    for (uint64_t page = first_page(range); page < end_page(range); ++page) r.cached += is_cached(page);
    return r;
  }

  std::vector<FileRange> missing(FileRange range) const override {
    return page_runs(first_page(range), end_page(range), [&](uint64_t page) { return !is_cached(page); });
  }

  void loaded(FileRange range) override {
    if (!steady_) set(range, true);
  }
  void invalidate(FileRange range) override { set(range, false); }

 private:
  bool is_cached(uint64_t page) const { return page < cached_.size() && cached_[page]; }
  void set(FileRange range, bool cached) {
    if (end_page(range) > cached_.size()) cached_.resize(end_page(range), false);
    for (uint64_t page = first_page(range); page < end_page(range); ++page) cached_[page] = cached;
  }

  std::vector<bool> cached_;
  bool steady_;
};

}  // namespace

unsigned PageCache::Residency::percent() const {
  return pages == 0 ? 100 : static_cast<unsigned>(cached * 100 / pages);
}

void PageCache::wrote(FileRange range) {
  loaded(range);
  for (uint64_t page = first_page(range); page < end_page(range); ++page) dirty_.insert(page);
}

std::vector<FileRange> PageCache::dirty(FileRange range) const {
  return page_runs(first_page(range), end_page(range), [&](uint64_t page) { return dirty_.count(page) != 0; });
}

void PageCache::cleaned(FileRange range) {
  dirty_.erase(dirty_.lower_bound(first_page(range)), dirty_.lower_bound(end_page(range)));
}

std::unique_ptr<PageCache> kernel_page_cache(const std::string& path) {
  return std::make_unique<KernelPageCache>(path);
}

std::unique_ptr<PageCache> modelled_page_cache(uint64_t file_bytes, double cached_share, uint64_t seed, bool steady) {
  return std::make_unique<ModelledPageCache>(file_bytes, cached_share, seed, steady);
}

}  // namespace sbpf::runtime
