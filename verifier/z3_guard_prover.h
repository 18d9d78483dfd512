// The Z3 guard prover (`--prove`), in its own library, sbpf_verifier_prover,
// so that only programs which prove link Z3: pass make_z3_guard_prover as
// verifier::Options::prover. The sbpf command loads the same code as a
// module (sbpf-prover.so) when --prove is given.
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

#include <memory>

#include "verifier/verifier.h"

namespace sbpf::verifier {

std::unique_ptr<GuardProver> make_z3_guard_prover(const ProverInput& input);

}  // namespace sbpf::verifier
