// Many XRP requests in flight: the io_uring-with-XRP shape, where each
// submission carries its function and its scratch buffer, and the request
// comes back once the function has set `done` or the request has failed.
// Both backends implement it over the one state machine (resubmission.h):
// the device model (model time) and real files through io_uring with
// O_DIRECT (wall time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "xrp_abi/resubmission.h"
#include "xrp_abi/sync_resubmission.h"

namespace sbpf::xrp {

struct XrpSubmission {
  XrpFunction* function = nullptr;  // must outlive the request
  XrpRequest request;               // the first read, the scratch, the read budget
  // read_xrp's `buf`: receives the first bytes of the last batch the
  // function ran on (the block it set `done` on). May be empty.
  std::span<uint8_t> buffer;
  uint64_t user_data = 0;           // returned in the completion
};

struct XrpCompletion {
  uint64_t user_data = 0;
  XrpOutcome outcome;
  // From submit() to the end of the request: model time on the model, wall
  // time on real files.
  uint64_t latency_ns = 0;
};

class XrpQueue {
 public:
  virtual ~XrpQueue() = default;

  // Starts a request. False, with nothing started, when capacity() requests
  // are in flight already. A request whose first read is bad completes
  // with its failure like any other.
  virtual bool submit(const XrpSubmission& submission) = 0;
  // Waits until at least `min` requests (capped at those in flight) have
  // ended that no earlier wait returned, and returns every such one.
  virtual std::vector<XrpCompletion> wait(size_t min = 1) = 0;

  virtual size_t in_flight() const = 0;
  virtual size_t capacity() const = 0;

  // Called for every read as it is issued, in order (for tracing, `sbpf
  // xrp run`): the submission's user_data and the read.
  using ReadObserver = std::function<void(uint64_t user_data, const BlockRead&)>;
  virtual void set_read_observer(ReadObserver observer) = 0;
};

// One request to its end on `queue`, synchronously: XRP's
// read_xrp(fd, buf, count, offset, bpf_fd, scratch), where the queue stands
// for the file and `function` for the program. The first read is
// buffer.size() bytes at `offset`. std::logic_error when the queue has
// requests in flight already (their completions would be this call's to
// take).
XrpOutcome read_xrp(XrpQueue& queue, std::span<uint8_t> buffer, uint64_t offset, XrpFunction& function,
                    std::span<uint8_t> scratch, uint64_t max_reads = kDefaultMaxReads);

}  // namespace sbpf::xrp
