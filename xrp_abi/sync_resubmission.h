// A synchronous stand-in for XRP's resubmission engine: reads a block of a
// regular file, runs the XRP function on it, and issues the read it asks for
// next, until it sets `done`. The real engine (resubmission from the NVMe
// completion path) replaces the loop, not the contract.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "isa/program.h"
#include "runtime/execution_result.h"
#include "runtime/loaded_program.h"
#include "xrp_abi/xrp_context.h"

namespace sbpf::xrp {

// One engine's way of running an XRP function once, on a completed read.
class XrpFunction {
 public:
  virtual ~XrpFunction() = default;
  // `context` is filled (data, scratch, done = 0, no next read) and points at
  // `data` and `scratch`.
  virtual runtime::ExecutionResult invoke(Context& context, std::span<const uint8_t> data,
                                          std::span<uint8_t> scratch) = 0;
};

// A loaded program (runtime/loaded_program.h) on its engine. The data
// block is read-only, scratch and the context's scalar fields are writable.
class BytecodeXrp : public XrpFunction {
 public:
  // `program` must have loaded with an engine (ok()) and outlive this.
  explicit BytecodeXrp(runtime::LoadedProgram& program);
  runtime::ExecutionResult invoke(Context& context, std::span<const uint8_t> data,
                                  std::span<uint8_t> scratch) override;

 private:
  runtime::LoadedProgram& program_;
};

// A native twin, called directly (the reference, not a sandbox).
class NativeXrp : public XrpFunction {
 public:
  using Entry = unsigned (*)(Context*);
  explicit NativeXrp(Entry entry) : entry_(entry) {}
  runtime::ExecutionResult invoke(Context& context, std::span<const uint8_t> data,
                                  std::span<uint8_t> scratch) override;

 private:
  Entry entry_;
};

// Reads `bytes.size()` bytes at `offset`; returns false at the end of the file.
// Throws std::runtime_error (or std::system_error) on I/O errors.
using BlockReader = std::function<bool(uint64_t offset, std::span<uint8_t> bytes)>;

// XRP's prototype has no bound on resubmissions; its paper says one is
// needed. This is that per-request bound, by default.
inline constexpr uint64_t kDefaultMaxReads = 4096;

struct XrpRequest {
  uint64_t offset = 0;             // the first read, as read_xrp() takes it
  uint64_t size = kBlockBytes;
  std::span<uint8_t> scratch;      // kScratchBytes, shared with the function
  uint64_t max_reads = kDefaultMaxReads;
};

struct XrpFailure {
  enum class Kind { kAbort, kErrorReturn, kBadNextRead, kTooManyReads };
  Kind kind = Kind::kAbort;
  uint64_t read = 0;                     // which read's completion (0 = the first)
  std::optional<runtime::Abort> abort;  // kAbort
  std::string message;                   // the rest: what was wrong

  std::string describe() const;
};

struct XrpOutcome {
  uint64_t reads = 0;  // reads issued, the first included
  std::optional<XrpFailure> failure;
  bool ok() const { return !failure.has_value(); }
};

// Reads and sizes must be multiples of kBlockBytes, at most kMaxReadBytes
// (xrp_context.h), and one slot at a time (the prototype's limit).

XrpOutcome run_xrp_request(XrpFunction& function, const BlockReader& read, const XrpRequest& request);

// A BlockReader over a regular file (runtime::HostFile); the file stays open
// while the reader lives. Throws std::system_error ("path: reason").
BlockReader file_block_reader(const std::string& path);

}  // namespace sbpf::xrp
