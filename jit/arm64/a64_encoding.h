// A64 instruction encoders: each function returns one 32-bit instruction
// word. Pure computation (no state, no allocation, constexpr), so the arm64
// backend can cross-compile from any host and tests can check words against
// llvm-mc without running them.
//
// Grouped and named after the encoding classes of the Arm Architecture
// Reference Manual (section C4.1, "A64 instruction set encoding"): a group's
// comment names its class, its fixed bits, and what is easy to get wrong.
// Function names are the mnemonics, with a suffix where one mnemonic has
// several classes (`add_imm` is "Add/subtract (immediate)", `add_reg` is
// "Add/subtract (shifted register)").
//
// Conventions:
//   - `sf` selects the operand width, as the field of that name does:
//     true = 64-bit (X registers), false = 32-bit (W registers). A 32-bit
//     result zeroes the upper half of the X register.
//   - A `Reg` is a register number; whether 31 means SP or the zero
//     register depends on the operand, and each group says which.
//   - Branch and ADR displacements are in bytes, relative to the
//     instruction's own address.
//   - Out-of-range operands are a caller bug, asserted in debug builds; every
//     field is masked to its width, so a bad operand never corrupts the
//     neighbouring fields. The `fits_*` predicates let a caller choose a
//     sequence before encoding.
#pragma once

#include <bit>
#include <cassert>
#include <cstdint>
#include <optional>

namespace sbpf::jit::a64 {

// X0..X30; 31 is SP or XZR/WZR according to the operand (see each group).
// clang-format off
enum Reg : uint8_t {
  X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15,
  X16, X17, X18, X19, X20, X21, X22, X23, X24, X25, X26, X27, X28, X29, X30,
  SP = 31,
  XZR = 31,
};
// clang-format on
// The procedure-call names (AAPCS64).
inline constexpr Reg kIp0 = X16, kIp1 = X17, kFp = X29, kLr = X30;

// Condition codes (the `cond` field).
enum class Cond : uint8_t { EQ, NE, HS, LO, MI, PL, VS, VC, HI, LS, GE, LT, GT, LE, AL, NV, CS = HS, CC = LO };
// Flipping bit 0 negates a condition (AL and NV both mean "always").
constexpr Cond invert(Cond c) { return static_cast<Cond>(static_cast<uint8_t>(c) ^ 1); }

// The shift of a shifted-register operand. ROR exists for logical
// instructions only, not for add/subtract.
enum class Shift : uint8_t { LSL, LSR, ASR, ROR };

// Access sizes of loads and stores (the `size` field: log2 of the bytes).
enum class Size : uint8_t { k8, k16, k32, k64 };
constexpr unsigned bytes_of(Size s) { return 1u << static_cast<unsigned>(s); }

namespace detail {

// `value`'s low `bits` bits, placed at `lsb`.
constexpr uint32_t field(uint64_t value, unsigned bits, unsigned lsb) {
  return static_cast<uint32_t>(value & ((uint64_t{1} << bits) - 1)) << lsb;
}
constexpr uint32_t reg(Reg r, unsigned lsb) { return field(r, 5, lsb); }
constexpr uint32_t sf_bit(bool sf) { return sf ? 1u << 31 : 0; }
constexpr bool fits_signed(int64_t v, unsigned bits) {
  return v >= -(int64_t{1} << (bits - 1)) && v < (int64_t{1} << (bits - 1));
}
constexpr unsigned width(bool sf) { return sf ? 64 : 32; }

}  // namespace detail

// ---------------------------------------------------------------------------
// Data processing — immediate
// ---------------------------------------------------------------------------

// Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd.
// Register 31 is SP as Rn, and as Rd unless the flags are set (ADDS/SUBS
// write XZR): `add sp, sp, #16` and `mov x0, sp` are this class, and CMP/CMN
// are SUBS/ADDS with Rd = XZR. The immediate is 12 bits, optionally
// shifted left by 12; a negative constant is the opposite operation.
constexpr bool fits_add_sub_imm(uint64_t v) { return v < 4096 || ((v & 0xFFF) == 0 && v < (uint64_t{4096} << 12)); }
constexpr uint32_t add_sub_imm(bool sf, bool sub, bool set_flags, Reg rd, Reg rn, uint32_t imm12, bool lsl12) {
  assert(imm12 < 4096);
  return detail::sf_bit(sf) | uint32_t{sub} << 30 | uint32_t{set_flags} << 29 | 0x11000000u | uint32_t{lsl12} << 22 |
         detail::field(imm12, 12, 10) | detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t add_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12 = false) {
  return add_sub_imm(sf, false, false, rd, rn, imm12, lsl12);
}
constexpr uint32_t adds_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12 = false) {
  return add_sub_imm(sf, false, true, rd, rn, imm12, lsl12);
}
constexpr uint32_t sub_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12 = false) {
  return add_sub_imm(sf, true, false, rd, rn, imm12, lsl12);
}
constexpr uint32_t subs_imm(bool sf, Reg rd, Reg rn, uint32_t imm12, bool lsl12 = false) {
  return add_sub_imm(sf, true, true, rd, rn, imm12, lsl12);
}
constexpr uint32_t cmp_imm(bool sf, Reg rn, uint32_t imm12, bool lsl12 = false) {
  return subs_imm(sf, XZR, rn, imm12, lsl12);
}
constexpr uint32_t cmn_imm(bool sf, Reg rn, uint32_t imm12, bool lsl12 = false) {
  return adds_imm(sf, XZR, rn, imm12, lsl12);
}
// MOV to or from SP (the register form of MOV reads 31 as XZR).
constexpr uint32_t mov_sp(bool sf, Reg rd, Reg rn) { return add_imm(sf, rd, rn, 0); }

// PC-rel. addressing: op immlo 10000 immhi Rd. ADR reaches ±1 MiB.
constexpr bool fits_adr(int64_t disp) { return detail::fits_signed(disp, 21); }
constexpr uint32_t adr(Reg rd, int64_t disp) {
  assert(fits_adr(disp));
  return 0x10000000u | detail::field(static_cast<uint64_t>(disp), 2, 29) |
         detail::field(static_cast<uint64_t>(disp) >> 2, 19, 5) | detail::reg(rd, 0);
}

// Logical (immediate): sf opc 100100 N immr imms Rn Rd.
// The immediate is a "bitmask": an element of 2, 4, 8, 16, 32 or 64 bits
// holding one run of ones rotated right by immr, repeated to fill the
// register. 0 and all-ones are never encodable, nor is anything that is not
// such a repetition (0x1234); `logical_immediate` finds the fields or says
// there are none. Register 31 is SP as Rd unless ANDS sets the flags (so
// ANDS with Rd = XZR is TST), XZR as Rn (so ORR from XZR is a MOV).
struct LogicalImmediate {
  uint8_t n;     // 1 only for a 64-bit element
  uint8_t immr;  // the rotation, below the element size
  uint8_t imms;  // the element size's prefix, then the run length minus 1
  friend constexpr bool operator==(LogicalImmediate, LogicalImmediate) = default;
};

// The bitmask fields for `value` as a 32-bit (sf false: only the low 32 bits
// count) or 64-bit operand, or nullopt if it has none.
constexpr std::optional<LogicalImmediate> logical_immediate(bool sf, uint64_t value) {
  if (!sf) value = (value & 0xFFFFFFFFu) * 0x100000001u;  // a 32-bit pattern is a 64-bit one repeated
  if (value == 0 || value == ~uint64_t{0}) return std::nullopt;
  // The smallest element that repeats to `value`.
  unsigned size = 64;
  while (size > 2) {
    const unsigned half = size / 2;
    const uint64_t mask = (uint64_t{1} << half) - 1;
    if ((value & mask) != ((value >> half) & mask)) break;
    size = half;
  }
  const uint64_t mask = size == 64 ? ~uint64_t{0} : (uint64_t{1} << size) - 1;
  const uint64_t element = value & mask;
  const unsigned ones = static_cast<unsigned>(std::popcount(element));
  const uint64_t run = (uint64_t{1} << ones) - 1;  // ones < size <= 64
  // Where the run would start: past the element's low zeros, or, when bit 0
  // is set (the run may wrap around the element's top), past the zeros
  // above it. The rotation that turns the low-aligned run into the element
  // starts it there; if that is not the element, it has more than one run.
  const uint64_t zeros = ~element & mask;
  const unsigned start = (element & 1) == 0
                             ? static_cast<unsigned>(std::countr_zero(element))
                             : static_cast<unsigned>(std::countr_zero(zeros) + std::popcount(zeros)) % size;
  const unsigned rotation = (size - start) % size;
  const uint64_t rotated = rotation == 0 ? run : ((run >> rotation) | (run << (size - rotation))) & mask;
  if (rotated != element) return std::nullopt;
  return LogicalImmediate{static_cast<uint8_t>(size == 64), static_cast<uint8_t>(rotation),
                          static_cast<uint8_t>(((~(size - 1) << 1) | (ones - 1)) & 0x3F)};
}

enum class LogicalOp : uint8_t { AND, ORR, EOR, ANDS };
constexpr uint32_t logical_imm(bool sf, LogicalOp opc, Reg rd, Reg rn, LogicalImmediate imm) {
  assert(sf || imm.n == 0);
  return detail::sf_bit(sf) | detail::field(static_cast<uint8_t>(opc), 2, 29) | 0x12000000u |
         detail::field(imm.n, 1, 22) | detail::field(imm.immr, 6, 16) | detail::field(imm.imms, 6, 10) |
         detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t and_imm(bool sf, Reg rd, Reg rn, LogicalImmediate imm) {
  return logical_imm(sf, LogicalOp::AND, rd, rn, imm);
}
constexpr uint32_t orr_imm(bool sf, Reg rd, Reg rn, LogicalImmediate imm) {
  return logical_imm(sf, LogicalOp::ORR, rd, rn, imm);
}
constexpr uint32_t eor_imm(bool sf, Reg rd, Reg rn, LogicalImmediate imm) {
  return logical_imm(sf, LogicalOp::EOR, rd, rn, imm);
}
constexpr uint32_t ands_imm(bool sf, Reg rd, Reg rn, LogicalImmediate imm) {
  return logical_imm(sf, LogicalOp::ANDS, rd, rn, imm);
}
constexpr uint32_t tst_imm(bool sf, Reg rn, LogicalImmediate imm) { return ands_imm(sf, XZR, rn, imm); }

// Move wide (immediate): sf opc 100101 hw imm16 Rd.
// Writes imm16 << (16 * hw): MOVZ zeroes the rest, MOVN inverts the result,
// MOVK keeps the rest. hw is 0..1 for W, 0..3 for X. Rd 31 is XZR.
enum class MoveWideOp : uint8_t { MOVN = 0, MOVZ = 2, MOVK = 3 };
constexpr uint32_t move_wide(bool sf, MoveWideOp opc, Reg rd, uint16_t imm16, unsigned hw) {
  assert(hw < (sf ? 4u : 2u));
  return detail::sf_bit(sf) | detail::field(static_cast<uint8_t>(opc), 2, 29) | 0x12800000u | detail::field(hw, 2, 21) |
         detail::field(imm16, 16, 5) | detail::reg(rd, 0);
}
constexpr uint32_t movn(bool sf, Reg rd, uint16_t imm16, unsigned hw = 0) {
  return move_wide(sf, MoveWideOp::MOVN, rd, imm16, hw);
}
constexpr uint32_t movz(bool sf, Reg rd, uint16_t imm16, unsigned hw = 0) {
  return move_wide(sf, MoveWideOp::MOVZ, rd, imm16, hw);
}
constexpr uint32_t movk(bool sf, Reg rd, uint16_t imm16, unsigned hw = 0) {
  return move_wide(sf, MoveWideOp::MOVK, rd, imm16, hw);
}

// Bitfield: sf opc 100110 N immr imms Rn Rd, with N = sf.
// With imms >= immr the field Rn<imms:immr> goes to the bottom of Rd; with
// imms < immr the field Rn<imms:0> goes to bit (width - immr). Shifts by an
// immediate, extensions and bitfield moves are all aliases of these three.
// Register 31 is XZR.
enum class BitfieldOp : uint8_t { SBFM, BFM, UBFM };
constexpr uint32_t bitfield(bool sf, BitfieldOp opc, Reg rd, Reg rn, unsigned immr, unsigned imms) {
  assert(immr < detail::width(sf) && imms < detail::width(sf));
  return detail::sf_bit(sf) | detail::field(static_cast<uint8_t>(opc), 2, 29) | 0x13000000u | detail::field(sf, 1, 22) |
         detail::field(immr, 6, 16) | detail::field(imms, 6, 10) | detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t sbfm(bool sf, Reg rd, Reg rn, unsigned immr, unsigned imms) {
  return bitfield(sf, BitfieldOp::SBFM, rd, rn, immr, imms);
}
constexpr uint32_t bfm(bool sf, Reg rd, Reg rn, unsigned immr, unsigned imms) {
  return bitfield(sf, BitfieldOp::BFM, rd, rn, immr, imms);
}
constexpr uint32_t ubfm(bool sf, Reg rd, Reg rn, unsigned immr, unsigned imms) {
  return bitfield(sf, BitfieldOp::UBFM, rd, rn, immr, imms);
}
// Shifts by 0..width-1.
constexpr uint32_t lsl_imm(bool sf, Reg rd, Reg rn, unsigned shift) {
  const unsigned w = detail::width(sf);
  assert(shift < w);
  return ubfm(sf, rd, rn, (w - shift) % w, w - 1 - shift);
}
constexpr uint32_t lsr_imm(bool sf, Reg rd, Reg rn, unsigned shift) {
  return ubfm(sf, rd, rn, shift, detail::width(sf) - 1);
}
constexpr uint32_t asr_imm(bool sf, Reg rd, Reg rn, unsigned shift) {
  return sbfm(sf, rd, rn, shift, detail::width(sf) - 1);
}
// Zero-extensions exist only as W forms: a W result already zeroes the top.
constexpr uint32_t uxtb(Reg rd, Reg rn) { return ubfm(false, rd, rn, 0, 7); }
constexpr uint32_t uxth(Reg rd, Reg rn) { return ubfm(false, rd, rn, 0, 15); }
// Sign-extensions of the low byte/half/word of Wn into Wd (sf false) or Xd.
constexpr uint32_t sxtb(bool sf, Reg rd, Reg rn) { return sbfm(sf, rd, rn, 0, 7); }
constexpr uint32_t sxth(bool sf, Reg rd, Reg rn) { return sbfm(sf, rd, rn, 0, 15); }
constexpr uint32_t sxtw(Reg rd, Reg rn) { return sbfm(true, rd, rn, 0, 31); }
// Bitfield extract and insert: `width` bits at `lsb`, 1 <= width <= size - lsb.
constexpr uint32_t ubfx(bool sf, Reg rd, Reg rn, unsigned lsb, unsigned width) {
  assert(width >= 1 && lsb + width <= detail::width(sf));
  return ubfm(sf, rd, rn, lsb, lsb + width - 1);
}
constexpr uint32_t sbfx(bool sf, Reg rd, Reg rn, unsigned lsb, unsigned width) {
  assert(width >= 1 && lsb + width <= detail::width(sf));
  return sbfm(sf, rd, rn, lsb, lsb + width - 1);
}
constexpr uint32_t bfi(bool sf, Reg rd, Reg rn, unsigned lsb, unsigned width) {
  const unsigned w = detail::width(sf);
  assert(width >= 1 && lsb + width <= w);
  return bfm(sf, rd, rn, (w - lsb) % w, width - 1);
}

// Extract: sf 00 100111 N 0 Rm imms Rn Rd, with N = sf.
// Rd = (Rn:Rm) >> lsb, the low half of the concatenation; with Rn = Rm it is
// a rotate, which is how ROR (immediate) is encoded. Register 31 is XZR.
constexpr uint32_t extr(bool sf, Reg rd, Reg rn, Reg rm, unsigned lsb) {
  assert(lsb < detail::width(sf));
  return detail::sf_bit(sf) | 0x13800000u | detail::field(sf, 1, 22) | detail::reg(rm, 16) | detail::field(lsb, 6, 10) |
         detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t ror_imm(bool sf, Reg rd, Reg rs, unsigned shift) { return extr(sf, rd, rs, rs, shift); }

// ---------------------------------------------------------------------------
// Data processing — register. Register 31 is XZR in every operand here.
// ---------------------------------------------------------------------------

// Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd.
// Rm is shifted by 0..width-1 first (not by ROR). Since 31 is XZR, not SP,
// adding to SP needs the immediate form (or the extended-register class).
constexpr uint32_t add_sub_reg(bool sf, bool sub, bool set_flags, Reg rd, Reg rn, Reg rm, Shift shift,
                               unsigned amount) {
  assert(shift != Shift::ROR && amount < detail::width(sf));
  return detail::sf_bit(sf) | uint32_t{sub} << 30 | uint32_t{set_flags} << 29 | 0x0B000000u |
         detail::field(static_cast<uint8_t>(shift), 2, 22) | detail::reg(rm, 16) | detail::field(amount, 6, 10) |
         detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t add_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return add_sub_reg(sf, false, false, rd, rn, rm, shift, amount);
}
constexpr uint32_t adds_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return add_sub_reg(sf, false, true, rd, rn, rm, shift, amount);
}
constexpr uint32_t sub_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return add_sub_reg(sf, true, false, rd, rn, rm, shift, amount);
}
constexpr uint32_t subs_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return add_sub_reg(sf, true, true, rd, rn, rm, shift, amount);
}
constexpr uint32_t cmp_reg(bool sf, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return subs_reg(sf, XZR, rn, rm, shift, amount);
}
constexpr uint32_t cmn_reg(bool sf, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return adds_reg(sf, XZR, rn, rm, shift, amount);
}
constexpr uint32_t neg(bool sf, Reg rd, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return sub_reg(sf, rd, XZR, rm, shift, amount);
}

// Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd.
// N inverts Rm (BIC, ORN, EON, BICS). MOV (register) is ORR from XZR, which
// is why it cannot read or write SP; MVN is ORN from XZR.
constexpr uint32_t logical_reg(bool sf, LogicalOp opc, bool invert_rm, Reg rd, Reg rn, Reg rm, Shift shift,
                               unsigned amount) {
  assert(amount < detail::width(sf));
  return detail::sf_bit(sf) | detail::field(static_cast<uint8_t>(opc), 2, 29) | 0x0A000000u |
         detail::field(static_cast<uint8_t>(shift), 2, 22) | uint32_t{invert_rm} << 21 | detail::reg(rm, 16) |
         detail::field(amount, 6, 10) | detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t and_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::AND, false, rd, rn, rm, shift, amount);
}
constexpr uint32_t bic_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::AND, true, rd, rn, rm, shift, amount);
}
constexpr uint32_t orr_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::ORR, false, rd, rn, rm, shift, amount);
}
constexpr uint32_t orn_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::ORR, true, rd, rn, rm, shift, amount);
}
constexpr uint32_t eor_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::EOR, false, rd, rn, rm, shift, amount);
}
constexpr uint32_t eon_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::EOR, true, rd, rn, rm, shift, amount);
}
constexpr uint32_t ands_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::ANDS, false, rd, rn, rm, shift, amount);
}
constexpr uint32_t bics_reg(bool sf, Reg rd, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return logical_reg(sf, LogicalOp::ANDS, true, rd, rn, rm, shift, amount);
}
constexpr uint32_t tst_reg(bool sf, Reg rn, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return ands_reg(sf, XZR, rn, rm, shift, amount);
}
constexpr uint32_t mov_reg(bool sf, Reg rd, Reg rm) { return orr_reg(sf, rd, XZR, rm); }
constexpr uint32_t mvn(bool sf, Reg rd, Reg rm, Shift shift = Shift::LSL, unsigned amount = 0) {
  return orn_reg(sf, rd, XZR, rm, shift, amount);
}

// Data-processing (2 source): sf 0 0 11010110 Rm opcode Rn Rd.
// Division by zero gives 0 and INT_MIN / -1 gives INT_MIN, without a trap.
// Variable shifts take the count modulo the width (the BPF rule).
enum class DataProc2Op : uint8_t { UDIV = 0x02, SDIV = 0x03, LSLV = 0x08, LSRV = 0x09, ASRV = 0x0A, RORV = 0x0B };
constexpr uint32_t data_proc_2(bool sf, DataProc2Op opcode, Reg rd, Reg rn, Reg rm) {
  return detail::sf_bit(sf) | 0x1AC00000u | detail::reg(rm, 16) | detail::field(static_cast<uint8_t>(opcode), 6, 10) |
         detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t udiv(bool sf, Reg rd, Reg rn, Reg rm) { return data_proc_2(sf, DataProc2Op::UDIV, rd, rn, rm); }
constexpr uint32_t sdiv(bool sf, Reg rd, Reg rn, Reg rm) { return data_proc_2(sf, DataProc2Op::SDIV, rd, rn, rm); }
constexpr uint32_t lslv(bool sf, Reg rd, Reg rn, Reg rm) { return data_proc_2(sf, DataProc2Op::LSLV, rd, rn, rm); }
constexpr uint32_t lsrv(bool sf, Reg rd, Reg rn, Reg rm) { return data_proc_2(sf, DataProc2Op::LSRV, rd, rn, rm); }
constexpr uint32_t asrv(bool sf, Reg rd, Reg rn, Reg rm) { return data_proc_2(sf, DataProc2Op::ASRV, rd, rn, rm); }
constexpr uint32_t rorv(bool sf, Reg rd, Reg rn, Reg rm) { return data_proc_2(sf, DataProc2Op::RORV, rd, rn, rm); }

// Data-processing (3 source): sf 00 11011 000 Rm o0 Ra Rn Rd.
// Rd = Ra + Rn * Rm (MADD) or Ra - Rn * Rm (MSUB); MUL is MADD with Ra =
// XZR, and a remainder is MSUB of the quotient: n - (n / m) * m.
constexpr uint32_t data_proc_3(bool sf, bool sub, Reg rd, Reg rn, Reg rm, Reg ra) {
  return detail::sf_bit(sf) | 0x1B000000u | detail::reg(rm, 16) | uint32_t{sub} << 15 | detail::reg(ra, 10) |
         detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t madd(bool sf, Reg rd, Reg rn, Reg rm, Reg ra) { return data_proc_3(sf, false, rd, rn, rm, ra); }
constexpr uint32_t msub(bool sf, Reg rd, Reg rn, Reg rm, Reg ra) { return data_proc_3(sf, true, rd, rn, rm, ra); }
constexpr uint32_t mul(bool sf, Reg rd, Reg rn, Reg rm) { return madd(sf, rd, rn, rm, XZR); }

// Data-processing (1 source): sf 1 0 11010110 00000 opcode Rn Rd.
// The byte reverses: REV reverses the whole register (opcode 2 for W, 3 for
// X), REV16 each halfword, REV32 (X only; the same opcode as REV W) each
// word. A BPF 16-bit swap is REV16 then a zero-extension.
constexpr uint32_t data_proc_1(bool sf, unsigned opcode, Reg rd, Reg rn) {
  return detail::sf_bit(sf) | 0x5AC00000u | detail::field(opcode, 6, 10) | detail::reg(rn, 5) | detail::reg(rd, 0);
}
constexpr uint32_t rev16(bool sf, Reg rd, Reg rn) { return data_proc_1(sf, 1, rd, rn); }
constexpr uint32_t rev32(Reg rd, Reg rn) { return data_proc_1(true, 2, rd, rn); }
constexpr uint32_t rev(bool sf, Reg rd, Reg rn) { return data_proc_1(sf, sf ? 3 : 2, rd, rn); }

// Conditional select: sf op S=0 11010100 Rm cond op2 Rn Rd.
// Rd = cond ? Rn : f(Rm) with f = identity (CSEL), +1 (CSINC), ~ (CSINV),
// negate (CSNEG). CSET is CSINC from XZR under the inverted condition, so it
// must not be given AL or NV.
enum class CondSelectOp : uint8_t { CSEL, CSINC, CSINV, CSNEG };
constexpr uint32_t cond_select(bool sf, CondSelectOp op, Reg rd, Reg rn, Reg rm, Cond cond) {
  const unsigned o = static_cast<uint8_t>(op);
  return detail::sf_bit(sf) | uint32_t{o >> 1} << 30 | 0x1A800000u | detail::reg(rm, 16) |
         detail::field(static_cast<uint8_t>(cond), 4, 12) | detail::field(o & 1, 2, 10) | detail::reg(rn, 5) |
         detail::reg(rd, 0);
}
constexpr uint32_t csel(bool sf, Reg rd, Reg rn, Reg rm, Cond cond) {
  return cond_select(sf, CondSelectOp::CSEL, rd, rn, rm, cond);
}
constexpr uint32_t csinc(bool sf, Reg rd, Reg rn, Reg rm, Cond cond) {
  return cond_select(sf, CondSelectOp::CSINC, rd, rn, rm, cond);
}
constexpr uint32_t csinv(bool sf, Reg rd, Reg rn, Reg rm, Cond cond) {
  return cond_select(sf, CondSelectOp::CSINV, rd, rn, rm, cond);
}
constexpr uint32_t csneg(bool sf, Reg rd, Reg rn, Reg rm, Cond cond) {
  return cond_select(sf, CondSelectOp::CSNEG, rd, rn, rm, cond);
}
// Rd = cond ? 1 : 0, and Rd = cond ? -1 : 0.
constexpr uint32_t cset(bool sf, Reg rd, Cond cond) {
  assert(cond != Cond::AL && cond != Cond::NV);
  return csinc(sf, rd, XZR, XZR, invert(cond));
}
constexpr uint32_t csetm(bool sf, Reg rd, Cond cond) {
  assert(cond != Cond::AL && cond != Cond::NV);
  return csinv(sf, rd, XZR, XZR, invert(cond));
}

// ---------------------------------------------------------------------------
// Loads and stores. Register 31 is SP as the base (Rn) and XZR as the data
// register (Rt, Rt2, Rs): `str wzr, [x0]` stores zero.
// ---------------------------------------------------------------------------

// The `opc` field of single-register loads and stores: a narrow load
// zero-extends into the whole X register; LDRS sign-extends to X (opc 2) or
// to W (opc 3).
enum class LoadStoreOp : uint8_t { STR, LDR, LDRS_X, LDRS_W };

// Load/store register (unsigned immediate): size 111 0 01 opc imm12 Rn Rt.
// The offset is in bytes, a multiple of the access size up to 4095 times it.
constexpr bool fits_unsigned_offset(Size size, int64_t offset) {
  const int64_t bytes = bytes_of(size);
  return offset >= 0 && offset % bytes == 0 && offset / bytes < 4096;
}
constexpr uint32_t load_store_unsigned(Size size, LoadStoreOp opc, Reg rt, Reg rn, uint32_t offset) {
  assert(fits_unsigned_offset(size, offset));
  return detail::field(static_cast<uint8_t>(size), 2, 30) | 0x39000000u |
         detail::field(static_cast<uint8_t>(opc), 2, 22) |
         detail::field(offset >> static_cast<unsigned>(size), 12, 10) | detail::reg(rn, 5) | detail::reg(rt, 0);
}
constexpr uint32_t ldr_imm(Size size, Reg rt, Reg rn, uint32_t offset = 0) {
  return load_store_unsigned(size, LoadStoreOp::LDR, rt, rn, offset);
}
constexpr uint32_t str_imm(Size size, Reg rt, Reg rn, uint32_t offset = 0) {
  return load_store_unsigned(size, LoadStoreOp::STR, rt, rn, offset);
}
// LDRSB/LDRSH/LDRSW into Xt.
constexpr uint32_t ldrs_imm(Size size, Reg rt, Reg rn, uint32_t offset = 0) {
  assert(size != Size::k64);
  return load_store_unsigned(size, LoadStoreOp::LDRS_X, rt, rn, offset);
}

// Load/store register (unscaled immediate): size 111 0 00 opc 0 imm9 00 Rn Rt.
// Any byte offset in -256..255: the form for negative or unaligned offsets.
constexpr bool fits_unscaled_offset(int64_t offset) { return detail::fits_signed(offset, 9); }
constexpr uint32_t load_store_unscaled(Size size, LoadStoreOp opc, Reg rt, Reg rn, int32_t offset) {
  assert(fits_unscaled_offset(offset));
  return detail::field(static_cast<uint8_t>(size), 2, 30) | 0x38000000u |
         detail::field(static_cast<uint8_t>(opc), 2, 22) | detail::field(static_cast<uint32_t>(offset), 9, 12) |
         detail::reg(rn, 5) | detail::reg(rt, 0);
}
constexpr uint32_t ldur(Size size, Reg rt, Reg rn, int32_t offset) {
  return load_store_unscaled(size, LoadStoreOp::LDR, rt, rn, offset);
}
constexpr uint32_t stur(Size size, Reg rt, Reg rn, int32_t offset) {
  return load_store_unscaled(size, LoadStoreOp::STR, rt, rn, offset);
}
// LDURSB/LDURSH/LDURSW into Xt.
constexpr uint32_t ldurs(Size size, Reg rt, Reg rn, int32_t offset) {
  assert(size != Size::k64);
  return load_store_unscaled(size, LoadStoreOp::LDRS_X, rt, rn, offset);
}

// Load/store register (register offset):
// size 111 0 00 opc 1 Rm option S 10 Rn Rt.
// The address is Xn + Xm (option LSL/UXTX), or Xn + (Xm << size) when
// `scaled`. Rm 31 is XZR here, not SP.
constexpr uint32_t load_store_register(Size size, LoadStoreOp opc, Reg rt, Reg rn, Reg rm, bool scaled) {
  constexpr uint32_t kOptionLsl = 3;
  return detail::field(static_cast<uint8_t>(size), 2, 30) | 0x38200800u |
         detail::field(static_cast<uint8_t>(opc), 2, 22) | detail::reg(rm, 16) | kOptionLsl << 13 |
         uint32_t{scaled} << 12 | detail::reg(rn, 5) | detail::reg(rt, 0);
}
constexpr uint32_t ldr_reg(Size size, Reg rt, Reg rn, Reg rm, bool scaled = false) {
  return load_store_register(size, LoadStoreOp::LDR, rt, rn, rm, scaled);
}
constexpr uint32_t str_reg(Size size, Reg rt, Reg rn, Reg rm, bool scaled = false) {
  return load_store_register(size, LoadStoreOp::STR, rt, rn, rm, scaled);
}
constexpr uint32_t ldrs_reg(Size size, Reg rt, Reg rn, Reg rm, bool scaled = false) {
  assert(size != Size::k64);
  return load_store_register(size, LoadStoreOp::LDRS_X, rt, rn, rm, scaled);
}

// Load/store register pair (post-indexed / offset / pre-indexed):
// opc 101 0 type L imm7 Rt2 Rn Rt, type 001 / 010 / 011.
// imm7 is scaled by the register size: -512..504 bytes for X, -256..252 for
// W. Pre-index writes the address back before the access, post-index after:
// `stp x29, x30, [sp, #-16]!` pushes, `ldp x29, x30, [sp], #16` pops.
enum class PairIndex : uint8_t { Post = 1, Offset = 2, Pre = 3 };
constexpr bool fits_pair_offset(bool sf, int64_t offset) {
  const int64_t bytes = sf ? 8 : 4;
  return offset % bytes == 0 && detail::fits_signed(offset / bytes, 7);
}
constexpr uint32_t load_store_pair(bool sf, PairIndex index, bool load, Reg rt, Reg rt2, Reg rn, int32_t offset) {
  assert(fits_pair_offset(sf, offset));
  return (sf ? 2u << 30 : 0) | 0x28000000u | detail::field(static_cast<uint8_t>(index), 3, 23) | uint32_t{load} << 22 |
         detail::field(static_cast<uint32_t>(offset / (sf ? 8 : 4)), 7, 15) | detail::reg(rt2, 10) |
         detail::reg(rn, 5) | detail::reg(rt, 0);
}
constexpr uint32_t ldp(bool sf, Reg rt, Reg rt2, Reg rn, int32_t offset = 0) {
  return load_store_pair(sf, PairIndex::Offset, true, rt, rt2, rn, offset);
}
constexpr uint32_t ldp_pre(bool sf, Reg rt, Reg rt2, Reg rn, int32_t offset) {
  return load_store_pair(sf, PairIndex::Pre, true, rt, rt2, rn, offset);
}
constexpr uint32_t ldp_post(bool sf, Reg rt, Reg rt2, Reg rn, int32_t offset) {
  return load_store_pair(sf, PairIndex::Post, true, rt, rt2, rn, offset);
}
constexpr uint32_t stp(bool sf, Reg rt, Reg rt2, Reg rn, int32_t offset = 0) {
  return load_store_pair(sf, PairIndex::Offset, false, rt, rt2, rn, offset);
}
constexpr uint32_t stp_pre(bool sf, Reg rt, Reg rt2, Reg rn, int32_t offset) {
  return load_store_pair(sf, PairIndex::Pre, false, rt, rt2, rn, offset);
}
constexpr uint32_t stp_post(bool sf, Reg rt, Reg rt2, Reg rn, int32_t offset) {
  return load_store_pair(sf, PairIndex::Post, false, rt, rt2, rn, offset);
}

// ---------------------------------------------------------------------------
// Branches. Displacements are byte offsets from the branch itself, multiples
// of 4, stored as a signed word count: imm26 reaches ±128 MiB, imm19 ±1 MiB,
// imm14 ±32 KiB.
// ---------------------------------------------------------------------------

constexpr bool fits_branch(int64_t disp, unsigned imm_bits) {
  return disp % 4 == 0 && detail::fits_signed(disp / 4, imm_bits);
}
constexpr bool fits_imm26(int64_t disp) { return fits_branch(disp, 26); }
constexpr bool fits_imm19(int64_t disp) { return fits_branch(disp, 19); }
constexpr bool fits_imm14(int64_t disp) { return fits_branch(disp, 14); }

namespace detail {
constexpr uint32_t imm26(int64_t disp) {
  assert(fits_imm26(disp));
  return field(static_cast<uint64_t>(disp / 4), 26, 0);
}
constexpr uint32_t imm19(int64_t disp) {
  assert(fits_imm19(disp));
  return field(static_cast<uint64_t>(disp / 4), 19, 5);
}
constexpr uint32_t imm14(int64_t disp) {
  assert(fits_imm14(disp));
  return field(static_cast<uint64_t>(disp / 4), 14, 5);
}
}  // namespace detail

// Unconditional branch (immediate): op 00101 imm26. BL writes X30.
constexpr uint32_t b(int64_t disp) { return 0x14000000u | detail::imm26(disp); }
constexpr uint32_t bl(int64_t disp) { return 0x94000000u | detail::imm26(disp); }

// Conditional branch (immediate): 0101010 0 imm19 0 cond.
constexpr uint32_t b_cond(Cond cond, int64_t disp) {
  return 0x54000000u | detail::imm19(disp) | detail::field(static_cast<uint8_t>(cond), 4, 0);
}

// Compare and branch (immediate): sf 011010 op imm19 Rt. Rt 31 is XZR.
constexpr uint32_t cbz(bool sf, Reg rt, int64_t disp) {
  return detail::sf_bit(sf) | 0x34000000u | detail::imm19(disp) | detail::reg(rt, 0);
}
constexpr uint32_t cbnz(bool sf, Reg rt, int64_t disp) { return cbz(sf, rt, disp) | 1u << 24; }

// Test and branch (immediate): b5 011011 op b40 imm14 Rt.
// The bit number 0..63 is split: its top bit is the instruction's bit 31,
// so a bit below 32 reads as a W register in assembly.
constexpr uint32_t tbz(Reg rt, unsigned bit, int64_t disp) {
  assert(bit < 64);
  return detail::field(bit >> 5, 1, 31) | 0x36000000u | detail::field(bit, 5, 19) | detail::imm14(disp) |
         detail::reg(rt, 0);
}
constexpr uint32_t tbnz(Reg rt, unsigned bit, int64_t disp) { return tbz(rt, bit, disp) | 1u << 24; }

// Unconditional branch (register): 1101011 opc 11111 000000 Rn 00000.
constexpr uint32_t br(Reg rn) { return 0xD61F0000u | detail::reg(rn, 5); }
constexpr uint32_t blr(Reg rn) { return 0xD63F0000u | detail::reg(rn, 5); }
constexpr uint32_t ret(Reg rn = kLr) { return 0xD65F0000u | detail::reg(rn, 5); }

// Fixups: rewrite the displacement of an already-encoded branch in place.
// Each returns false, leaving the word unchanged, if `disp` is misaligned
// or out of the field's range. imm26: B, BL. imm19: B.cond, CBZ, CBNZ (and
// LDR literal). imm14: TBZ, TBNZ.
constexpr bool patch_imm26(uint32_t& word, int64_t disp) {
  if (!fits_imm26(disp)) return false;
  word = (word & ~0x03FFFFFFu) | detail::imm26(disp);
  return true;
}
constexpr bool patch_imm19(uint32_t& word, int64_t disp) {
  if (!fits_imm19(disp)) return false;
  word = (word & ~(0x7FFFFu << 5)) | detail::imm19(disp);
  return true;
}
constexpr bool patch_imm14(uint32_t& word, int64_t disp) {
  if (!fits_imm14(disp)) return false;
  word = (word & ~(0x3FFFu << 5)) | detail::imm14(disp);
  return true;
}

// ---------------------------------------------------------------------------
// Atomics and barriers. As in every load and store, the base (Rn) 31 is SP
// and the data registers (Rs, Rt) 31 are XZR. These classes have no offset:
// the address is exactly Xn.
// ---------------------------------------------------------------------------

// The ordering variants: A = acquire (the load part), L = release (the
// store part), AL = both.
enum class Order : uint8_t { Plain, Acquire, Release, AcqRel };
namespace detail {
constexpr bool acquires(Order o) { return o == Order::Acquire || o == Order::AcqRel; }
constexpr bool releases(Order o) { return o == Order::Release || o == Order::AcqRel; }
constexpr uint32_t size_bits(bool sf) { return sf ? 3u << 30 : 2u << 30; }
}  // namespace detail

// Atomic memory operations (FEAT_LSE): size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt.
// Atomically: Rt = old [Xn]; [Xn] = op(old, Rs). LDCLR is AND NOT (so an
// atomic AND is an MVN then LDCLR) and SWP (o3 = 1) stores Rs. With Rt =
// XZR and no acquire, the assembler prints the non-fetching STADD etc.
// Illegal instructions before Armv8.1: callers check HWCAP_ATOMICS.
enum class AtomicOp : uint8_t { LDADD = 0, LDCLR = 1, LDEOR = 2, LDSET = 3, SWP = 8 };
constexpr uint32_t atomic_memory(bool sf, AtomicOp op, Order order, Reg rs, Reg rt, Reg rn) {
  return detail::size_bits(sf) | 0x38200000u | uint32_t{detail::acquires(order)} << 23 |
         uint32_t{detail::releases(order)} << 22 | detail::reg(rs, 16) |
         detail::field(static_cast<uint8_t>(op), 4, 12) | detail::reg(rn, 5) | detail::reg(rt, 0);
}
constexpr uint32_t ldadd(bool sf, Order order, Reg rs, Reg rt, Reg rn) {
  return atomic_memory(sf, AtomicOp::LDADD, order, rs, rt, rn);
}
constexpr uint32_t ldclr(bool sf, Order order, Reg rs, Reg rt, Reg rn) {
  return atomic_memory(sf, AtomicOp::LDCLR, order, rs, rt, rn);
}
constexpr uint32_t ldeor(bool sf, Order order, Reg rs, Reg rt, Reg rn) {
  return atomic_memory(sf, AtomicOp::LDEOR, order, rs, rt, rn);
}
constexpr uint32_t ldset(bool sf, Order order, Reg rs, Reg rt, Reg rn) {
  return atomic_memory(sf, AtomicOp::LDSET, order, rs, rt, rn);
}
constexpr uint32_t swp(bool sf, Order order, Reg rs, Reg rt, Reg rn) {
  return atomic_memory(sf, AtomicOp::SWP, order, rs, rt, rn);
}

// Compare and swap (FEAT_LSE): size 001000 1 L 1 Rs o0 11111 Rn Rt.
// Atomically: old = [Xn]; if old == Rs then [Xn] = Rt; Rs = old. Unlike
// the class above, acquire is L (bit 22) and release is o0 (bit 15).
constexpr uint32_t cas(bool sf, Order order, Reg rs, Reg rt, Reg rn) {
  return detail::size_bits(sf) | 0x08A07C00u | uint32_t{detail::acquires(order)} << 22 | detail::reg(rs, 16) |
         uint32_t{detail::releases(order)} << 15 | detail::reg(rn, 5) | detail::reg(rt, 0);
}

// Load/store exclusive register: size 001000 0 L 0 Rs o0 11111 Rn Rt.
// The fallback without LSE: LDXR marks the address, STXR stores only if the
// mark survived and writes 0 (stored) or 1 (retry) to Ws. Rs must differ
// from Rt and Rn. o0 makes LDXR acquire (LDAXR) and STXR release (STLXR).
constexpr uint32_t load_store_exclusive(bool sf, bool load, bool ordered, Reg rs, Reg rt, Reg rn) {
  return detail::size_bits(sf) | 0x08007C00u | uint32_t{load} << 22 | detail::reg(rs, 16) | uint32_t{ordered} << 15 |
         detail::reg(rn, 5) | detail::reg(rt, 0);
}
constexpr uint32_t ldxr(bool sf, Reg rt, Reg rn) { return load_store_exclusive(sf, true, false, XZR, rt, rn); }
constexpr uint32_t ldaxr(bool sf, Reg rt, Reg rn) { return load_store_exclusive(sf, true, true, XZR, rt, rn); }
constexpr uint32_t stxr(bool sf, Reg ws, Reg rt, Reg rn) { return load_store_exclusive(sf, false, false, ws, rt, rn); }
constexpr uint32_t stlxr(bool sf, Reg ws, Reg rt, Reg rn) { return load_store_exclusive(sf, false, true, ws, rt, rn); }

// Barriers: 1101010100 0 00 011 0011 CRm 101 11111 (DMB), CRm the domain
// and access types. ISH orders everything among the inner-shareable
// observers (all cores of one OS); ISHLD only loads before loads and
// stores, ISHST only stores before stores.
enum class BarrierOption : uint8_t { ISHLD = 0x9, ISHST = 0xA, ISH = 0xB, SY = 0xF };
constexpr uint32_t dmb(BarrierOption option) { return 0xD50330BFu | detail::field(static_cast<uint8_t>(option), 4, 8); }

// Hints: NOP. Exception generation: BRK #imm16 (a debug trap, SIGTRAP in
// user space; a JIT pads and fences unreachable code with it).
constexpr uint32_t nop() { return 0xD503201Fu; }
constexpr uint32_t brk(uint16_t imm16) { return 0xD4200000u | detail::field(imm16, 16, 5); }

}  // namespace sbpf::jit::a64
