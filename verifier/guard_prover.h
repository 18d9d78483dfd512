// `--prove`: each access the abstract interpretation could only guard goes
// to Z3 with what the analysis knows around it, and loses its guard when
// Z3 shows it in bounds on every path.
//
// The question for a guarded access at pc in function f: is there a path
// from f's entry to pc along which the access leaves its region? Paths are
// encoded over f's graph without the edges that close loops, which leaves
// an acyclic graph: a block's registers are if-then-else terms over its
// predecessors' and the path condition says which applies. A loop is
// summarised at its head. A register that every trip around the loop moves
// by the same constant k (an induction variable) holds its value on entry
// to the loop plus n·k, with one trip count n per loop shared by all of
// them: that is the affine relation `p = base + 8·i` that difference bounds
// cannot express. Every other register at a head is a fresh value. After a
// trip, the jump that closed it was taken: its condition holds over the
// registers one trip earlier. And no loop runs more trips than the loop
// budget allows, which keeps induction variables from wrapping around.
//
// What the encoding does not model (loads, calls, operations on pointers
// other than moving them by a number) also gives fresh values, and fresh
// values are bound by the abstract state the checking pass recorded at that
// point, which holds on every path. So the encoding over-approximates the
// function's executions, and an unsatisfiable query is a proof. A query Z3
// does not settle in time keeps its guard.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "isa/program.h"
#include "verifier/abstract_state.h"
#include "isa/control_flow.h"

namespace sbpf::verifier {

// What the checking pass knows before one instruction, joined over every
// call context that reaches it.
struct PointFacts {
  std::array<Value, 11> regs;
  DifferenceBounds relations;
};

class GuardProver {
 public:
  // `facts` per pc, null where the checking pass never came (code the
  // analysis shows unreachable). `loop_budget` bounds every loop's trips:
  // a free loop's by proof, a counted one's by its run-time counter.
  GuardProver(const isa::Program& program, const isa::ProgramGraph& graph, const RegionTable& regions,
              const std::vector<std::unique_ptr<PointFacts>>& facts, uint64_t loop_budget, unsigned timeout_ms);
  ~GuardProver();
  GuardProver(const GuardProver&) = delete;
  GuardProver& operator=(const GuardProver&) = delete;

  enum class Verdict : uint8_t {
    kInBounds,   // Z3 proved it: the guard can go
    kUnproven,   // a path may leave the region, or the encoding cannot say
    kTimeout,    // Z3 gave up within the time budget
  };
  // The guarded load, store or atomic at `pc`.
  Verdict prove(size_t pc);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // keeps Z3 out of the header
};

}  // namespace sbpf::verifier
