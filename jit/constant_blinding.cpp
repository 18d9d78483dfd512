#include "jit/constant_blinding.h"

#include <random>
#include <stdexcept>
#include <string>

#include "jit/native_program.h"

namespace sbpf::jit {

namespace {

using isa::Instruction;

constexpr uint8_t kAx = kBlindingRegister;

bool blinds_immediate(const Instruction& insn) {
  if (insn.cls() == isa::kClassSt) return insn.mode() == isa::kModeMem;  // its 0x08 bit is the size's
  if (insn.source() != isa::kSourceK) return false;
  if (insn.is_alu()) return insn.op() != isa::kAluNeg && insn.op() != isa::kAluEnd;
  return insn.is_jmp() && insn.is_branch() && insn.op() != isa::kJmpJa;
}

class Rewriter {
 public:
  Rewriter(const isa::Program& program, const verifier::Annotations& annotations,
           const std::vector<uint64_t>& section_addresses, uint64_t seed)
      : in_(program), notes_(annotations), addresses_(section_addresses), keys_(seed) {}

  BlindedProgram run();

 private:
  // Appends one slot that comes from original slot `from`.
  void add(const Instruction& insn, size_t from, bool carries_annotation) {
    out_.program.insns.push_back(insn);
    out_.source_pc.push_back(static_cast<uint32_t>(from));
    out_.annotations.access.push_back(carries_annotation ? notes_.access[from] : verifier::AccessAnnotation{});
    out_.annotations.back_edge.push_back(carries_annotation ? notes_.back_edge[from] : verifier::BackEdge::kNone);
  }
  void add_lddw(uint8_t dst, uint64_t value, size_t from) {
    add({isa::kOpLddw, dst, isa::kLddwImm64, 0, static_cast<int32_t>(static_cast<uint32_t>(value))}, from, false);
    add({0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))}, from, false);
  }
  // ax = imm, as the instruction's class reads it (32-bit classes use the
  // low half; 64-bit ones the sign-extended immediate).
  void load_ax(int32_t imm, bool wide, size_t from) { load(kAx, imm, wide, from); }
  void load(uint8_t reg, int32_t imm, bool wide, size_t from) {
    const auto key = static_cast<int32_t>(keys_());
    const uint8_t cls = wide ? isa::kClassAlu64 : isa::kClassAlu;
    add({static_cast<uint8_t>(cls | isa::kAluMov | isa::kSourceK), reg, 0, 0, imm ^ key}, from, false);
    add({static_cast<uint8_t>(cls | isa::kAluXor | isa::kSourceK), reg, 0, 0, key}, from, false);
  }
  void rewrite(size_t pc);
  void fix_displacements();

  const isa::Program& in_;
  const verifier::Annotations& notes_;
  const std::vector<uint64_t>& addresses_;
  std::mt19937_64 keys_;
  BlindedProgram out_;
  std::vector<size_t> start_;  // per original slot: its first slot in the output
  std::vector<size_t> moved_;  // the output slots that carry an original jump or call
};

void Rewriter::rewrite(size_t pc) {
  const Instruction& insn = in_.insns[pc];
  if (insn.is_lddw()) {
    uint64_t value = 0;
    if (insn.src == isa::kLddwImm64) {
      value = in_.lddw_value_at(pc);
    } else if (insn.src == isa::kLddwMapValue && static_cast<uint32_t>(insn.imm) < addresses_.size()) {
      value = addresses_[static_cast<uint32_t>(insn.imm)] + static_cast<uint32_t>(in_.insns[pc + 1].imm);
    } else {
      // Left for the plan to refuse (or to report the missing address).
      add(insn, pc, true);
      add(in_.insns[pc + 1], pc, false);
      return;
    }
    const uint64_t key = keys_();
    add_lddw(insn.dst, value ^ key, pc);
    add_lddw(kAx, key, pc);
    add({static_cast<uint8_t>(isa::kClassAlu64 | isa::kAluXor | isa::kSourceX), insn.dst, kAx, 0, 0}, pc, false);
    return;
  }
  if (!blinds_immediate(insn)) {
    if (insn.is_jmp() && (insn.is_branch() || insn.is_local_call())) moved_.push_back(out_.program.insns.size());
    add(insn, pc, true);
    return;
  }
  if (insn.cls() == isa::kClassSt) {
    load_ax(insn.imm, true, pc);
    add({static_cast<uint8_t>(isa::kClassStx | isa::kModeMem | insn.size()), insn.dst, kAx, insn.offset, 0}, pc, true);
    return;
  }
  const bool wide = insn.cls() == isa::kClassAlu64 || insn.cls() == isa::kClassJmp;
  if (insn.is_alu() && insn.op() == isa::kAluMov) {
    // A move computes its constant in its own register: no ax needed.
    load(insn.dst, insn.imm, wide, pc);
    return;
  }
  load_ax(insn.imm, wide, pc);
  if (insn.is_jmp()) moved_.push_back(out_.program.insns.size());
  add({static_cast<uint8_t>(insn.opcode | isa::kSourceX), insn.dst, kAx, insn.offset, 0}, pc, true);
}

// Jumps and calls keep their targets: each original target's first slot.
void Rewriter::fix_displacements() {
  for (size_t at : moved_) {
    Instruction& insn = out_.program.insns[at];
    const size_t from = out_.source_pc[at];
    const Instruction& original = in_.insns[from];
    const int64_t old_target = original.is_local_call() ? static_cast<int64_t>(from) + 1 + original.imm
                                                        : original.jump_target(from);
    const int64_t target = static_cast<int64_t>(start_[static_cast<size_t>(old_target)]);
    const int64_t displacement = target - static_cast<int64_t>(at) - 1;
    if (insn.is_local_call() || insn.opcode == isa::kOpGotol) {
      insn.imm = static_cast<int32_t>(displacement);
    } else if (displacement >= INT16_MIN && displacement <= INT16_MAX) {
      insn.offset = static_cast<int16_t>(displacement);
    } else if (insn.opcode == isa::kOpJa) {
      insn = {isa::kOpGotol, 0, 0, 0, static_cast<int32_t>(displacement)};
    } else {
      throw UnsupportedForJit("pc " + std::to_string(from) + ": with its constants blinded, the jump's target is " +
                              std::to_string(displacement) + " slots away, beyond a 16-bit offset");
    }
  }
}

BlindedProgram Rewriter::run() {
  const size_t n = in_.size();
  start_.assign(n + 1, 0);
  for (size_t pc = 0; pc < n; ++pc) {
    start_[pc] = out_.program.insns.size();
    if (!in_.is_lddw_tail(pc)) rewrite(pc);
  }
  start_[n] = out_.program.insns.size();
  fix_displacements();

  isa::Program& p = out_.program;
  p.name = in_.name;
  p.sections = in_.sections;
  p.context_type = in_.context_type;
  for (isa::Function f : in_.functions) {
    f.start = start_[f.start];
    f.end = start_[f.end];
    p.functions.push_back(f);
  }
  for (const isa::LineInfo& line : in_.lines) {
    p.lines.push_back(line);
    p.lines.back().pc = start_[line.pc];
  }
  out_.annotations.max_loop_budget = notes_.max_loop_budget;
  // The rewrite must still be a program: validate it with ax read as r0 (no
  // program names ax, so the swap back is exact).
  struct NamesAx {
    size_t pc;
    bool dst, src;
  };
  std::vector<NamesAx> names_ax;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    Instruction& insn = p.insns[pc];
    if (insn.dst != kAx && insn.src != kAx) continue;
    names_ax.push_back({pc, insn.dst == kAx, insn.src == kAx});
    if (insn.dst == kAx) insn.dst = 0;
    if (insn.src == kAx) insn.src = 0;
  }
  // validate() also recomputes the functions from the calls.
  try {
    isa::validate(p);
  } catch (const isa::FormatError& e) {
    throw std::logic_error(std::string("jit: constant blinding made an invalid program: ") + e.what());
  }
  for (const NamesAx& n : names_ax) {
    if (n.dst) p.insns[n.pc].dst = kAx;
    if (n.src) p.insns[n.pc].src = kAx;
  }
  return std::move(out_);
}

}  // namespace

BlindedProgram blind_constants(const isa::Program& program, const verifier::Annotations& annotations,
                               const std::vector<uint64_t>& section_addresses, uint64_t seed) {
  return Rewriter(program, annotations, section_addresses, seed).run();
}

}  // namespace sbpf::jit
