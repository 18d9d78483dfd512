// Instruction builders, and a code buffer whose jumps go to labels that are
// resolved once the whole program is laid out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/instruction.h"
#include "isa/opcodes.h"

namespace sbpf::testing::generator {

using isa::Instruction;

using Label = uint32_t;

struct Operand {
  bool is_reg = false;
  uint8_t reg = 0;
  int32_t imm = 0;
};
inline Operand reg_operand(uint8_t r) { return {true, r, 0}; }
inline Operand imm_operand(int32_t v) { return {false, 0, v}; }

inline uint8_t size_code(unsigned bytes) {
  switch (bytes) {
    case 1: return isa::kSizeB;
    case 2: return isa::kSizeH;
    case 4: return isa::kSizeW;
    default: return isa::kSizeDW;
  }
}

inline Instruction make(uint8_t opcode, uint8_t dst, uint8_t src, int16_t offset, int32_t imm) {
  return Instruction{opcode, dst, src, offset, imm};
}

// ALU and conditional jumps share the operand encoding.
inline Instruction with_operand(uint8_t cls_op, uint8_t dst, Operand src, int16_t offset = 0) {
  if (src.is_reg) return make(cls_op | isa::kSourceX, dst, src.reg, offset, 0);
  return make(cls_op | isa::kSourceK, dst, 0, offset, src.imm);
}
inline Instruction alu(bool is64, uint8_t op, uint8_t dst, Operand src, int16_t offset = 0) {
  return with_operand((is64 ? isa::kClassAlu64 : isa::kClassAlu) | op, dst, src, offset);
}
inline Instruction mov(uint8_t dst, uint8_t src) { return alu(true, isa::kAluMov, dst, reg_operand(src)); }
inline Instruction mov_imm(uint8_t dst, int32_t imm) { return alu(true, isa::kAluMov, dst, imm_operand(imm)); }
inline Instruction add_imm(uint8_t dst, int32_t imm) { return alu(true, isa::kAluAdd, dst, imm_operand(imm)); }
inline Instruction add_reg(uint8_t dst, uint8_t src) { return alu(true, isa::kAluAdd, dst, reg_operand(src)); }
inline Instruction load(unsigned bytes, uint8_t dst, uint8_t base, int16_t offset, bool sign_extend = false) {
  const uint8_t mode = sign_extend && bytes < 8 ? isa::kModeMemSx : isa::kModeMem;
  return make(isa::kClassLdx | mode | size_code(bytes), dst, base, offset, 0);
}
inline Instruction store(unsigned bytes, uint8_t base, int16_t offset, Operand value) {
  if (value.is_reg) return make(isa::kClassStx | isa::kModeMem | size_code(bytes), base, value.reg, offset, 0);
  return make(isa::kClassSt | isa::kModeMem | size_code(bytes), base, 0, offset, value.imm);
}
inline Instruction atomic(unsigned bytes, uint8_t base, int16_t offset, uint8_t src, int32_t op) {
  return make(isa::kClassStx | isa::kModeAtomic | size_code(bytes), base, src, offset, op);
}
inline Instruction branch(bool is32, uint8_t op, uint8_t dst, Operand src) {
  return with_operand((is32 ? isa::kClassJmp32 : isa::kClassJmp) | op, dst, src);
}
inline Instruction exit_insn() { return make(isa::kOpExit, 0, 0, 0, 0); }
inline Instruction helper_call(int32_t id) { return make(isa::kOpCall, 0, isa::kCallHelper, 0, id); }

class CodeBuffer {
 public:
  size_t size() const { return insns_.size(); }
  void emit(const Instruction& insn) { insns_.push_back(insn); }
  void emit_lddw(uint8_t dst, uint64_t value) {
    emit(make(isa::kOpLddw, dst, isa::kLddwImm64, 0, static_cast<int32_t>(static_cast<uint32_t>(value))));
    emit(make(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))));
  }

  Label new_label() {
    label_pc_.push_back(kUnbound);
    return static_cast<Label>(label_pc_.size() - 1);
  }
  void bind(Label label) { label_pc_[label] = insns_.size(); }
  bool bound(Label label) const { return label_pc_[label] != kUnbound; }

  // A jump (conditional, or `ja`) whose offset finish() fills in.
  void jump(const Instruction& insn, Label target) {
    fixups_.push_back({insns_.size(), target, false});
    emit(insn);
  }
  void ja(Label target) { jump(make(isa::kOpJa, 0, 0, 0, 0), target); }
  void call(Label target) {
    fixups_.push_back({insns_.size(), target, true});
    emit(make(isa::kOpCall, 0, isa::kCallLocal, 0, 0));
  }

  // The instructions with every jump resolved. A label left unbound or a
  // jump too long for 16 bits is a generator bug.
  std::vector<Instruction> finish() {
    for (const Fixup& f : fixups_) {
      if (label_pc_[f.target] == kUnbound) throw std::logic_error("program generator: unbound label");
      const int64_t displacement = static_cast<int64_t>(label_pc_[f.target]) - static_cast<int64_t>(f.pc) - 1;
      if (f.is_call) {
        insns_[f.pc].imm = static_cast<int32_t>(displacement);
      } else {
        if (displacement < INT16_MIN || displacement > INT16_MAX)
          throw std::logic_error("program generator: jump too long at pc " + std::to_string(f.pc));
        insns_[f.pc].offset = static_cast<int16_t>(displacement);
      }
    }
    return std::move(insns_);
  }

 private:
  static constexpr size_t kUnbound = SIZE_MAX;
  struct Fixup {
    size_t pc;
    Label target;
    bool is_call;
  };
  std::vector<Instruction> insns_;
  std::vector<size_t> label_pc_;
  std::vector<Fixup> fixups_;
};

}  // namespace sbpf::testing::generator
