// How the device model runs programs without knowing how: a port that
// runtime/ implements (verify the image, pick the engine, run it) and the
// model calls when a command asks for a program — a λ-read or λ-write on the
// device's cores, or a program execution command.
//
// The model depends on nothing, so it cannot name runtime/'s types: what
// crosses is bytes and counts. A run's time is not measured by whoever
// implements the port; it is the model's CorePool cost of the instructions
// and helper bytes the run reports, so results stay deterministic.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sbpf::device_model {

// One invocation's memory: the input the command brought (read-only), the
// output buffer, and a scratch area (XRP's 4,096 bytes; empty for λ).
struct Invocation {
  std::span<const std::uint8_t> input;
  std::span<std::uint8_t> output;
  std::span<std::uint8_t> scratch;
};

struct ExecutionOutcome {
  std::int64_t return_value = 0;       // a λ function's output size; an XRP function's verdict
  std::uint64_t instructions = 0;      // BPF instructions retired
  std::uint64_t helper_bytes = 0;      // bytes moved or compared by helpers
  std::optional<std::string> abort;    // why the run ended early (bounds, loop budget, helper…)
};

class ExecutionPort {
 public:
  virtual ~ExecutionPort() = default;

  // Takes a program image (isa/program_image.h's format) and verifies it; the
  // program's slot on success, the verifier's message on rejection.
  struct Download {
    std::optional<std::uint32_t> slot;
    std::string error;
  };
  virtual Download download(std::span<const std::uint8_t> image) = 0;
  // Runs the program in `slot` once.
  virtual ExecutionOutcome execute(std::uint32_t slot, const Invocation& invocation) = 0;
  // A λ-read's whole device side, for a port that reaches the namespace
  // itself — a device runtime in its own process, which reads the extents
  // of the metadata buffer (lambda_command_format.h) from the namespace's
  // file, as its firmware would, and runs `slot` on them into `output`.
  // nullopt: this port does not, and the device reads the extents and calls
  // execute().
  virtual std::optional<ExecutionOutcome> execute_lambda_read(std::uint32_t /*slot*/,
                                                              const std::string& /*namespace_path*/,
                                                              std::span<const std::uint8_t> /*metadata*/,
                                                              std::uint32_t /*extent_count*/,
                                                              std::span<std::uint8_t> /*output*/) {
    return std::nullopt;
  }
};

}  // namespace sbpf::device_model
