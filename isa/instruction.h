// One 8-byte BPF instruction slot, and the queries every stage asks of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "isa/opcodes.h"

namespace sbpf::isa {

// The wire format is little-endian: opcode, dst (low nibble) | src (high
// nibble), a signed 16-bit offset and a signed 32-bit immediate. An `lddw`
// spans two slots; its second slot has opcode 0 and carries the high half of
// the constant in `imm`.
struct Instruction {
  uint8_t opcode = 0;
  uint8_t dst = 0;
  uint8_t src = 0;
  int16_t offset = 0;
  int32_t imm = 0;

  friend bool operator==(const Instruction&, const Instruction&) = default;

  uint8_t cls() const { return opcode & kClassMask; }
  uint8_t op() const { return opcode & kOpMask; }
  uint8_t source() const { return opcode & kSourceMask; }
  uint8_t size() const { return opcode & kSizeMask; }
  uint8_t mode() const { return opcode & kModeMask; }

  bool is_alu() const { return cls() == kClassAlu || cls() == kClassAlu64; }
  bool is_jmp() const { return cls() == kClassJmp || cls() == kClassJmp32; }
  bool is_lddw() const { return opcode == kOpLddw; }
  bool is_exit() const { return opcode == kOpExit; }
  bool is_helper_call() const { return opcode == kOpCall && src == kCallHelper; }
  bool is_local_call() const { return opcode == kOpCall && src == kCallLocal; }
  bool is_callx() const { return opcode == kOpCallx; }
  // A jump whose target is pc + 1 + offset (conditional jumps and `ja`).
  // (Inline, like the other questions every pass asks of every slot.)
  bool is_branch() const {
    if (cls() == kClassJmp) return op() != kJmpCall && op() != kJmpExit;
    if (cls() == kClassJmp32) return op() != kJmpJa;  // JMP32 `ja` is `gotol`, whose offset is in imm
    return false;
  }
  // A jump that never falls through: `ja`, `gotol`, `exit`.
  bool ends_block_unconditionally() const { return opcode == kOpJa || opcode == kOpGotol || opcode == kOpExit; }
  // Target of a branch or of `gotol` (whose displacement is in imm).
  int64_t jump_target(size_t pc) const {
    const int64_t displacement = opcode == kOpGotol ? imm : offset;
    return static_cast<int64_t>(pc) + 1 + displacement;
  }
  // The registers the instruction may change (bit r: register r): a call
  // changes r0..r5, whatever the callee.
  uint16_t registers_written() const;

  // Memory accesses: loads, stores, atomics. Legacy packet loads excluded.
  bool is_load() const { return cls() == kClassLdx; }
  bool is_store() const { return (cls() == kClassSt || cls() == kClassStx) && mode() == kModeMem; }
  bool is_atomic() const { return cls() == kClassStx && mode() == kModeAtomic; }
  // Bytes touched by a load, store or atomic.
  unsigned access_bytes() const;
  // The register a `callx` calls through. LLVM puts it in dst; older
  // assemblers (uBPF, bpf_conformance) put its number in imm. Both decode.
  uint8_t callx_register() const { return imm != 0 ? static_cast<uint8_t>(imm) : dst; }
};

inline constexpr size_t kSlotBytes = 8;

// Little-endian encoding of one slot, independent of the host's byte order.
void encode(const Instruction& insn, uint8_t out[kSlotBytes]);
Instruction decode_slot(const uint8_t in[kSlotBytes]);

// The 64-bit constant of an `lddw` from its two slots.
inline uint64_t lddw_value(const Instruction& first, const Instruction& second) {
  return static_cast<uint32_t>(first.imm) | (static_cast<uint64_t>(static_cast<uint32_t>(second.imm)) << 32);
}

}  // namespace sbpf::isa
