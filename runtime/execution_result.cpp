#include "runtime/execution_result.h"

namespace sbpf::runtime {

const char* abort_kind_name(AbortKind kind) {
  switch (kind) {
    case AbortKind::kBounds: return "bounds";
    case AbortKind::kMisaligned: return "misaligned";
    case AbortKind::kLoopBudget: return "loop_budget";
    case AbortKind::kStackOverflow: return "stack_overflow";
    case AbortKind::kHelper: return "helper";
    case AbortKind::kVerifierBug: return "verifier_bug";
  }
  return "?";
}

}  // namespace sbpf::runtime
