// Disassembler to the assembler's syntax (see isa/assembler.h):
// assemble(disassemble(p)) encodes to the same bytes as p, with the same data
// sections (printed first, as `.rodata`/`.data`/`.bss` directives).
#pragma once

#include <string>
#include <vector>

#include "isa/program.h"

namespace sbpf::isa {

struct DisassemblyOptions {
  bool show_pc = false;          // end each instruction line with a `# pc N` comment
  bool show_source = true;       // interleave line info as `# file:line: text` comments
  // Per pc, a note for the instruction's comment (the verifier's annotation
  // under `sbpf disasm --annotate`); empty strings add nothing.
  const std::vector<std::string>* notes = nullptr;
};

// One instruction (the one at `pc`), jump targets written as labels
// `L<pc>` / function names, as disassemble() prints them. No indentation,
// no comments. Throws std::out_of_range for a pc past the end.
std::string disassemble_instruction(const Program& program, size_t pc);

// The whole program: function entries as `name:` labels (a name the
// assembler cannot read back becomes `L<pc>`; the entry gets a label only
// when it has a usable name or is referred to), jump targets as `L<pc>:`
// labels, one indented instruction per line.
std::string disassemble(const Program& program, const DisassemblyOptions& options = {});

}  // namespace sbpf::isa
