// The parts of the sbpf command that only some invocations need are shared
// modules, opened the first time they are needed, so that every other
// command starts without loading them: Z3 for --prove (sbpf-prover.so,
// prover_module.h) and LLVM's disassemblers for `jit --dump`
// (sbpf-disassembler.so, disassembler_module.h). Loaded into the process,
// either would cost each command milliseconds of relocations and static
// initialisers.
#pragma once

namespace sbpf::tools {

struct SharedModule {
  const char* file;         // "sbpf-prover.so"
  const char* symbol;       // the entry: a struct whose first member is the sbpf version it was built from
  const char* environment;  // a variable naming the module's path, which wins over the search
  const char* needed_for;   // "--prove", for messages
};

// The address of the module's entry. The module is looked for at
// $environment when that is set, else next to the executable (the build
// tree) and in LIBDIR/sbpf beside its BINDIR (an installation), and stays
// loaded until the process ends. A UsageError (exit 2) when it is missing,
// does not load, has no entry, or comes from another version of sbpf.
const void* open_shared_module(const SharedModule& module);

}  // namespace sbpf::tools
