// The flags of the commands that load a program, parsed once per command
// into the front door's options (runtime/loaded_program.h), with the same
// meaning and the same messages everywhere:
//
//   --loop-budget N      backward jumps per invocation in counted loops
//   --no-verify          run unverified: every access checked, every jump counted
//   --prove              the Z3 prover removes the guards it can (its module is
//                        opened only then: tools/prover_module.h)
//   --prove-timeout MS   Z3's time per guard, with --prove
//   --engine E           interp, jit or auto (the JIT where the host has one)
//   --blind              the JIT blinds the program's constants
//
// A command takes the ones its CommandLine lists; the rest keep `defaults`.
#pragma once

#include "runtime/loaded_program.h"
#include "tools/command_line.h"

namespace sbpf::tools {

runtime::LoadOptions parse_load_options(const CommandLine& cl, runtime::LoadOptions defaults = {});

}  // namespace sbpf::tools
