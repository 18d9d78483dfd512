// XRP's resubmission engine, one request at a time, as a state machine that
// does no I/O itself: it says which reads to issue, takes their completions
// in any order, and once a batch has completed runs the function on it and
// says what comes next: more reads, the end of the request, or why it
// failed. Whatever does the I/O drives it: a synchronous loop over a file
// (sync_resubmission.h), a device model's completion handler, io_uring's
// completion loop.
//
// Fanout: every non-empty slot of `next_addr`/`size` is its own read, and the
// function runs again when all of them have completed. That run sees the
// blocks one after another in slot order (slot 0's bytes first), at
// `data`, so a function that asked for two 512-byte blocks finds the second
// at data + 512. XRP's prototype resubmitted one read per completion; a
// one-slot function sees exactly what it saw there.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/execution_result.h"
#include "xrp_abi/xrp_context.h"

namespace sbpf::xrp {

// One engine's way of running an XRP function once, on a completed batch.
class XrpFunction {
 public:
  virtual ~XrpFunction() = default;
  // `context` is filled (data, scratch, done = 0, no next read) and points at
  // `data` and `scratch`.
  virtual runtime::ExecutionResult invoke(Context& context, std::span<const uint8_t> data,
                                          std::span<uint8_t> scratch) = 0;
};

// XRP's prototype has no bound on resubmissions; its paper says one is
// needed. This is that per-request bound, by default.
inline constexpr uint64_t kDefaultMaxReads = 4096;

struct XrpRequest {
  uint64_t offset = 0;             // the first read, as read_xrp() takes it
  uint64_t size = kBlockBytes;
  std::span<uint8_t> scratch;      // kScratchBytes, shared with the function
  uint64_t max_reads = kDefaultMaxReads;
  std::optional<uint64_t> file_size;  // when known, every read must lie inside it
};

struct BlockRead {
  uint64_t offset = 0;
  uint64_t size = 0;
  bool operator==(const BlockRead&) const = default;
};

struct XrpFailure {
  // kStale: the file's layout changed under a read (metadata_digest.h); the
  // caller falls back to ordinary reads.
  enum class Kind { kAbort, kErrorReturn, kBadNextRead, kTooManyReads, kStale };
  Kind kind = Kind::kAbort;
  uint64_t hop = 0;                      // which batch's completion (0 = the first read's)
  std::optional<runtime::Abort> abort;  // kAbort
  std::string message;                   // the rest: what was wrong

  std::string describe() const;
};

// What the engine says after a completion.
struct XrpStep {
  enum class Kind { kWaiting, kRead, kDone, kFailed };
  Kind kind = Kind::kWaiting;
  std::vector<BlockRead> reads;         // kRead: the next batch, in slot order
  std::optional<XrpFailure> failure;    // kFailed
};

class XrpRequestState {
 public:
  // `function` and `request.scratch` must outlive the state. Throws
  // std::invalid_argument for a scratch of the wrong size.
  XrpRequestState(XrpFunction& function, const XrpRequest& request);

  // The first batch: the request's own read (checked like any other: a bad
  // one fails at once).
  XrpStep start();

  // Read `index` of the batch last returned has completed into `data` (its
  // size). kWaiting until the whole batch has; then the function runs.
  XrpStep complete(size_t index, std::span<const uint8_t> data);

  // Read `index` of the batch could not be done, or its data cannot be
  // trusted: the request fails with `kind` (kBadNextRead: past the end of
  // the file, an I/O error; kStale: the layout changed) and `reason`.
  XrpStep read_failed(size_t index, XrpFailure::Kind kind, const std::string& reason);

  uint64_t reads_issued() const { return reads_issued_; }
  // The blocks the function last ran on, in slot order (read_xrp's `buf`
  // takes its first bytes once the request is done).
  std::span<const uint8_t> last_data() const { return last_data_; }
  uint64_t hops() const { return hop_; }

 private:
  XrpStep fail(XrpFailure::Kind kind, std::string message);
  XrpStep issue(std::vector<BlockRead> batch);
  XrpStep run_function();

  XrpFunction& function_;
  XrpRequest request_;
  std::vector<BlockRead> batch_;
  std::vector<size_t> batch_offsets_;   // where each read's bytes start in data_
  std::vector<bool> completed_;
  size_t outstanding_ = 0;
  std::vector<uint8_t> data_;
  std::vector<uint8_t> last_data_;
  uint64_t reads_issued_ = 0;
  uint64_t hop_ = 0;
  bool finished_ = false;
};

}  // namespace sbpf::xrp
