// `--prove` in the sbpf command: the Z3 prover is a module (sbpf-prover.so)
// opened on demand, so that a command which does not prove never loads Z3.
#pragma once

#include "verifier/verifier.h"

namespace sbpf::tools {

// Opens the prover module, once per process, and returns its prover. It is
// looked for in $SBPF_PROVER_MODULE when that is set, else next to the sbpf
// executable (the build tree) and in LIBDIR/sbpf beside its BINDIR (an
// installation). A UsageError (exit 2) when this build has no prover, or
// the module is missing, does not load or comes from another build.
verifier::MakeGuardProver load_guard_prover();

}  // namespace sbpf::tools
