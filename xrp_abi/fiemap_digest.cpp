#include "xrp_abi/fiemap_digest.h"

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>
#include <vector>

namespace sbpf::xrp {
namespace {

int64_t nanoseconds(const timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

uint64_t mix(uint64_t hash, uint64_t value) {
  // splitmix64's finaliser over a running hash: every bit of every field
  // reaches every bit of the result.
  hash ^= value + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  return hash ^ (hash >> 31);
}

// Extents whose bytes are not simply at fe_physical on the device: XRP's
// kernel could not translate a read into them, so neither does the digest.
constexpr uint32_t kRefusedFlags = FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED |
                                   FIEMAP_EXTENT_DATA_ENCRYPTED | FIEMAP_EXTENT_NOT_ALIGNED |
                                   FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL | FIEMAP_EXTENT_UNWRITTEN;

struct FiemapAnswer {
  std::vector<Extent> extents;
  uint64_t refused = 0;
  int error = 0;  // errno of the ioctl that failed, or 0
};

FiemapAnswer read_extents(int fd, uint64_t file_size) {
  constexpr uint32_t kBatch = 256;  // extents per ioctl
  std::vector<uint8_t> storage(sizeof(fiemap) + kBatch * sizeof(fiemap_extent));
  auto* map = reinterpret_cast<fiemap*>(storage.data());
  FiemapAnswer answer;
  uint64_t start = 0;
  uint32_t flags = FIEMAP_FLAG_SYNC;  // once: the first call flushes the file
  while (start < file_size) {
    std::memset(storage.data(), 0, storage.size());
    map->fm_start = start;
    map->fm_length = file_size - start;
    map->fm_flags = flags;
    map->fm_extent_count = kBatch;
    if (ioctl(fd, FS_IOC_FIEMAP, map) != 0) {
      answer.error = errno;
      return answer;
    }
    flags = 0;
    if (map->fm_mapped_extents == 0) break;  // the rest is a hole
    bool last = false;
    for (uint32_t i = 0; i < map->fm_mapped_extents; ++i) {
      const fiemap_extent& e = map->fm_extents[i];
      last = (e.fe_flags & FIEMAP_EXTENT_LAST) != 0;
      start = e.fe_logical + e.fe_length;
      if (e.fe_logical >= file_size || e.fe_length == 0) continue;
      if (e.fe_flags & kRefusedFlags) {
        ++answer.refused;
        continue;
      }
      // The last extent covers whole file system blocks, past the end of
      // a file whose size is not a multiple of them.
      const uint64_t length = std::min<uint64_t>(e.fe_length, file_size - e.fe_logical);
      answer.extents.push_back({e.fe_logical, e.fe_physical, length});
    }
    if (last) break;
  }
  return answer;
}

}  // namespace

uint64_t FileVersion::hash() const {
  uint64_t h = 0;
  for (uint64_t field : {device, inode, size, static_cast<uint64_t>(mtime_ns), static_cast<uint64_t>(ctime_ns)})
    h = mix(h, field);
  return h;
}

FileVersion file_version(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) throw std::system_error(errno, std::generic_category(), "fstat");
  return FileVersion{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                     static_cast<uint64_t>(st.st_size), nanoseconds(st.st_mtim), nanoseconds(st.st_ctim)};
}

bool changed_recently(const FileVersion& version, int64_t now_ns, uint64_t window_ns) {
  // A stamp from the future (a clock set back) counts as recent: nothing
  // says how long ago it really was.
  const int64_t newest = std::max(version.mtime_ns, version.ctime_ns);
  return newest > now_ns || static_cast<uint64_t>(now_ns - newest) < window_ns;
}

int64_t realtime_now_ns() {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return nanoseconds(now);
}

FiemapDigest take_fiemap_digest(int fd) {
  constexpr int kAttempts = 4;
  FiemapDigest digest;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    digest.version = file_version(fd);
    FiemapAnswer answer = read_extents(fd, digest.version.size);
    if (answer.error != 0) {
      digest.extents.reset();
      digest.refused_extents = 0;
      digest.no_fiemap = std::string("no FIEMAP on this file system: ") + std::strerror(answer.error);
      return digest;
    }
    // FIEMAP_FLAG_SYNC writes dirty data back, which changes no stamp;
    // another writer does.
    if (file_version(fd) != digest.version) continue;
    digest.extents.emplace(std::move(answer.extents), digest.version.size, digest.version.hash());
    digest.refused_extents = answer.refused;
    return digest;
  }
  digest.version = file_version(fd);
  digest.extents.emplace(std::vector<Extent>{}, digest.version.size, digest.version.hash());
  digest.refused_extents = 0;
  return digest;
}

}  // namespace sbpf::xrp
