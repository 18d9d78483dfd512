// XRP over a real file: the io_uring backend of XrpQueue (xrp_queue.h).
//
// Each request's reads go to the ring as SQEs reading the file (O_DIRECT
// where it can, see direct_file.h) into buffers the queue allocated once;
// the completion loop in wait() reaps CQEs, hands each to the request's
// state machine (resubmission.h) and, when the function has asked for more,
// puts the next batch on the ring right there: that is the resubmission,
// from the completion loop in user space rather than from the NVMe
// completion handler in the kernel, so each hop still costs a trip through
// the kernel's read path but no trip through the caller.
//
// The metadata digest (fiemap_digest.h) guards every hop: the file's version
// is taken when the request starts, and after each read completes it is
// taken again, before the data reaches the function; a change fails the
// request as stale. A read the digest cannot translate (a hole, an unwritten
// or delayed extent) fails the same way, and so does a request started on a
// version that changed too recently to trust (changed_recently()). Stale
// requests are for the caller to run again by pread: run_xrp_with_fallback()
// does it, and vouches for that answer too, so that no wrong answer is ever
// returned while the file changes under the requests.
//
// What the checks cost: one fstat per submit and per completed read (XRP's
// kernel compares a counter instead), and a new FIEMAP, which flushes the
// file's dirty pages, at the first submit after the version has moved.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xrp_abi/direct_file.h"
#include "xrp_abi/fiemap_digest.h"
#include "xrp_abi/xrp_queue.h"

namespace sbpf::xrp {

struct UringXrpOptions {
  size_t capacity = 64;     // requests in flight
  // Submission queue entries; 0: enough for every request's widest batch
  // (capacity × 16), rounded up to a power of two. Reads beyond the ring's
  // room wait in the queue until completions make some.
  unsigned ring_depth = 0;
  uint64_t settle_ns = kDefaultSettleNs;  // see changed_recently()
};

class UringXrpQueue : public XrpQueue {
 public:
  // Opens `path` (DirectFile) and takes its digest. Throws std::system_error
  // ("path: reason") when the file cannot be opened, std::runtime_error when
  // the ring cannot be set up, std::invalid_argument for a capacity of 0.
  // Reads start at the next wait(): submit() only queues them.
  explicit UringXrpQueue(const std::string& path, const UringXrpOptions& options = {});
  ~UringXrpQueue() override;
  UringXrpQueue(const UringXrpQueue&) = delete;
  UringXrpQueue& operator=(const UringXrpQueue&) = delete;

  bool submit(const XrpSubmission& submission) override;
  std::vector<XrpCompletion> wait(size_t min = 1) override;
  size_t in_flight() const override { return in_flight_; }
  size_t capacity() const override { return slots_.size(); }

  DirectFile& file() { return file_; }
  const UringXrpOptions& options() const { return options_; }
  // The digest requests start on now; taken again whenever the file's
  // version has moved on.
  const FiemapDigest& digest() const { return digest_; }
  uint64_t digests_taken() const { return digests_taken_; }

  void set_read_observer(ReadObserver observer) override { observer_ = std::move(observer); }

 private:
  struct Slot {
    std::optional<XrpRequestState> state;
    XrpSubmission submission;
    FileVersion version;            // the request's, taken at submit
    uint64_t started_ns = 0;
    uint64_t ended_ns = 0;
    std::vector<BlockRead> batch;   // the reads of the current hop
    size_t reads_outstanding = 0;   // of the batch: waiting for the ring, or on it
    std::optional<XrpStep> end;     // kDone or kFailed once the request has ended
    uint8_t* buffers = nullptr;     // kMaxFanout × kMaxReadBytes, 4096-aligned
  };
  struct PendingRead {
    uint32_t slot;
    uint32_t index;
  };

  void follow(uint32_t slot, XrpStep step);
  void queue_batch(uint32_t slot);
  void push_pending();
  void reap(const io_uring_cqe& cqe);
  void finish_if_quiet(uint32_t slot);
  void refresh_digest_if_moved(const FileVersion& now);

  DirectFile file_;
  UringXrpOptions options_;
  io_uring ring_{};
  unsigned ring_depth_ = 0;
  FiemapDigest digest_;
  uint64_t digests_taken_ = 0;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  size_t in_flight_ = 0;
  size_t reads_in_kernel_ = 0;  // SQEs whose CQE has not come back
  // Reads waiting for room on the ring: a fixed ring of capacity × 16.
  std::vector<PendingRead> pending_;
  size_t pending_head_ = 0;
  size_t pending_count_ = 0;
  std::vector<XrpCompletion> ended_;
  std::function<void(uint64_t, const BlockRead&)> observer_;
};

// One request to its end, the way an XRP caller runs it: through `queue`
// (read_xrp: the queue must be idle) and, when that fails as stale, again
// from the start by pread (run_xrp_by_pread, with the queue's settle window)
// with the scratch buffer as it was on entry. The outcome's reads count both runs. A failure other than
// stale is the function's own answer and is returned as it is.
struct FallbackOutcome {
  XrpOutcome outcome;
  bool fell_back = false;
  std::optional<XrpFailure> stale;  // why the XRP run did not count
};
FallbackOutcome run_xrp_with_fallback(UringXrpQueue& queue, XrpFunction& function, const XrpRequest& request,
                                      std::span<uint8_t> buffer = {});

}  // namespace sbpf::xrp
