// XRP requests run synchronously: the resubmission state machine
// (resubmission.h) driven by a loop that reads each block of a regular file
// as it is asked for, and the functions it runs (a loaded program, a native
// twin).
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
#include "xrp_abi/resubmission.h"
#include "xrp_abi/xrp_context.h"

namespace sbpf::xrp {

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

struct XrpOutcome {
  uint64_t reads = 0;  // reads issued, the first included
  std::optional<XrpFailure> failure;
  bool ok() const { return !failure.has_value(); }
};

// Runs `request` to its end with `read`, one read after another, through
// the state machine of resubmission.h.
XrpOutcome run_xrp_request(XrpFunction& function, const BlockReader& read, const XrpRequest& request);

// A BlockReader over a regular file (runtime::HostFile); the file stays open
// while the reader lives. Throws std::system_error ("path: reason").
BlockReader file_block_reader(const std::string& path);

}  // namespace sbpf::xrp
