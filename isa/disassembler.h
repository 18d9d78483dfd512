// Disassembler to the assembler's syntax: assemble(disassemble(p)) encodes
// to the same bytes as p.
#pragma once

#include <string>

#include "isa/program.h"

namespace sbpf::isa {

struct DisassemblyOptions {
  bool show_pc = false;          // prefix each line with `# pc:` comment column
  bool show_source = true;       // interleave BTF source lines as `# file:line: text` comments
};

// One instruction (the one at `pc`), jump targets written as labels
// `L<pc>` / function names, as disassemble() prints them.
std::string disassemble_instruction(const Program& program, size_t pc);

// The whole program: function entries as `name:` labels, jump targets as
// `L<pc>:` labels, one instruction per line.
std::string disassemble(const Program& program, const DisassemblyOptions& options = {});

}  // namespace sbpf::isa
