// The device build's prover, until the Z3 prover leaves the verifier for a
// library of its own: the device has no Z3 and proves nothing (`--prove` is
// a host option), so every guard the abstract interpretation left stays.
#include "verifier/guard_prover.h"

namespace sbpf::verifier {

struct GuardProver::Impl {};

GuardProver::GuardProver(const isa::Program&, const isa::ProgramGraph&, const RegionTable&,
                         const std::vector<std::unique_ptr<PointFacts>>&, uint64_t, unsigned) {}

GuardProver::~GuardProver() = default;

GuardProver::Verdict GuardProver::prove(size_t) { return Verdict::kUnproven; }

}  // namespace sbpf::verifier
