// `--prove`: each access the abstract interpretation could only guard goes
// to a prover with what the analysis knows around it, and loses its guard
// when the prover shows it in bounds on every path. This header is the
// narrow interface between the two: the verifier needs no solver, and the
// one prover sbpf has, over Z3 (z3_guard_prover.h), is a library of its own
// that only a program which proves links or loads.
//
// A prover may answer kInBounds only when no execution of the program
// leaves the region at that access; anything it cannot settle keeps its
// guard.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "isa/control_flow.h"
#include "isa/program.h"
#include "verifier/abstract_state.h"
#include "verifier/verifier.h"

namespace sbpf::verifier {

// What the checking pass knows before one instruction, joined over every
// call context that reaches it.
struct PointFacts {
  std::array<Value, 11> regs;
  DifferenceBounds relations;
};

// Everything a prover is given; it holds on to the references while it lives.
struct ProverInput {
  const isa::Program& program;
  const isa::ProgramGraph& graph;
  const RegionTable& regions;
  // Per pc, null where the checking pass never came (code the analysis
  // shows unreachable).
  const std::vector<std::unique_ptr<PointFacts>>& facts;
  // Bounds every loop's trips: a free loop's by proof, a counted one's by
  // its run-time counter.
  uint64_t loop_budget;
  unsigned timeout_ms;  // per query
};

class GuardProver {
 public:
  virtual ~GuardProver() = default;

  enum class Verdict : uint8_t {
    kInBounds,   // proved: the guard can go
    kUnproven,   // a path may leave the region, or the encoding cannot say
    kTimeout,    // the solver gave up within the time budget
  };
  // The guarded load, store or atomic at `pc`.
  virtual Verdict prove(size_t pc) = 0;
};

// What a prover module (a shared object the sbpf command opens on --prove)
// exports under the C name kProverModuleSymbol. `abi` is the sbpf version
// it was built with: a module from another build is refused, since the
// types above cross the boundary as they are.
struct ProverModule {
  const char* abi;
  MakeGuardProver make;
};
inline constexpr const char* kProverModuleSymbol = "sbpf_prover_module";

}  // namespace sbpf::verifier
