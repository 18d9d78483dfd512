// The device build has no Z3: `--prove` finds no guard to remove, and every
// guarded access keeps its check. Links in place of verifier/guard_prover.cpp.
#include "verifier/guard_prover.h"

namespace sbpf::verifier {

struct GuardProver::Impl {};

GuardProver::GuardProver(const isa::Program&, const isa::ProgramGraph&, const RegionTable&,
                         const std::vector<std::unique_ptr<PointFacts>>&, uint64_t, unsigned) {}
GuardProver::~GuardProver() = default;
GuardProver::Verdict GuardProver::prove(size_t) { return Verdict::kUnproven; }

}  // namespace sbpf::verifier
