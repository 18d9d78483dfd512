#include "isa/instruction.h"

namespace sbpf::isa {

uint16_t Instruction::registers_written() const {
  if (is_alu() || is_load() || is_lddw()) return static_cast<uint16_t>(1u << dst);
  if (opcode == kOpCall || is_callx()) return 0x3f;
  if (is_atomic()) {
    if (imm == kAtomicCmpxchg) return 1;
    if ((imm & kAtomicFetch) != 0) return static_cast<uint16_t>(1u << src);
  }
  return 0;
}

unsigned Instruction::access_bytes() const {
  switch (size()) {
    case kSizeB: return 1;
    case kSizeH: return 2;
    case kSizeW: return 4;
    default: return 8;
  }
}

void encode(const Instruction& insn, uint8_t out[kSlotBytes]) {
  auto off = static_cast<uint16_t>(insn.offset);
  auto imm = static_cast<uint32_t>(insn.imm);
  out[0] = insn.opcode;
  out[1] = static_cast<uint8_t>((insn.dst & 0x0f) | (insn.src << 4));
  out[2] = static_cast<uint8_t>(off);
  out[3] = static_cast<uint8_t>(off >> 8);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<uint8_t>(imm >> (8 * i));
}

Instruction decode_slot(const uint8_t in[kSlotBytes]) {
  Instruction insn;
  insn.opcode = in[0];
  insn.dst = in[1] & 0x0f;
  insn.src = in[1] >> 4;
  insn.offset = static_cast<int16_t>(static_cast<uint16_t>(in[2] | (in[3] << 8)));
  uint32_t imm = 0;
  for (int i = 0; i < 4; ++i) imm |= static_cast<uint32_t>(in[4 + i]) << (8 * i);
  insn.imm = static_cast<int32_t>(imm);
  return insn;
}

}  // namespace sbpf::isa
