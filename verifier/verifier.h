// The sBPF verifier: proves what it can about a program and guards the rest.
//
//   verify(program, type, options) -> VerificationResult
//
// An accepted program can never touch memory outside its regions, run
// forever, or hand a host pointer to its caller: every memory access is either
// proven in bounds or guarded at run time, and every backward jump either
// belongs to a loop proven to end within the budget or counts against it.
// No global state: verify() may run on several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isa/machine_limits.h"
#include "isa/program.h"
#include "verifier/annotations.h"
#include "verifier/program_type.h"

namespace sbpf::verifier {

// `--prove`'s prover (guard_prover.h), built for one program. The verifier
// does not depend on a solver: a caller that proves passes one, such as
// make_z3_guard_prover (z3_guard_prover.h, library sbpf_verifier_prover).
class GuardProver;
struct ProverInput;
using MakeGuardProver = std::unique_ptr<GuardProver> (*)(const ProverInput&);

struct Options {
  // Back-jumps one invocation may take across counted loops (λ-IO's value).
  uint64_t loop_budget = isa::kDefaultLoopBudget;
  // Reject what would need a guard or a counter: kernel-like behaviour.
  bool strict = false;
  // Record the abstract state before every instruction (for `-v`).
  bool trace = false;
  // Hand each guard that remains to this prover and drop the ones it
  // proves unnecessary (null: keep them all); each query gets
  // prove_timeout_ms milliseconds.
  MakeGuardProver prover = nullptr;
  unsigned prove_timeout_ms = 1000;
};

// Which safety rule a rejection broke. Stable names (rule_name) appear in
// JSON and SARIF reports.
enum class Rule : uint8_t {
  kMalformed,         // the code cannot be analysed (unreachable code, a call too deep, …)
  kUninitialized,     // read of an uninitialised register or stack byte
  kScalarDereference, // a scalar used as a pointer
  kOutOfBounds,       // an access that is out of bounds on every path, or in --strict mode guarded
  kReadOnly,          // write to input, rodata or a read-only ctx field
  kPointerLeak,       // a host pointer stored where the caller can read it, or turned into a number
  kHelperArgument,    // a helper call whose arguments do not match its signature
  kReturnValue,       // r0 not a scalar at exit
  kStackLimit,        // stack beyond 512 bytes per frame, or too many frames
  kUnboundedLoop,     // in --strict mode: a loop not proven to end
};
const char* rule_name(Rule rule);

struct Diagnostic {
  size_t pc = 0;
  Rule rule = Rule::kMalformed;
  std::string message;  // the instruction and the value that broke the rule
};

struct Statistics {
  size_t instructions = 0;
  size_t accesses_proven = 0;
  size_t accesses_guarded = 0;
  size_t accesses_unreached = 0;  // on no path the analysis found: checked all the same
  size_t guards_removed = 0;      // --prove: accesses Z3 proved (counted in accesses_proven)
  size_t prover_timeouts = 0;     // --prove: queries Z3 did not settle in time
  size_t back_edges_free = 0;
  size_t back_edges_counted = 0;
  size_t states_visited = 0;  // block visits by the fixpoint iteration
  double seconds = 0;
};

struct VerificationResult {
  bool accepted = false;
  Annotations annotations;              // filled when accepted
  std::vector<Diagnostic> diagnostics;  // why it was rejected (the first error comes first)
  Statistics statistics;
  std::vector<std::string> trace;       // per pc, the state before it (Options::trace)
};

VerificationResult verify(const isa::Program& program, const ProgramType& type, const Options& options = {});

}  // namespace sbpf::verifier
