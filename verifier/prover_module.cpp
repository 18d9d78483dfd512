// sbpf-prover.so: the Z3 guard prover as a module that the sbpf command
// opens when --prove is given, so that no other command loads Z3. What it
// calls in isa/ and verifier/ it finds in the command, which exports those
// symbols; only the entry point below leaves the module.
#include "verifier/guard_prover.h"
#include "verifier/z3_guard_prover.h"

extern "C" __attribute__((visibility("default"))) const sbpf::verifier::ProverModule sbpf_prover_module = {
    SBPF_VERSION, sbpf::verifier::make_z3_guard_prover};
