// How an invocation ends: a return value, or a typed abort at a pc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "isa/machine_limits.h"
#include "isa/program.h"

namespace sbpf::runtime {

enum class AbortKind : uint8_t {
  kBounds,         // an access outside every region (or without permission)
  kMisaligned,     // an atomic access that is not naturally aligned
  kLoopBudget,     // the per-invocation back-edge budget ran out
  kStackOverflow,  // a local call deeper than the frame limit
  kHelper,         // an unknown helper, or a helper that rejected its arguments
  kVerifierBug,    // paranoid mode: something the verifier proved turned out false
};

const char* abort_kind_name(AbortKind kind);

struct Abort {
  AbortKind kind = AbortKind::kBounds;
  size_t pc = 0;
  std::string message;  // what broke the rule, with the values involved
};

// The abort as a clang-style diagnostic (isa/diagnostic.h): `file:line:col:
// error: KIND: MESSAGE`, the source line, the pc and instruction; `path`
// names the program where it has no line info.
std::string format_abort(const isa::Program& program, const Abort& abort, std::string_view path);

struct ExecutionResult {
  uint64_t r0 = 0;
  std::optional<Abort> abort;
  // A metered run's work (InterpreterOptions::metered), which the device
  // model turns into time: the instructions it retired (an lddw counts once,
  // an aborting instruction too) and the bytes its helpers moved or compared
  // (Helper::length_argument). Both 0 when the engine does not meter.
  uint64_t instructions = 0;
  uint64_t helper_bytes = 0;

  bool ok() const { return !abort.has_value(); }
};

using isa::kDefaultLoopBudget;

}  // namespace sbpf::runtime
