#include "tools/prover_module.h"

#include "tools/command_line.h"
#include "tools/shared_module.h"
#include "verifier/guard_prover.h"

namespace sbpf::tools {

verifier::MakeGuardProver load_guard_prover() {
#if SBPF_WITH_Z3
  static const auto* module = static_cast<const verifier::ProverModule*>(open_shared_module(
      {"sbpf-prover.so", verifier::kProverModuleSymbol, "SBPF_PROVER_MODULE", "--prove"}));
  return module->make;
#else
  throw UsageError("--prove: this build of sbpf has no prover (it was built without Z3)");
#endif
}

}  // namespace sbpf::tools
