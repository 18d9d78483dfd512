// The analysis's side of `--prove`: the facts the checking pass leaves for
// the prover, and the pass that hands it every guard that remains.
#include <memory>

#include "verifier/analyzer.h"

namespace sbpf::verifier {

void Analyzer::note_facts(size_t pc, const AbstractState& s) {
  std::unique_ptr<PointFacts>& f = point_facts_[pc];
  if (!f) {
    f = std::make_unique<PointFacts>(PointFacts{s.top().regs, s.relations});
    return;
  }
  // Another call context: what holds in both.
  for (size_t r = 0; r < f->regs.size(); ++r) f->regs[r] = join(f->regs[r], s.top().regs[r], regions_.stack);
  f->relations.join_with(s.relations);
}

void Analyzer::prove_guards() {
  std::unique_ptr<GuardProver> prover;  // a solver costs milliseconds to set up: only when a guard needs one
  for (size_t pc = 0; pc < program_.size(); ++pc) {
    AccessAnnotation& a = result_.annotations.access[pc];
    // A guard that keeps an access off the addresses in global data stays,
    // in bounds or not.
    if (a.check != AccessCheck::kGuarded || off_slots_[pc] || (slot_guard_[pc] & 1) != 0) continue;
    if (!prover)
      prover = options_.prover({program_, graph_, regions_, point_facts_, options_.loop_budget, options_.prove_timeout_ms});
    switch (prover->prove(pc)) {
      case GuardProver::Verdict::kInBounds:
        a.check = AccessCheck::kProven;
        ++result_.statistics.guards_removed;
        result_.annotations.max_loop_budget = options_.loop_budget;  // the proof bounds trips by it
        break;
      case GuardProver::Verdict::kTimeout: ++result_.statistics.prover_timeouts; break;
      case GuardProver::Verdict::kUnproven: break;
    }
  }
  point_facts_.clear();
}

}  // namespace sbpf::verifier
