// The check of one compiled program against its native twin's output: load
// the BPF object, verify it (and again with --prove), then run it on every
// engine, which must each write the twin's checksum.
//
//   interpreter (paranoid)          the verifier's annotations, every access checked anyway
//   interpreter (paranoid, prove)   the same with the annotations after --prove
//   jit                             the verifier's annotations
//   jit --prove                     the annotations after --prove
//   jit --no-verify                 no annotations: everything checked and counted
//
// It runs in a child process (child_process.h) and reports line by line, so
// that a crash or a hang still says which stage it was in:
//
//   stage NAME              what runs next
//   stat NAME VALUE         instructions, guards, ...
//   oracle EXPECTATION      what the paranoid interpreter gave (csmith_corpus.h)
//   verdict KIND\tREASON\tDETAIL   the last line
//
// KIND is `agreed`, `verified` (no engine was run: the twin had no result),
// `budget` (an engine ran out of loop budget, the others agreed),
// `rejected` (REASON is why, as a category to count) or `bug`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "isa/machine_limits.h"
#include "tests/csmith/child_process.h"

namespace sbpf::csmith {

struct AgreementCheck {
  std::string object;  // the BPF object
  // The native twin's output; nullopt: verify only.
  std::optional<std::vector<uint8_t>> expected;
  // Also verify with --prove, and run the engines that use its annotations.
  bool prove = true;
  unsigned prove_timeout_ms = 1000;
  // What the verifier proves against and each engine's invocation gets.
  uint64_t loop_budget = isa::kDefaultLoopBudget;
  // Non-empty: once the program verifies, write its image here (for the
  // device's corpus, csmith_corpus.h).
  std::string image;
};

// In the child: does the check, writing the lines above.
void check_agreement(const AgreementCheck& check, const ChildWriter& write);

// In the parent: what the lines said.
struct AgreementReport {
  std::string kind;    // as in the verdict line; empty when it never came
  std::string reason;
  std::string detail;
  std::string last_stage;
  std::string oracle;  // the oracle line's EXPECTATION; empty when it never came
  std::map<std::string, std::string> stats;
};
AgreementReport parse_agreement(const std::string& child_output);

}  // namespace sbpf::csmith
