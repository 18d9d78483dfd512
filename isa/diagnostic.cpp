#include "isa/diagnostic.h"

#include "isa/disassembler.h"

namespace sbpf::isa {

std::string format_error_at(const Program& program, size_t pc, std::string_view fallback_path,
                            std::string_view message) {
  const LineInfo* line = program.line_for(pc);
  std::string out;
  if (line != nullptr) {
    out = line->file + ":" + std::to_string(line->line) + ":" + std::to_string(line->column);
  } else {
    out = fallback_path;
  }
  out += ": error: ";
  out += message;
  out += "\n";
  if (line != nullptr && !line->source.empty()) out += "  " + std::to_string(line->line) + " | " + line->source + "\n";
  if (pc < program.size()) out += "note: at pc " + std::to_string(pc) + ": " + disassemble_instruction(program, pc) + "\n";
  return out;
}

}  // namespace sbpf::isa
