// The reference interpreter: RFC 9669 semantics, bit for bit. The JITs must
// agree with it. With the verifier's annotations it runs a proven access
// unchecked, checks a guarded one against the regions it may touch, and
// counts only the backward jumps of loops not proven bounded; without them it
// checks every memory access against all of the invocation's regions and
// counts every backward jump. In paranoid mode it does the latter even for an
// annotated program and reports what the verifier got wrong.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "isa/program.h"
#include "runtime/engine.h"
#include "runtime/execution_result.h"
#include "runtime/helper_registry.h"
#include "runtime/invocation.h"
#include "runtime/region.h"
#include "verifier/annotations.h"

namespace sbpf::runtime {

// The program cannot be run by this engine (for example, it refers to maps).
class UnsupportedProgram : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct InterpreterOptions {
  // The verifier's annotations of the program, one entry per pc; they must
  // outlive the Interpreter. nullptr: check every access and count every
  // backward jump (a program that was never verified).
  const verifier::Annotations* annotations = nullptr;
  // Check every access and count every backward jump even when annotated, and
  // end with AbortKind::kVerifierBug when a proven access is out of bounds or
  // a loop proven bounded outruns the budget: the oracle the differential
  // fuzzers hold the verifier to. Needs annotations.
  bool paranoid = false;
  // Count the instructions retired and the helpers' bytes into the result
  // (ExecutionResult::instructions), for the device model's timing. A
  // separate instantiation of the dispatch loop: an unmetered run pays
  // nothing for it.
  bool metered = false;
};

class Interpreter : public Engine {
 public:
  // Keeps references to `program` and `helpers`; both must outlive it.
  // Throws UnsupportedProgram for `lddw` forms that need a kernel (maps,
  // kernel variables, code addresses), std::invalid_argument for paranoid
  // mode without annotations or annotations of another length than the
  // program. Annotations are trusted: a wrong `proven` lets the program
  // touch any host memory, unless paranoid.
  Interpreter(const isa::Program& program, const HelperRegistry& helpers, InterpreterOptions options = {});
  ~Interpreter();

  // Runs one invocation. Global data (.data/.bss) persists between runs of
  // the same Interpreter, as BPF global data does between invocations.
  // Not reentrant: one thread per Interpreter. Throws std::invalid_argument
  // when the invocation's loop budget exceeds the annotations' maximum.
  ExecutionResult run(Invocation& invocation) override;

 private:
  template <bool kMetered>
  ExecutionResult run_with(Invocation& invocation);

  const isa::Program& program_;
  const HelperRegistry& helpers_;
  std::vector<const Helper*> helper_at_;  // per pc: the helper a call names (nullptr if unknown)
  std::vector<uint64_t> lddw_value_;      // per pc: the constant or address an lddw loads
  std::vector<std::vector<uint8_t>> sections_;  // this instance's copy of the global data

  // Per pc, the annotations in the form the dispatch loop reads them; empty
  // when the program is not annotated.
  struct PcPlan {
    uint8_t flags = 0;       // kProvenAccess, kFreeBackEdge (interpreter.cpp)
    RegionSet regions = 0;   // what an access that is not proven is checked against
    // As large as an instruction, so that `plans + (ip - code)` is one
    // subtraction and one addition, not a division by 12 and a multiplication.
    uint8_t padding[8] = {};
  };
  static_assert(sizeof(PcPlan) == sizeof(isa::Instruction));
  std::vector<PcPlan> plans_;
  uint64_t max_loop_budget_ = UINT64_MAX;  // the annotations' (Annotations::max_loop_budget)
  bool paranoid_ = false;
  bool metered_ = false;
  bool has_pointer_slots_ = false;  // some global data holds an address (isa::DataPointer)
  // Paranoid mode, per pc: the guarded accesses' ranges against another
  // register, which the JIT relies on; empty when there are none.
  std::vector<verifier::RelativeRange> relative_;
};

}  // namespace sbpf::runtime
