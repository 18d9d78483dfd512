#include "tools/load_flags.h"

#include "tools/prover_module.h"

namespace sbpf::tools {

runtime::LoadOptions parse_load_options(const CommandLine& cl, runtime::LoadOptions options) {
  if (cl.has("--prove") && cl.has("--no-verify")) throw UsageError("--prove and --no-verify contradict each other");
  if (auto budget = cl.get_number("--loop-budget")) options.loop_budget = *budget;
  if (cl.has("--no-verify")) options.verify = false;
  if (auto ms = cl.get_number("--prove-timeout")) {
    if (!cl.has("--prove")) throw UsageError("--prove-timeout goes with --prove");
    if (*ms == 0 || *ms > 600000) throw UsageError("--prove-timeout must be 1..600000 milliseconds");
    options.prove_timeout_ms = static_cast<unsigned>(*ms);
  }
  if (cl.has("--engine")) options.engine = runtime::engine_named(cl.get_choice("--engine", {"interp", "jit", "auto"}, ""));
  if (cl.has("--blind")) options.blind_constants = true;
  // Last: a usage error above is reported without opening Z3.
  if (cl.has("--prove")) options.prover = load_guard_prover();
  return options;
}

}  // namespace sbpf::tools
