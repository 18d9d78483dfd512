// How an invocation ends: a return value, or a typed abort at a pc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "isa/machine_limits.h"

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

struct ExecutionResult {
  uint64_t r0 = 0;
  std::optional<Abort> abort;

  bool ok() const { return !abort.has_value(); }
};

using isa::kDefaultLoopBudget;

}  // namespace sbpf::runtime
