// Turns a path on the command line into a Program, and a run-time abort into
// a clang-style diagnostic.
#pragma once

#include <string>

#include "isa/program.h"
#include "runtime/execution_result.h"

namespace sbpf::tools {

// A BPF ELF object (by its magic), assembly text (`.s`, `.asm`) or raw
// bytecode (anything else). Every load failure becomes a UsageError whose
// message names the file: the caller exits 2.
isa::Program load_program_file(const std::string& path, const std::string& section = "");

// `file:line:col: error: <kind>: <message>`, then the source line when the
// program has line info, then the pc and instruction.
std::string format_abort(const isa::Program& program, const runtime::Abort& abort, const std::string& path);

// The program type the program announces (verifier::program_type_for):
// "lambda", "xrp", or "" when it announces none.
std::string program_type_name(const isa::Program& program);

}  // namespace sbpf::tools
