// The metadata digest of a real file: its extents from FIEMAP and the
// version of its layout from fstat.
//
// What it is for in user space. XRP's kernel translates each file offset
// into a device address through the digest and rewrites the completed NVMe
// command. We cannot read the raw block device from user space, so the
// io_uring backend (uring_xrp_queue.h) still reads the FILE, with O_DIRECT,
// at file offsets, and the kernel's own mapping decides where the bytes come
// from. The digest keeps the two jobs that still matter here:
//   - staleness: the version is taken when a request starts and compared
//     after each of its reads completes, before the function runs on the
//     data; a mismatch fails the request as stale and the caller falls back
//     to ordinary reads;
//   - refusal: a read that touches a hole, or an extent FIEMAP cannot place
//     on the device (unknown, delayed allocation, encoded, inline, not
//     aligned, unwritten), is one XRP's kernel could not translate either,
//     so it is refused the same way.
// On a file system without FIEMAP (tmpfs answers EOPNOTSUPP) the digest has
// no extents and carries only the version: refusal is off, staleness works.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "xrp_abi/metadata_digest.h"

namespace sbpf::xrp {

// A file's identity and its last change, as fstat reports them.
//
// Why ctime as well as mtime: mtime can be set back by anyone who may write
// the file (touch -d, utimensat, `cp -p`, tar), so a rewrite followed by
// restoring the old mtime would look unchanged; ctime is set by the kernel
// on every change of data or metadata, including that utimensat, and cannot
// be set from user space. mtime stays in because some file systems stamp the
// two at different grains. Size and inode catch truncation and a file put
// in place by rename (a different file behind the same path: an fd keeps
// reading the old one, which stays consistent, but a digest taken by path
// would not describe it).
struct FileVersion {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // since the epoch
  int64_t ctime_ns = 0;

  bool operator==(const FileVersion&) const = default;
  // The MetadataDigest's version: a 64-bit mix of the fields. Comparisons
  // use the fields themselves; the hash only names the version.
  uint64_t hash() const;
};

// fstat of `fd`. Throws std::system_error.
FileVersion file_version(int fd);

// The file's timestamps are not a seqlock: the kernel stamps ctime from a
// clock tick (coarse on older kernels) when a write starts, and a second
// write in the same tick leaves the stamp as it was. A version whose ctime
// is younger than `window_ns` at `now_ns` (CLOCK_REALTIME) may therefore
// still be changing without the version showing it (git calls this the
// "racy clean" index entry). Such a version is not trusted: requests started
// on it fail as stale at once. The window also covers a write(2) that
// stamped the file just before the version was taken and is still copying
// its data: nothing from user space can see that copy end, so the window is
// a margin, not a proof, and it is the only heuristic in the scheme.
inline constexpr uint64_t kDefaultSettleNs = 20'000'000;  // 20 ms: several clock ticks
bool changed_recently(const FileVersion& version, int64_t now_ns, uint64_t window_ns);
int64_t realtime_now_ns();

struct FiemapDigest {
  FileVersion version;
  // Set when FIEMAP answered: the extents the kernel could place on the
  // device, clipped to the file's size (a refused extent is left out, so
  // reads that touch it do not translate).
  std::optional<MetadataDigest> extents;
  uint64_t refused_extents = 0;  // left out for their flags
  std::string no_fiemap;         // else: why not ("tmpfs: Operation not supported")
};

// Takes the digest of the open file `fd`: the version, then its extents
// (FIEMAP with FIEMAP_FLAG_SYNC, so that data still in the page cache is
// allocated first rather than reported as delayed; as many ioctls as it
// takes to reach the last extent), then the version again: if the file
// changed in between, the extents may belong to neither, and it tries again;
// a file that keeps changing gets a digest with no extents at all, which
// refuses every read until the next digest. Throws std::system_error when
// fstat fails.
FiemapDigest take_fiemap_digest(int fd);

}  // namespace sbpf::xrp
