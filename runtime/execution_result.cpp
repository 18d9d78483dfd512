#include "runtime/execution_result.h"

#include "isa/diagnostic.h"

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

std::string format_abort(const isa::Program& program, const Abort& abort, std::string_view path) {
  return isa::format_error_at(program, abort.pc, path, std::string(abort_kind_name(abort.kind)) + ": " + abort.message);
}

}  // namespace sbpf::runtime
