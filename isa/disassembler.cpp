#include "isa/disassembler.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/opcodes.h"

namespace sbpf::isa {

namespace {

// Mnemonics by the opcode's operation nibble; null where the class has no
// such operation (or it is printed by a special case).
constexpr const char* kAluNames[16] = {"add", "sub", "mul", "div", "or",   "and",   "lsh",   "rsh",
                                       "neg", "mod", "xor", "mov", "arsh", nullptr, nullptr, nullptr};
constexpr const char* kBranchNames[16] = {nullptr, "jeq", "jgt", "jge",  "jset", "jne",   "jsgt",  "jsge",
                                          nullptr, nullptr, "jlt", "jle", "jslt", "jsle", nullptr, nullptr};
// The pseudo forms of lddw by source register, as the assembler spells them.
constexpr const char* kLddwFormNames[] = {nullptr, "map_fd", "data", "btf_var", "code", "map_idx", "map_idx_value"};

std::string reg(unsigned r) { return "%r" + std::to_string(r); }

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Small values read best in decimal and keep their sign (`mov %r0, -1`);
// large ones as the hex bit pattern, which the assembler takes back to the
// same bits.
std::string imm_text(int32_t v) {
  if (v > -0x10000 && v < 0x10000) return std::to_string(v);
  return hex(static_cast<uint32_t>(v));
}

std::string imm64_text(uint64_t v) {
  auto s = static_cast<int64_t>(v);
  if (s > -0x10000 && s < 0x10000) return std::to_string(s);
  return hex(v);
}

std::string signed_text(int64_t v) { return (v < 0 ? "" : "+") + std::to_string(v); }

std::string size_suffix(uint8_t size) {
  switch (size) {
    case kSizeB: return "b";
    case kSizeH: return "h";
    case kSizeW: return "w";
    default: return "dw";
  }
}

std::string memory(uint8_t base, int16_t offset) {
  if (offset == 0) return "[" + reg(base) + "]";
  return "[" + reg(base) + signed_text(offset) + "]";
}

// The assembler's label syntax: [A-Za-z_][A-Za-z0-9_.$]*.
bool is_label_name(const std::string& s) {
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto rest = [&](char c) { return start(c) || (c >= '0' && c <= '9') || c == '.' || c == '$'; };
  return !s.empty() && start(s.front()) && std::all_of(s.begin(), s.end(), rest);
}

bool is_generated_name(const std::string& s) {
  return s.size() > 1 && s[0] == 'L' && std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Every jump and call target gets a label. A function entry uses the
// function's name when the assembler can read it back as the same label
// (a valid, unique name); every other target is `L<pc>`. Function names of
// that form are not used, so the two kinds never collide.
class Labels {
 public:
  explicit Labels(const Program& p) : p_(p) {
    std::map<std::string, int> uses;
    for (const Function& f : p.functions) ++uses[f.name];
    for (const Function& f : p.functions) {
      bool usable = is_label_name(f.name) && !is_generated_name(f.name) && uses[f.name] == 1;
      function_names_[f.start] = usable ? f.name : generated(f.start);
      if (usable) named_.insert(f.start);
    }
  }

  // The label of `pc`, or nothing when no label can stand there.
  std::optional<std::string> at(size_t pc) const {
    if (pc >= p_.size() || is_lddw_tail(pc)) return std::nullopt;
    auto it = function_names_.find(pc);
    return it != function_names_.end() ? it->second : generated(pc);
  }

  bool is_function_start(size_t pc) const { return function_names_.count(pc) != 0; }
  bool has_own_name(size_t pc) const { return named_.count(pc) != 0; }

 private:
  static std::string generated(size_t pc) { return "L" + std::to_string(pc); }

  // Also right for a Program that never went through validate(): a second
  // slot has opcode 0, which no instruction has.
  bool is_lddw_tail(size_t pc) const {
    return p_.is_lddw_tail(pc) || (pc > 0 && p_.insns[pc].opcode == 0 && p_.insns[pc - 1].is_lddw());
  }

  const Program& p_;
  std::map<size_t, std::string> function_names_;
  std::set<size_t> named_;
};

// The pc an instruction refers to (jump, local call, `lddw code[...]`).
std::optional<int64_t> referenced_pc(const Program& p, size_t pc) {
  const Instruction& i = p.insns[pc];
  if (i.is_branch() || i.opcode == kOpGotol) return i.jump_target(pc);
  if (i.is_local_call() || (i.is_lddw() && i.src == kLddwCode)) return static_cast<int64_t>(pc) + 1 + i.imm;
  return std::nullopt;
}

class Printer {
 public:
  Printer(const Program& p, const Labels& labels) : p_(p), labels_(labels) {}

  std::string instruction(size_t pc) const {
    const Instruction& i = p_.insns[pc];
    std::string text;
    switch (i.cls()) {
      case kClassLd: text = lddw(pc); break;
      case kClassLdx: text = load(i); break;
      case kClassSt: text = store_imm(i); break;
      case kClassStx: text = i.mode() == kModeAtomic ? atomic(i) : store_reg(i); break;
      case kClassAlu:
      case kClassAlu64: text = alu(i); break;
      default: text = jump(pc); break;
    }
    return text.empty() ? unknown(i) : text;
  }

 private:
  const Program& p_;
  const Labels& labels_;

  // A slot the syntax has no words for. Only reachable for programs that
  // never passed validate(); the result is a comment, not assembly.
  static std::string unknown(const Instruction& i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "# unknown instruction: opcode 0x%02x dst %u src %u offset %d imm %d", i.opcode,
                  i.dst, i.src, i.offset, i.imm);
    return buf;
  }

  std::string target(size_t pc, int64_t displacement) const {
    int64_t to = static_cast<int64_t>(pc) + 1 + displacement;
    if (to >= 0) {
      if (std::optional<std::string> label = labels_.at(static_cast<size_t>(to))) return *label;
    }
    return signed_text(displacement);
  }

  std::string alu(const Instruction& i) const {
    const bool is32 = i.cls() == kClassAlu;
    const std::string suffix = is32 ? "32" : "";
    const std::string dst = reg(i.dst);
    if (i.op() == kAluEnd) {
      const char* family = !is32 ? "bswap" : i.source() == kSourceX ? "be" : "le";
      return family + std::to_string(i.imm) + " " + dst;
    }
    if (i.op() == kAluNeg) return "neg" + suffix + " " + dst;
    if (i.op() == kAluMov && i.offset != 0)
      return "movsx" + std::to_string(i.offset) + (is32 ? "32" : "64") + " " + dst + ", " + reg(i.src);
    const char* name = kAluNames[i.op() >> 4];
    if (!name) return "";
    const bool is_signed = (i.op() == kAluDiv || i.op() == kAluMod) && i.offset == 1;
    std::string source = i.source() == kSourceX ? reg(i.src) : imm_text(i.imm);
    return (is_signed ? "s" : "") + std::string(name) + suffix + " " + dst + ", " + source;
  }

  std::string jump(size_t pc) const {
    const Instruction& i = p_.insns[pc];
    if (i.opcode == kOpJa) return "ja " + target(pc, i.offset);
    if (i.opcode == kOpGotol) return "ja32 " + target(pc, i.imm);
    if (i.opcode == kOpExit) return "exit";
    if (i.opcode == kOpCall) return call(pc);
    if (i.opcode == kOpCallx) {
      // Both encodings exist in the wild (see Instruction::callx_register);
      // `legacy` keeps the imm form's bits through a round trip.
      if (i.imm == 0) return "call " + reg(i.dst);
      if (i.imm < 0 || i.imm > 15) return "";
      return "call legacy " + reg(static_cast<unsigned>(i.imm));
    }
    const char* name = kBranchNames[i.op() >> 4];
    if (!name) return "";
    std::string source = i.source() == kSourceX ? reg(i.src) : imm_text(i.imm);
    return std::string(name) + (i.cls() == kClassJmp32 ? "32" : "") + " " + reg(i.dst) + ", " + source + ", " +
           target(pc, i.offset);
  }

  std::string call(size_t pc) const {
    const Instruction& i = p_.insns[pc];
    switch (i.src) {
      case kCallHelper: return "call " + std::to_string(i.imm);
      case kCallLocal: return "call local " + target(pc, i.imm);
      case kCallKfunc: return "call runtime " + std::to_string(i.imm);
      default: return "";
    }
  }

  std::string load(const Instruction& i) const {
    if (i.mode() != kModeMem && i.mode() != kModeMemSx) return "";
    std::string name = (i.mode() == kModeMemSx ? "ldxs" : "ldx") + size_suffix(i.size());
    return name + " " + reg(i.dst) + ", " + memory(i.src, i.offset);
  }

  std::string store_imm(const Instruction& i) const {
    if (i.mode() != kModeMem) return "";
    return "st" + size_suffix(i.size()) + " " + memory(i.dst, i.offset) + ", " + imm_text(i.imm);
  }

  std::string store_reg(const Instruction& i) const {
    if (i.mode() != kModeMem) return "";
    return "stx" + size_suffix(i.size()) + " " + memory(i.dst, i.offset) + ", " + reg(i.src);
  }

  std::string atomic(const Instruction& i) const {
    std::string op;
    switch (i.imm) {
      case kAtomicXchg: op = "xchg"; break;
      case kAtomicCmpxchg: op = "cmpxchg"; break;
      default:
        switch (i.imm & ~kAtomicFetch) {
          case kAtomicAdd: op = "add"; break;
          case kAtomicOr: op = "or"; break;
          case kAtomicAnd: op = "and"; break;
          case kAtomicXor: op = "xor"; break;
          default: return "";
        }
        if (i.imm & kAtomicFetch) op = "fetch " + op;
    }
    if (i.size() == kSizeW) op += "32";
    else if (i.size() != kSizeDW) return "";
    return "lock " + op + " " + memory(i.dst, i.offset) + ", " + reg(i.src);
  }

  std::string lddw(size_t pc) const {
    const Instruction& i = p_.insns[pc];
    if (!i.is_lddw() || pc + 1 >= p_.size()) return "";
    const std::string head = "lddw " + reg(i.dst) + ", ";
    if (i.src == kLddwImm64) return head + imm64_text(p_.lddw_value_at(pc));
    if (i.src >= std::size(kLddwFormNames)) return "";
    std::string first = i.src == kLddwCode ? target(pc, i.imm) : imm_text(i.imm);
    std::string text = head + kLddwFormNames[i.src] + "[" + first + "]";
    auto second = static_cast<uint32_t>(p_.insns[pc + 1].imm);
    if (second != 0) text += "+" + std::to_string(second);
    return text;
  }
};

// Section names go on a directive line and must come back as one word.
std::vector<std::string> section_names(const Program& p) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (size_t i = 0; i < p.sections.size(); ++i) {
    std::string name = p.sections[i].name;
    bool readable = !name.empty() && name.find_first_of(" \t\r\n\v\f#:") == std::string::npos;
    if (!readable || taken.count(name)) name = "section" + std::to_string(i);
    while (taken.count(name)) name += "_";
    taken.insert(name);
    names.push_back(name);
  }
  return names;
}

void print_sections(const Program& p, std::string& out) {
  static const char* const kDirective[] = {".rodata", ".data", ".bss"};
  constexpr size_t kBytesPerLine = 32;
  constexpr size_t kBytesPerGroup = 8;
  std::vector<std::string> names = section_names(p);
  for (size_t s = 0; s < p.sections.size(); ++s) {
    const DataSection& section = p.sections[s];
    const std::string start = std::string(kDirective[static_cast<int>(section.kind)]) + " " + names[s];
    if (section.kind == SectionKind::kBss) {
      // Zeros up to each slot (all null), then the slot.
      size_t from = 0;
      for (const DataPointer& ptr : section.pointers) {
        out += start + " " + std::to_string(ptr.at - from) + "\n";
        out += ".pointer " + names[s] + " null\n";
        from = ptr.at + 8;
      }
      if (from < section.bytes.size() || section.pointers.empty())
        out += start + " " + std::to_string(section.bytes.size() - from) + "\n";
      continue;
    }
    // Declared before a .pointer line can name it.
    if (section.bytes.empty() || (!section.pointers.empty() && section.pointers.front().at == 0)) out += start + "\n";
    // The bytes between address slots as hex, each slot as a .pointer line.
    size_t from = 0;
    for (size_t slot = 0; slot <= section.pointers.size(); ++slot) {
      const size_t to = slot < section.pointers.size() ? section.pointers[slot].at : section.bytes.size();
      for (size_t line = from; line < to; line += kBytesPerLine) {
        out += start;
        for (size_t b = line; b < std::min(line + kBytesPerLine, to); ++b) {
          if ((b - line) % kBytesPerGroup == 0) out += ' ';
          char buf[4];
          std::snprintf(buf, sizeof buf, "%02x", section.bytes[b]);
          out += buf;
        }
        out += '\n';
      }
      if (slot == section.pointers.size()) break;
      const DataPointer& ptr = section.pointers[slot];
      out += ".pointer " + names[s] + " " +
             (ptr.target == DataPointer::kNull ? "null" : names[ptr.target] + "+" + std::to_string(ptr.offset)) + "\n";
      from = to + 8;
    }
  }
  if (!p.sections.empty()) out += '\n';
}

std::string source_comment(const LineInfo& info) {
  std::string text = "# " + info.file + ":" + std::to_string(info.line) + ":";
  if (!info.source.empty()) {
    std::string source = info.source;
    std::replace(source.begin(), source.end(), '\n', ' ');
    text += " " + source;
  }
  return text;
}

}  // namespace

std::string disassemble_instruction(const Program& program, size_t pc) {
  if (pc >= program.size()) throw std::out_of_range("disassemble_instruction: pc " + std::to_string(pc) + " is past the end");
  Labels labels(program);
  return Printer(program, labels).instruction(pc);
}

std::string disassemble(const Program& program, const DisassemblyOptions& options) {
  constexpr size_t kCommentColumn = 36;
  const size_t n = program.size();
  Labels labels(program);
  Printer printer(program, labels);

  // Second slots of lddw are skipped by looking at the first, which also
  // works for a Program that never went through validate().
  std::set<size_t> targets;
  for (size_t pc = 0; pc < n; pc += program.insns[pc].is_lddw() ? 2 : 1) {
    std::optional<int64_t> to = referenced_pc(program, pc);
    if (to && *to >= 0 && labels.at(static_cast<size_t>(*to))) targets.insert(static_cast<size_t>(*to));
  }

  std::string out;
  print_sections(program, out);
  std::vector<std::string> names = section_names(program);
  size_t next_line = 0;
  const LineInfo* last_source = nullptr;
  for (size_t pc = 0; pc < n; pc += program.insns[pc].is_lddw() ? 2 : 1) {
    // The entry needs no label unless something refers to it by name.
    if (labels.is_function_start(pc)) {
      if (pc != 0) out += '\n';
      if (pc != 0 || labels.has_own_name(pc) || targets.count(pc)) out += *labels.at(pc) + ":\n";
    } else if (targets.count(pc)) {
      out += *labels.at(pc) + ":\n";
    }

    while (next_line < program.lines.size() && program.lines[next_line].pc < pc) ++next_line;
    if (options.show_source && next_line < program.lines.size() && program.lines[next_line].pc == pc) {
      const LineInfo& info = program.lines[next_line];
      if (!last_source || last_source->file != info.file || last_source->line != info.line)
        out += "    " + source_comment(info) + "\n";
      last_source = &info;
    }

    std::string line = "    " + printer.instruction(pc);
    std::vector<std::string> notes;
    if (options.show_pc) notes.push_back("pc " + std::to_string(pc));
    if (options.notes && pc < options.notes->size() && !(*options.notes)[pc].empty())
      notes.push_back((*options.notes)[pc]);
    const Instruction& i = program.insns[pc];
    if (i.is_lddw() && i.src == kLddwMapValue && static_cast<uint32_t>(i.imm) < names.size())
      notes.push_back(names[static_cast<uint32_t>(i.imm)]);
    if (!notes.empty()) {
      line.resize(std::max(line.size() + 1, kCommentColumn), ' ');
      line += "#";
      for (size_t k = 0; k < notes.size(); ++k) line += (k ? ", " : " ") + notes[k];
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace sbpf::isa
