#include "frontend/program_linker.h"

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "frontend/object_problem.h"
#include "isa/instruction.h"

namespace sbpf::frontend::detail {

namespace {

// A function's code in the ELF: `slots` instructions starting at
// instruction index `first_slot` of section `section`.
struct FunctionCode {
  size_t section = 0;
  uint64_t first_slot = 0;
  uint64_t slots = 0;
  std::string name;
};

// The entry function, then every function it reaches by local calls, each
// appended once; relocations resolved as they are met.
class ProgramLinker {
 public:
  ProgramLinker(const ElfObject& elf, const GlobalData& data, const BtfExtInfo& ext, const struct btf* btf)
      : elf_(elf), data_(data), ext_(ext), btf_(btf) {}

  isa::Program link(const EntryPoint& entry) {
    program_.name = entry.section;
    program_.sections = data_.sections;
    place(entry_function(entry), entry.insns);
    // place() appends to placed_ while this loop walks it: each reached
    // function is resolved exactly once.
    for (size_t i = 0; i < placed_.size(); ++i) {
      resolve_instructions(i);
      reject_core_relocations(placed_[i]);
      add_line_info(placed_[i]);
    }
    std::sort(program_.lines.begin(), program_.lines.end(), [](const isa::LineInfo& a, const isa::LineInfo& b) {
      return std::tie(a.pc, a.line, a.column) < std::tie(b.pc, b.line, b.column);
    });
    return std::move(program_);
  }

 private:
  struct Placed {
    FunctionCode code;
    size_t start_pc = 0;
  };

  const ElfObject& elf_;
  const GlobalData& data_;
  const BtfExtInfo& ext_;
  const struct btf* btf_;
  isa::Program program_;
  std::vector<Placed> placed_;
  std::map<std::pair<size_t, uint64_t>, size_t> start_pc_of_;  // (section, first slot) → pc

  [[noreturn]] void reject(size_t pc, const std::string& why) const {
    const isa::Function* in = nullptr;
    for (const isa::Function& f : program_.functions)
      if (f.start <= pc) in = &f;
    std::string where = in != nullptr && in->start != 0 ? " (in function " + in->name + ")" : "";
    throw ObjectProblem(program_.name + ": pc " + std::to_string(pc) + where + ": " + why);
  }

  FunctionCode function_code(const ElfSymbol& sym, size_t section) const {
    const ElfSection& s = elf_.sections[section];
    if (sym.value % isa::kSlotBytes != 0 || sym.size % isa::kSlotBytes != 0 || sym.size == 0 ||
        sym.value > s.size || s.size - sym.value < sym.size)
      corrupt("function " + sym.name + " does not cover whole instructions inside section " + s.name);
    return {section, sym.value / isa::kSlotBytes, sym.size / isa::kSlotBytes, sym.name};
  }

  FunctionCode entry_function(const EntryPoint& entry) const {
    for (const ElfSymbol& sym : elf_.symbols) {
      if (sym.type != STT_FUNC || sym.name != entry.function || !elf_.has_real_section(sym)) continue;
      if (elf_.sections[sym.section].name != entry.section) continue;
      FunctionCode code = function_code(sym, sym.section);
      if (code.slots != entry.insns.size())
        corrupt("libbpf sees " + std::to_string(entry.insns.size()) + " instructions in " + entry.function +
                " but its symbol covers " + std::to_string(code.slots));
      return code;
    }
    corrupt("no symbol for program " + entry.function + " in section " + entry.section);
  }

  // The function that starts at `slot` of `section`, as the target of the
  // call at `pc`.
  FunctionCode function_starting_at(size_t section, int64_t slot, size_t pc) const {
    const ElfSection& s = elf_.sections[section];
    if (!s.is_code()) reject(pc, "call into section " + s.name + ", which holds no code");
    for (const ElfSymbol& sym : elf_.symbols) {
      if (sym.type == STT_FUNC && sym.section == section && slot >= 0 &&
          sym.value == static_cast<uint64_t>(slot) * isa::kSlotBytes)
        return function_code(sym, section);
    }
    reject(pc, "call to instruction " + std::to_string(slot) + " of section " + s.name + ", where no function starts");
  }

  // Appends a function's code (once) and returns its first pc.
  size_t place(const FunctionCode& code, const std::vector<isa::Instruction>& insns) {
    auto key = std::make_pair(code.section, code.first_slot);
    if (auto it = start_pc_of_.find(key); it != start_pc_of_.end()) return it->second;
    const size_t start = program_.insns.size();
    program_.insns.insert(program_.insns.end(), insns.begin(), insns.end());
    program_.functions.push_back({code.name, start, 0});
    placed_.push_back({code, start});
    start_pc_of_[key] = start;
    return start;
  }

  size_t place(const FunctionCode& code) {
    const std::vector<uint8_t>& bytes = elf_.sections[code.section].bytes;
    std::vector<isa::Instruction> insns;
    for (uint64_t i = 0; i < code.slots; ++i)
      insns.push_back(isa::decode_slot(&bytes[(code.first_slot + i) * isa::kSlotBytes]));
    return place(code, insns);
  }

  void resolve_instructions(size_t index) {
    // Copied: resolving may append to placed_ and move its elements.
    const Placed function = placed_[index];
    for (uint64_t slot = 0; slot < function.code.slots; ++slot) {
      const size_t pc = function.start_pc + slot;
      const uint64_t offset = (function.code.first_slot + slot) * isa::kSlotBytes;
      const ElfRelocation* reloc = elf_.relocation_at(function.code.section, offset);
      const isa::Instruction insn = program_.insns[pc];
      if (insn.is_lddw()) {
        if (slot + 1 < function.code.slots) {
          if (elf_.relocation_at(function.code.section, offset + isa::kSlotBytes) != nullptr)
            reject(pc + 1, "relocation on the second slot of an lddw");
          resolve_lddw(pc, reloc);
        }
        ++slot;
      } else if (insn.opcode == isa::kOpCall) {
        resolve_call(pc, reloc, function);
      } else if (reloc != nullptr) {
        reject(pc, "unexpected relocation against '" + elf_.display_name(elf_.symbols[reloc->symbol]) +
                       "' on an instruction that is neither lddw nor call");
      }
    }
  }

  void resolve_call(size_t pc, const ElfRelocation* reloc, const Placed& caller) {
    const isa::Instruction insn = program_.insns[pc];
    if (reloc == nullptr) {
      if (insn.src != isa::kCallLocal) return;  // helper by id
      // Resolved by the compiler already: a call within the caller's section.
      const uint64_t caller_slot = caller.code.first_slot + (pc - caller.start_pc);
      const int64_t slot = static_cast<int64_t>(caller_slot) + 1 + insn.imm;
      patch_call(pc, function_starting_at(caller.code.section, slot, pc));
      return;
    }
    const ElfSymbol& sym = elf_.symbols[reloc->symbol];
    if (!elf_.has_real_section(sym))
      reject(pc, "call to extern function '" + sym.name + "' is not supported: kfuncs and other kernel functions "
                 "need a kernel");
    if (reloc->type != R_BPF_64_32) reject(pc, "call with relocation type " + std::to_string(reloc->type));
    if (insn.src != isa::kCallLocal) reject(pc, "relocated call to '" + sym.name + "' is not a local call");
    if (sym.value % isa::kSlotBytes != 0) corrupt("call target " + elf_.display_name(sym) + " is not at an instruction");
    // Like libbpf: the target is the symbol's instruction plus imm + 1
    // (imm is -1 for a function symbol, the offset for a section symbol).
    const int64_t slot = static_cast<int64_t>(sym.value / isa::kSlotBytes) + 1 + insn.imm;
    patch_call(pc, function_starting_at(sym.section, slot, pc));
  }

  void patch_call(size_t pc, const FunctionCode& target) {
    const size_t start = place(target);
    program_.insns[pc].imm = static_cast<int32_t>(static_cast<int64_t>(start) - static_cast<int64_t>(pc) - 1);
  }

  // The function at `addend` bytes past `sym`: a section symbol plus an
  // offset names a static function only through that offset.
  std::string function_name_at(const ElfSymbol& sym, int32_t addend) const {
    const uint64_t offset = sym.value + static_cast<uint32_t>(addend);
    for (const ElfSymbol& f : elf_.symbols)
      if (f.type == STT_FUNC && f.section == sym.section && f.value == offset) return f.name;
    return elf_.display_name(sym) + "+" + std::to_string(offset);
  }

  void resolve_lddw(size_t pc, const ElfRelocation* reloc) {
    isa::Instruction& first = program_.insns[pc];
    isa::Instruction& second = program_.insns[pc + 1];
    if (reloc == nullptr) {
      if (first.src != isa::kLddwImm64)
        reject(pc, "lddw with pseudo source " + std::to_string(first.src) + " has no relocation");
      return;
    }
    const ElfSymbol& sym = elf_.symbols[reloc->symbol];
    const std::string name = elf_.display_name(sym);
    if (!elf_.has_real_section(sym))
      reject(pc, "lddw refers to extern '" + name +
                     "', which is not supported (kconfig and ksym externs need a kernel)");
    if (reloc->type != R_BPF_64_64) reject(pc, "lddw with relocation type " + std::to_string(reloc->type));
    const ElfSection& target = elf_.sections[sym.section];
    if (target.name == ".maps" || target.name == "maps")
      reject(pc, "lddw refers to map '" + name + "': maps are not supported (use global variables instead)");
    if (target.is_code())
      reject(pc, "lddw takes the address of function '" + function_name_at(sym, first.imm) +
                     "': function pointers are not supported");
    auto data = data_.index_of_elf_section.find(sym.section);
    if (data == data_.index_of_elf_section.end())
      reject(pc, "lddw refers to '" + name + "' in section " + target.name + ", which is not global data");
    const uint64_t offset = sym.value + static_cast<uint32_t>(first.imm);
    if (offset > target.size)
      reject(pc, "lddw refers to offset " + std::to_string(offset) + " of section " + target.name + ", which has " +
                     std::to_string(target.size) + " bytes");
    first.src = isa::kLddwMapValue;
    first.imm = static_cast<int32_t>(data->second);
    second.imm = static_cast<int32_t>(static_cast<uint32_t>(offset));
  }

  // The pc of a record at byte offset `insn_off` of the function's section,
  // if it falls inside the function.
  static std::optional<size_t> pc_of(const Placed& f, uint32_t insn_off) {
    const uint64_t slot = insn_off / isa::kSlotBytes;
    if (insn_off % isa::kSlotBytes != 0 || slot < f.code.first_slot || slot - f.code.first_slot >= f.code.slots)
      return std::nullopt;
    return f.start_pc + (slot - f.code.first_slot);
  }

  void reject_core_relocations(const Placed& f) {
    auto records = ext_.core.find(elf_.sections[f.code.section].name);
    if (records == ext_.core.end()) return;
    for (const CoreRecord& r : records->second) {
      auto pc = pc_of(f, r.insn_off);
      if (!pc) continue;
      reject(*pc, describe_core_relocation(r, btf_) +
                      " is not supported: there is no kernel BTF to relocate against");
    }
  }

  void add_line_info(const Placed& f) {
    auto records = ext_.lines.find(elf_.sections[f.code.section].name);
    if (records == ext_.lines.end()) return;
    for (const LineRecord& r : records->second) {
      auto pc = pc_of(f, r.insn_off);
      if (!pc) continue;
      program_.lines.push_back(line_info_at(*pc, r, btf_));
    }
  }
};

}  // namespace

isa::Program link_program(const EntryPoint& entry, const ElfObject& elf, const GlobalData& data,
                          const BtfExtInfo& ext, const struct btf* btf) {
  return ProgramLinker(elf, data, ext, btf).link(entry);
}

}  // namespace sbpf::frontend::detail
