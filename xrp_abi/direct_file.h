// A file opened for XRP's reads: O_DIRECT where the file system takes it
// for 512-byte blocks, as read_xrp's file is in XRP, else buffered, and
// the one place that says which. Also the synchronous pread path over it:
// one pread per hop, which is both what a stale XRP request falls back to
// and the baseline XRP is measured against.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "xrp_abi/fiemap_digest.h"
#include "xrp_abi/sync_resubmission.h"

namespace sbpf::xrp {

class DirectFile {
 public:
  // Opens `path` read-only. O_DIRECT is tried first and kept when a
  // 512-byte read at offset 0 works with it; when open or that read fails
  // with EINVAL (tmpfs has no O_DIRECT; a device with 4096-byte logical
  // blocks refuses 512-byte direct reads) the file is opened buffered and
  // buffered_reason() says why. Throws std::system_error ("path: reason").
  explicit DirectFile(const std::string& path);
  ~DirectFile();
  DirectFile(const DirectFile&) = delete;
  DirectFile& operator=(const DirectFile&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  bool direct() const { return buffered_reason_.empty(); }
  const std::string& buffered_reason() const { return buffered_reason_; }

  FileVersion version() const { return file_version(fd_); }

  // Fills `bytes` (any alignment: it goes through an aligned bounce buffer)
  // from `offset`, a multiple of 512 bytes of at most kMaxReadBytes; false
  // when the file ends first. Throws std::system_error on an I/O error.
  bool read_block(uint64_t offset, std::span<uint8_t> bytes);

 private:
  std::string path_;
  int fd_ = -1;
  std::string buffered_reason_;
  uint8_t* bounce_ = nullptr;  // kMaxReadBytes, 4096-aligned
};

// How a request run by pread knows it saw one version of the file.
struct PreadValidation {
  uint64_t settle_ns = kDefaultSettleNs;  // see changed_recently()
  int attempts = 8;                       // runs before giving up
  uint64_t retry_pause_ns = 5'000'000;    // between them
};

// Runs `request` to its end on `file` by pread, one hop after another,
// like run_xrp_request, and vouches for the answer: the file's version is
// taken before the first read and must be settled (not changed within
// settle_ns) and the same after the function's last run. Otherwise the
// run's answer is dropped, the scratch buffer is restored to what it held
// on entry, and the request runs again, up to `attempts` times; after that
// it fails as stale ("the file kept changing"). Failures of the function
// itself (an abort, an error return, a bad read) are answers too, and are
// vouched for in the same way. `buffer`, as read_xrp's, takes the first
// bytes of the blocks the function set done on.
XrpOutcome run_xrp_by_pread(DirectFile& file, XrpFunction& function, const XrpRequest& request,
                            const PreadValidation& validation = {}, std::span<uint8_t> buffer = {});

// A BlockReader over `file` (read_block), for run_xrp_request: the pread
// path without the version checks. `file` must outlive it.
BlockReader direct_block_reader(DirectFile& file);

}  // namespace sbpf::xrp
