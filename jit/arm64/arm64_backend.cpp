// The arm64 backend: BPF instructions to A64 code, one instruction at a
// time, with the verifier's annotations deciding where checks go. Same
// structure and NativeContext protocol as the x86-64 backend.
//
//   BPF  arm64  why
//   r0   x7     not x0: x0..x4 carry r1..r5 into helpers, and r0 must not
//               share a register with an argument
//   r1   x0     r1..r5 sit in AAPCS64's first five argument registers,
//   r2   x1       so a helper call passes them as they are
//   r3   x2
//   r4   x3
//   r5   x4
//   r6   x19    r6..r9 in callee-saved registers: helpers keep them
//   r7   x20
//   r8   x21
//   r9   x22
//   r10  x25    the frame pointer (callee-saved, as in the kernel's JIT)
//   r11  x23    the blinding register of a constant-blinding rewrite
//               (jit/constant_blinding.h); no sequence here uses it as
//               scratch
//   -    x26    the NativeContext, for the whole run (callee-saved)
//   -    x27    the loop budget: a counted back-edge is one `subs` on a
//               register, never a load and store per trip (callee-saved, so
//               helpers keep it)
//   -    x9..x12  scratch inside one BPF instruction (caller-saved):
//               x9 results (selects, calls, status), x10 addresses,
//               x11 immediates and loaded values, x12 far offsets
//
// The native stack holds no BPF data: frames live in the runtime's stack
// region, x25 points at the current one. The native stack pointer stays
// 16-byte aligned (AAPCS64 requires it at every access through sp), so each
// save below is a multiple of 16 bytes. Every `blr` saves x30 first: a
// callee of a local call returns through it.
#include "jit/arm64/arm64_backend.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include "isa/machine_limits.h"
#include "jit/arm64/a64_encoding.h"
#include "jit/code_buffer.h"
#include "jit/lowering.h"
#include "jit/lowering_plan.h"
#include "jit/native_program.h"

namespace sbpf::jit {

namespace {

using isa::Instruction;
using namespace a64;  // NOLINT: the encoders are this file's vocabulary

constexpr Reg kRegisterMap[isa::kNumRegisters + 1] = {X7, X0, X1, X2, X3, X4, X19, X20, X21, X22, X25, X23};
constexpr Reg kContext = X26;
constexpr Reg kBudget = X27;
constexpr Reg kResult = X9, kAddress = X10, kImmediate = X11, kFar = X12;

constexpr int64_t kFrameBytes = isa::kStackFrameBytes;
constexpr int64_t kMaxFrames = isa::kMaxFrames;

uint32_t read_word(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
void write_word(uint8_t* p, uint32_t w) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(w >> (8 * i));
}

// Branch displacements count from the branch itself, in words.
constexpr FixupKind kImm26{"imm26", -(int64_t{1} << 27), (int64_t{1} << 27) - 4, 4,
                           [](uint8_t* field, int64_t displacement) {
                             uint32_t w = read_word(field);
                             patch_imm26(w, displacement);
                             write_word(field, w);
                           }};
constexpr FixupKind kImm19{"imm19", -(int64_t{1} << 20), (int64_t{1} << 20) - 4, 4,
                           [](uint8_t* field, int64_t displacement) {
                             uint32_t w = read_word(field);
                             patch_imm19(w, displacement);
                             write_word(field, w);
                           }};

Size size_of(unsigned bytes) {
  switch (bytes) {
    case 1: return Size::k8;
    case 2: return Size::k16;
    case 4: return Size::k32;
    default: return Size::k64;
  }
}

// ---- encoding: each emit helper writes one native instruction, or the
// shortest sequence for an operand no single instruction takes ----

class Emitter {
 public:
  explicit Emitter(CodeBuffer& code) : c_(code) {}

  void word(uint32_t w) { c_.u32(w); }

  // A 64-bit constant: one `orr` of a bitmask, or `movz`/`movn` and a
  // `movk` per remaining 16-bit chunk, starting from whichever of all-zero
  // and all-one chunks is more common.
  void mov_imm(Reg rd, uint64_t v) {
    // Most constants are small: one `movz` or `movn`, what the counting
    // below would choose, without it.
    if (v <= 0xFFFF) return word(movz(true, rd, static_cast<uint16_t>(v), 0));
    if (~v <= 0xFFFF) return word(movn(true, rd, static_cast<uint16_t>(~v), 0));
    int zeros = 0, ones = 0;
    for (unsigned i = 0; i < 4; ++i) {
      const auto chunk = static_cast<uint16_t>(v >> (16 * i));
      zeros += chunk == 0;
      ones += chunk == 0xFFFF;
    }
    const bool inverted = ones > zeros;
    const int moves = 4 - (inverted ? ones : zeros);
    if (moves > 1) {
      if (const std::optional<LogicalImmediate> li = logical_immediate(true, v)) return word(orr_imm(true, rd, XZR, *li));
    }
    const uint16_t skip = inverted ? 0xFFFF : 0;
    bool first = true;
    for (unsigned i = 0; i < 4; ++i) {
      const auto chunk = static_cast<uint16_t>(v >> (16 * i));
      if (chunk == skip) continue;
      if (first) word(inverted ? movn(true, rd, static_cast<uint16_t>(~chunk), i) : movz(true, rd, chunk, i));
      else word(movk(true, rd, chunk, i));
      first = false;
    }
    if (first) word(inverted ? movn(true, rd, 0, 0) : movz(true, rd, 0, 0));
  }

  // rd = rn + v: an immediate form when v or -v has one, else through
  // `tmp`.
  void add_value(bool sf, Reg rd, Reg rn, int64_t v, Reg tmp) {
    if (v == 0 && sf) {  // a W add of 0 still zero-extends
      if (rd != rn) word(mov_reg(true, rd, rn));
      return;
    }
    const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    if (fits_add_sub_imm(magnitude)) {
      const bool lsl12 = magnitude >= 4096;
      const auto imm12 = static_cast<uint32_t>(lsl12 ? magnitude >> 12 : magnitude);
      return word(add_sub_imm(sf, v < 0, false, rd, rn, imm12, lsl12));
    }
    mov_imm(tmp, static_cast<uint64_t>(v));
    word(add_reg(sf, rd, rn, tmp));
  }
  // rd = rn - v, flags set: the `subs` a bounds check compares with.
  void subs_value(Reg rd, Reg rn, uint64_t v, Reg tmp) {
    if (fits_add_sub_imm(v)) {
      const bool lsl12 = v >= 4096;
      return word(subs_imm(true, rd, rn, static_cast<uint32_t>(lsl12 ? v >> 12 : v), lsl12));
    }
    mov_imm(tmp, v);
    word(subs_reg(true, rd, rn, tmp));
  }

  // A load or store of `size` at base + offset: the unscaled form for
  // small or negative offsets, the scaled one for aligned offsets, else the
  // offset through x12.
  void access(Size size, LoadStoreOp op, Reg rt, Reg base, int64_t offset) {
    if (fits_unscaled_offset(offset)) return word(load_store_unscaled(size, op, rt, base, static_cast<int32_t>(offset)));
    if (fits_unsigned_offset(size, offset))
      return word(load_store_unsigned(size, op, rt, base, static_cast<uint32_t>(offset)));
    mov_imm(kFar, static_cast<uint64_t>(offset));
    word(load_store_register(size, op, rt, base, kFar, false));
  }
  void load_context(Size size, Reg rt, size_t offset) {
    access(size, LoadStoreOp::LDR, rt, kContext, static_cast<int64_t>(offset));
  }
  void store_context(Size size, Reg rt, size_t offset) {
    access(size, LoadStoreOp::STR, rt, kContext, static_cast<int64_t>(offset));
  }

  void b(Label target) {
    const size_t field = c_.size();
    word(a64::b(0));
    c_.fixup(kImm26, field, field, target);
  }
  void bl(Label target) {
    const size_t field = c_.size();
    word(a64::bl(0));
    c_.fixup(kImm26, field, field, target);
  }
  // b.cond reaches ±1 MiB; past that, the inverted condition skips a `b`.
  // The code buffer shortens the pair to the b.cond when it reaches.
  void b_cond(Cond cond, Label target) {
    const size_t start = c_.size();
    word(a64::b_cond(invert(cond), 8));
    b(target);
    c_.shortenable_jump(start, target, short_branch(a64::b_cond(cond, 0)));
  }
  void cbz(bool sf, Reg rt, Label target, bool nonzero = false) {
    const size_t start = c_.size();
    word(nonzero ? a64::cbz(sf, rt, 8) : a64::cbnz(sf, rt, 8));
    b(target);
    c_.shortenable_jump(start, target, short_branch(nonzero ? a64::cbnz(sf, rt, 0) : a64::cbz(sf, rt, 0)));
  }
  void cbnz(bool sf, Reg rt, Label target) { cbz(sf, rt, target, true); }

 private:
  // A branch word whose imm19 counts from itself.
  static ShortJump short_branch(uint32_t w) {
    return {&kImm19,
            {static_cast<uint8_t>(w), static_cast<uint8_t>(w >> 8), static_cast<uint8_t>(w >> 16),
             static_cast<uint8_t>(w >> 24)},
            4, 0, 0};
  }

  CodeBuffer& c_;
};

// ---- instruction selection ----

Cond jump_condition(uint8_t op) {
  switch (op) {
    case isa::kJmpJeq: return Cond::EQ;
    case isa::kJmpJne: return Cond::NE;
    case isa::kJmpJset: return Cond::NE;  // after `tst`
    case isa::kJmpJgt: return Cond::HI;
    case isa::kJmpJge: return Cond::HS;
    case isa::kJmpJlt: return Cond::LO;
    case isa::kJmpJle: return Cond::LS;
    case isa::kJmpJsgt: return Cond::GT;
    case isa::kJmpJsge: return Cond::GE;
    case isa::kJmpJslt: return Cond::LT;
    case isa::kJmpJsle: return Cond::LE;
  }
  throw std::logic_error("jit: not a conditional jump");
}

class Compiler : public Lowering {
 public:
  Compiler(const LoweringPlan& plan, bool lse)
      : Lowering(plan), program_(plan.program()), annotations_(plan.annotations()), lse_(lse) {}

 private:
  static Reg reg(uint8_t bpf) { return kRegisterMap[bpf]; }

  void emit_prologue() override;
  void emit_instruction(size_t pc) override;
  void emit_jump(Label target) override { this->e().b(target); }
  void emit_entry_check(const VersionedLoop& loop) override;
  void emit_count(size_t context_offset) override;
  void emit_exits(Label abort_exit, Label epilogue) override;
  void emit_stub(const Stub& stub) override;

  Emitter e() { return Emitter(code()); }
  void word(uint32_t w) { code().u32(w); }
  uint32_t source_pc(size_t pc) const { return static_cast<uint32_t>(plan().source_pc(pc)); }
  Label abort_stub(NativeAbort kind, size_t pc, std::optional<Reg> value = std::nullopt);
  void emit_stub_code(const stub::LoopEntry&) {}  // the walk's own
  void emit_stub_code(const stub::Abort& abort);
  void emit_stub_code(const stub::GuardMiss& miss);
  void emit_stub_code(const stub::SelectBudget& out);
  void emit_stub_code(const stub::HelperCall& call);
  void emit_stub_code(const stub::PointerMiss& miss);

  void emit_alu(size_t pc, const Instruction& insn);
  void emit_arith(uint8_t op, bool sf, Reg dst, std::optional<Reg> src, int64_t imm);
  void emit_division(const Instruction& insn, Reg dst);
  void emit_byte_swap(const Instruction& insn, Reg dst);
  void emit_jump(size_t pc, const Instruction& insn);
  void emit_compare(const Instruction& insn);
  void emit_branch_to(size_t pc, int64_t target, std::optional<Cond> cond);
  void emit_select(size_t pc, const Instruction& insn, const Select& select, Cond taken);
  void emit_access(size_t pc, const Instruction& insn);
  void emit_guard(size_t pc, Reg base, int16_t offset, unsigned bytes);
  void emit_stack_check(Reg address, std::optional<Reg> length, unsigned bytes, Label pass);
  void emit_guard_runtime_call(Reg base, int64_t offset, size_t site);
  void emit_atomic(size_t pc, const Instruction& insn, Reg base);
  void emit_helper_call(size_t pc, const Instruction& insn);
  void emit_runtime_helper_call(size_t pc, const Instruction& insn);
  void emit_memory_helper(size_t pc, MemoryHelper kind);
  void emit_local_call(size_t pc, const Instruction& insn);
  // Around a call into C: r1..r5 (x0..x4) and x30, in 48 bytes.
  void save_call_registers();
  void restore_call_registers();

  const isa::Program& program_;
  const verifier::Annotations& annotations_;
  bool lse_;
};

void Compiler::emit_prologue() {
  // x29/x30 and the callee-saved registers the map uses, in one 96-byte
  // frame (x24 and x28 fill the pairs).
  word(stp_pre(true, kFp, kLr, SP, -96));
  word(mov_sp(true, kFp, SP));
  word(stp(true, X19, X20, SP, 16));
  word(stp(true, X21, X22, SP, 32));
  word(stp(true, X23, X24, SP, 48));
  word(stp(true, X25, X26, SP, 64));
  word(stp(true, X27, X28, SP, 80));
  word(mov_reg(true, kContext, X0));
  word(mov_sp(true, kResult, SP));
  this->e().store_context(Size::k64, kResult, offsetof(NativeContext, entry_stack));
  for (uint8_t r = 1; r <= 5; ++r) this->e().load_context(Size::k64, reg(r), offsetof(NativeContext, args) + 8 * (r - 1));
  this->e().load_context(Size::k64, reg(10), offsetof(NativeContext, stack_top));
  this->e().load_context(Size::k64, kBudget, offsetof(NativeContext, budget));
  // The interpreter starts the other registers at zero too.
  for (uint8_t r : {0, 6, 7, 8, 9}) word(movz(true, reg(r), 0));
}

// Unwinding from any depth: the entry function saved its stack pointer.
void Compiler::emit_exits(Label abort_exit, Label epilogue) {
  code().bind(abort_exit);
  this->e().load_context(Size::k64, kResult, offsetof(NativeContext, entry_stack));
  word(mov_sp(true, SP, kResult));
  code().bind(epilogue);
  word(mov_reg(true, X0, reg(0)));
  word(ldp(true, X27, X28, SP, 80));
  word(ldp(true, X25, X26, SP, 64));
  word(ldp(true, X23, X24, SP, 48));
  word(ldp(true, X21, X22, SP, 32));
  word(ldp(true, X19, X20, SP, 16));
  word(ldp_post(true, kFp, kLr, SP, 96));
  word(ret());
}

void Compiler::emit_count(size_t context_offset) {
  this->e().load_context(Size::k64, kResult, context_offset);
  word(add_imm(true, kResult, kResult, 1));
  this->e().store_context(Size::k64, kResult, context_offset);
}

void Compiler::emit_stub(const Stub& stub) {
  std::visit([this](const auto& record) { emit_stub_code(record); }, stub);
}

Label Compiler::abort_stub(NativeAbort kind, size_t pc, std::optional<Reg> value) {
  return stub(stub::Abort{kind, pc, value});
}

void Compiler::emit_stub_code(const stub::Abort& abort) {
  Emitter e = this->e();
  if (abort.value) e.store_context(Size::k64, static_cast<Reg>(*abort.value), offsetof(NativeContext, abort_value));
  e.mov_imm(kResult, source_pc(abort.pc));
  e.store_context(Size::k32, kResult, offsetof(NativeContext, abort_pc));
  e.mov_imm(kResult, static_cast<uint32_t>(abort.kind));
  e.store_context(Size::k32, kResult, offsetof(NativeContext, abort_kind));
  e.b(abort_exit());
}

void Compiler::save_call_registers() {
  word(stp_pre(true, X0, X1, SP, -48));
  word(stp(true, X2, X3, SP, 16));
  word(stp(true, X4, kLr, SP, 32));
}
void Compiler::restore_call_registers() {
  word(ldp(true, X4, kLr, SP, 32));
  word(ldp(true, X2, X3, SP, 16));
  word(ldp_post(true, X0, X1, SP, 48));
}

void Compiler::emit_instruction(size_t pc) {
  const Instruction& insn = program_.insns[pc];
  switch (insn.cls()) {
    case isa::kClassAlu:
    case isa::kClassAlu64: return emit_alu(pc, insn);
    case isa::kClassJmp:
    case isa::kClassJmp32: return emit_jump(pc, insn);
    case isa::kClassLdx:
    case isa::kClassSt:
    case isa::kClassStx: return emit_access(pc, insn);
    case isa::kClassLd:
      if (insn.is_lddw()) return this->e().mov_imm(reg(insn.dst), plan().constant_at(pc));
      break;
  }
  throw UnsupportedForJit("pc " + std::to_string(pc) + ": opcode " + std::to_string(insn.opcode) +
                          " has no native form");
}

// add, sub, or, and, xor, mul of dst and a register or an immediate (the
// BPF immediate sign-extended; a W operation sees its low half).
void Compiler::emit_arith(uint8_t op, bool sf, Reg dst, std::optional<Reg> src, int64_t imm) {
  Emitter e = this->e();
  if (!src) {
    if (op == isa::kAluAdd) return e.add_value(sf, dst, dst, imm, kImmediate);
    if (op == isa::kAluSub) return e.add_value(sf, dst, dst, -imm, kImmediate);
    if (op == isa::kAluAnd || op == isa::kAluOr || op == isa::kAluXor) {
      if (const std::optional<LogicalImmediate> li = logical_immediate(sf, static_cast<uint64_t>(imm))) {
        const LogicalOp lop = op == isa::kAluAnd ? LogicalOp::AND : op == isa::kAluOr ? LogicalOp::ORR : LogicalOp::EOR;
        return word(logical_imm(sf, lop, dst, dst, *li));
      }
    }
    e.mov_imm(kImmediate, static_cast<uint64_t>(imm));
    src = kImmediate;
  }
  switch (op) {
    case isa::kAluAdd: return word(add_reg(sf, dst, dst, *src));
    case isa::kAluSub: return word(sub_reg(sf, dst, dst, *src));
    case isa::kAluOr: return word(orr_reg(sf, dst, dst, *src));
    case isa::kAluAnd: return word(and_reg(sf, dst, dst, *src));
    case isa::kAluXor: return word(eor_reg(sf, dst, dst, *src));
    case isa::kAluMul: return word(mul(sf, dst, dst, *src));
  }
  throw std::logic_error("jit: not an arithmetic operation");
}

void Compiler::emit_alu(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  const bool sf = insn.cls() == isa::kClassAlu64;
  const Reg dst = reg(insn.dst);
  const bool by_reg = insn.source() == isa::kSourceX;
  const std::optional<Reg> src = by_reg ? std::optional<Reg>(reg(insn.src)) : std::nullopt;
  const int64_t imm = insn.imm;
  switch (insn.op()) {
    case isa::kAluAdd:
    case isa::kAluSub:
    case isa::kAluOr:
    case isa::kAluAnd:
    case isa::kAluXor:
    case isa::kAluMul: return emit_arith(insn.op(), sf, dst, src, imm);
    case isa::kAluMov:
      if (!by_reg) return e.mov_imm(dst, sf ? static_cast<uint64_t>(imm) : static_cast<uint32_t>(imm));
      // movsx: a W form sign-extends into 32 bits and zeroes the top.
      switch (insn.offset) {
        case 8: return word(sxtb(sf, dst, *src));
        case 16: return word(sxth(sf, dst, *src));
        case 32:
          if (sf) return word(sxtw(dst, *src));
          break;
      }
      return word(mov_reg(sf, dst, *src));
    case isa::kAluNeg: return word(neg(sf, dst, dst));
    case isa::kAluDiv:
    case isa::kAluMod: return emit_division(insn, dst);
    // Variable shifts take their count modulo the width, as BPF masks it;
    // an immediate count is masked here. A shift by 0 still moves: a W
    // result zero-extends.
    case isa::kAluLsh:
      if (src) return word(lslv(sf, dst, dst, *src));
      return word(lsl_imm(sf, dst, dst, static_cast<unsigned>(imm) & (sf ? 63 : 31)));
    case isa::kAluRsh:
      if (src) return word(lsrv(sf, dst, dst, *src));
      return word(lsr_imm(sf, dst, dst, static_cast<unsigned>(imm) & (sf ? 63 : 31)));
    case isa::kAluArsh:
      if (src) return word(asrv(sf, dst, dst, *src));
      return word(asr_imm(sf, dst, dst, static_cast<unsigned>(imm) & (sf ? 63 : 31)));
    case isa::kAluEnd: return emit_byte_swap(insn, dst);
  }
  throw UnsupportedForJit("pc " + std::to_string(pc) + ": ALU operation " + std::to_string(insn.op()));
}

// udiv and sdiv already give BPF's answers: x / 0 = 0 and MIN / -1 = MIN,
// no trap. A remainder is the dividend minus quotient times divisor
// (msub), which makes x % 0 = x and MIN % -1 = 0 with no branch; the W forms
// give the 32-bit results, zero-extended.
void Compiler::emit_division(const Instruction& insn, Reg dst) {
  Emitter e = this->e();
  const bool sf = insn.cls() == isa::kClassAlu64;
  const bool is_signed = insn.offset != 0;
  Reg divisor = kImmediate;
  if (insn.source() == isa::kSourceX) divisor = reg(insn.src);
  else e.mov_imm(kImmediate, static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  const auto divide = [&](Reg rd) { word(is_signed ? sdiv(sf, rd, dst, divisor) : udiv(sf, rd, dst, divisor)); };
  if (insn.op() == isa::kAluDiv) return divide(dst);
  divide(kResult);
  word(msub(sf, dst, kResult, divisor, dst));
}

void Compiler::emit_byte_swap(const Instruction& insn, Reg dst) {
  const bool to_little = insn.cls() == isa::kClassAlu && insn.source() == isa::kSourceK;
  switch (insn.imm) {
    case 16:
      if (!to_little) word(rev16(false, dst, dst));
      word(uxth(dst, dst));
      return;
    case 32:
      word(to_little ? mov_reg(false, dst, dst) : rev(false, dst, dst));
      return;
    default:
      if (!to_little) word(rev(true, dst, dst));
      return;
  }
}

void Compiler::emit_jump(size_t pc, const Instruction& insn) {
  if (insn.is_exit()) {
    // The entry function returns to the runtime; a callee to its call site.
    if (program_.function_at(pc).start == 0) this->e().b(epilogue());
    else word(ret());
    return;
  }
  if (insn.opcode == isa::kOpCall) {
    if (insn.src == isa::kCallLocal) return emit_local_call(pc, insn);
    return emit_helper_call(pc, insn);
  }
  if (insn.is_callx()) return emit_helper_call(pc, insn);
  const int64_t target = insn.jump_target(pc);
  if (insn.op() == isa::kJmpJa) return emit_branch_to(pc, target, std::nullopt);
  const Cond taken = jump_condition(insn.op());
  if (const std::optional<Select>& select = plan().select_at(pc)) return emit_select(pc, insn, *select, taken);
  emit_compare(insn);
  emit_branch_to(pc, target, taken);
}

// Sets the flags for a conditional jump: `cmp` (or `cmn` of a small
// negative constant, which sets the same flags for a nonzero constant) or,
// for jset, `tst`. jmp32 compares the W registers.
void Compiler::emit_compare(const Instruction& insn) {
  Emitter e = this->e();
  const bool sf = insn.cls() == isa::kClassJmp;
  const Reg dst = reg(insn.dst);
  const bool test = insn.op() == isa::kJmpJset;
  if (insn.source() == isa::kSourceX) return word(test ? tst_reg(sf, dst, reg(insn.src)) : cmp_reg(sf, dst, reg(insn.src)));
  const int64_t imm = insn.imm;
  if (test) {
    if (const std::optional<LogicalImmediate> li = logical_immediate(sf, static_cast<uint64_t>(imm)))
      return word(tst_imm(sf, dst, *li));
  } else if (imm >= 0 && imm < 4096) {
    return word(cmp_imm(sf, dst, static_cast<uint32_t>(imm)));
  } else if (imm < 0 && imm > -4096) {
    return word(cmn_imm(sf, dst, static_cast<uint32_t>(-imm)));
  }
  e.mov_imm(kImmediate, static_cast<uint64_t>(imm));
  word(test ? tst_reg(sf, dst, kImmediate) : cmp_reg(sf, dst, kImmediate));
}

// A taken backward jump of a loop the verifier could not bound costs one
// unit of the budget; running out aborts with `loop_budget` at the jump.
// `subs` borrows (clears C: LO) when the budget was already zero.
void Compiler::emit_branch_to(size_t pc, int64_t target, std::optional<Cond> cond) {
  Emitter e = this->e();
  if (!plan().counted_back_edge(pc, target)) {
    if (cond) e.b_cond(*cond, jump_label(pc, target));
    else e.b(jump_label(pc, target));
    return;
  }
  const Label not_taken = code().make_label();
  if (cond) e.b_cond(invert(*cond), not_taken);
  word(subs_imm(true, kBudget, kBudget, 1));
  e.b_cond(Cond::LO, abort_stub(NativeAbort::kLoopBudget, pc));
  e.b(jump_label(pc, target));
  code().bind(not_taken);
}

// A jump over a few moves into one register (lowering_plan.h): the moves
// compute into x9, then `csel` keeps it when the jump is not taken.
void Compiler::emit_select(size_t pc, const Instruction& insn, const Select& select, Cond taken) {
  Emitter e = this->e();
  for (size_t at = pc + 1; at < select.block_end; ++at) {
    const Instruction& move = program_.insns[at];
    std::optional<Reg> src;
    if (move.source() == isa::kSourceX) src = move.src == select.dst ? kResult : reg(move.src);
    if (move.op() == isa::kAluMov) {
      if (src) word(mov_reg(true, kResult, *src));
      else e.mov_imm(kResult, static_cast<uint64_t>(static_cast<int64_t>(move.imm)));
    } else {
      emit_arith(move.op(), true, kResult, src, move.imm);
    }
  }
  emit_compare(insn);
  const Reg dst = reg(select.dst);
  const int64_t target = insn.jump_target(pc);
  if (select.then_jump && plan().counted_back_edge(pc, target)) {
    // Both ways are back-edges to the target, each counted: one unit of
    // the budget either way, and an abort names the jump that was taken.
    word(cset(true, kAddress, taken));
    word(csel(true, dst, dst, kResult, taken));
    const Label at_jump = abort_stub(NativeAbort::kLoopBudget, pc);
    const Label at_ja = abort_stub(NativeAbort::kLoopBudget, select.block_end);
    const Label out = stub(stub::SelectBudget{at_jump, at_ja});
    word(subs_imm(true, kBudget, kBudget, 1));
    e.b_cond(Cond::LO, out);
    e.b(jump_label(pc, target));
    return;
  }
  word(csel(true, dst, dst, kResult, taken));
  if (select.then_jump) emit_branch_to(select.block_end, target, std::nullopt);
}

// kAddress holds whether the jump was taken.
void Compiler::emit_stub_code(const stub::SelectBudget& out) {
  e().cbz(true, kAddress, out.at_ja);
  e().b(out.at_jump);
}

void Compiler::emit_access(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  if (!insn.is_load() && !insn.is_store() && !insn.is_atomic())
    throw UnsupportedForJit("pc " + std::to_string(pc) + ": legacy packet access");
  const bool load = insn.is_load();
  const Reg base = reg(load ? insn.src : insn.dst);
  const unsigned bytes = insn.access_bytes();
  if (plan().needs_guard(pc, copying())) emit_guard(pc, base, insn.offset, bytes);
  if (insn.is_atomic()) return emit_atomic(pc, insn, base);
  const Size size = size_of(bytes);
  if (load) {
    const bool sign = insn.mode() == isa::kModeMemSx && bytes < 8;
    return e.access(size, sign ? LoadStoreOp::LDRS_X : LoadStoreOp::LDR, reg(insn.dst), base, insn.offset);
  }
  Reg value = XZR;
  if (insn.cls() == isa::kClassStx) value = reg(insn.src);
  else if (insn.imm != 0) {
    value = kImmediate;
    e.mov_imm(value, static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  }
  e.access(size, LoadStoreOp::STR, value, base, insn.offset);
}

// A guarded access compares its address with the region its site hit last
// (two loads from the context, one compare). A miss checks the stack, which
// no cache holds (its extent moves with every call), when the verifier
// allowed it, then calls the runtime, which checks the other regions the
// verifier allowed, the same check the interpreter makes, and refills the
// cache on success.
void Compiler::emit_guard(size_t pc, Reg base, int16_t offset, unsigned bytes) {
  Emitter e = this->e();
  const size_t site = this->site(pc);
  const verifier::RegionSet regions = plan().sites()[site].regions;
  const size_t cache = guard_cache_offset(site);

  const Label resume = code().make_label();
  const Label bounds = abort_stub(NativeAbort::kBounds, pc, base);
  const bool stack = (regions & verifier::region_bit(verifier::RegionKind::kStack)) != 0;
  const Label slow = stub(stub::GuardMiss{pc, base, offset, static_cast<uint8_t>(bytes), stack,
                                          static_cast<uint32_t>(site), resume, bounds});
  Reg address = base;
  if (offset != 0) {
    e.add_value(true, kAddress, base, offset, kFar);
    address = kAddress;
  }
  e.load_context(Size::k64, kImmediate, cache + offsetof(GuardCache, start));
  word(sub_reg(true, kAddress, address, kImmediate));
  e.load_context(Size::k64, kImmediate, cache + offsetof(GuardCache, count));
  word(cmp_reg(true, kAddress, kImmediate));
  e.b_cond(Cond::HS, slow);
  code().bind(resume);
}

void Compiler::emit_stub_code(const stub::GuardMiss& miss) {
  const auto base = static_cast<Reg>(miss.base);
  if (miss.stack) {
    e().add_value(true, kAddress, base, miss.offset, kFar);
    emit_stack_check(kAddress, std::nullopt, miss.bytes, miss.resume);
  }
  emit_guard_runtime_call(base, miss.offset, miss.site);
  e().cbnz(true, kResult, miss.resume);
  e().b(miss.bounds);
}

// Asks the runtime whether an access at base + offset may go ahead at guard
// site `site` (which then caches its region); the answer lands in x9. r0 and
// r1..r5 are kept (x7 with x0..x4 and x30, 64 bytes).
void Compiler::emit_guard_runtime_call(Reg base, int64_t offset, size_t site) {
  Emitter e = this->e();
  e.add_value(true, kAddress, base, offset, kFar);
  save_call_registers();
  word(stp_pre(true, reg(0), XZR, SP, -16));
  word(mov_reg(true, X1, kAddress));
  word(mov_reg(true, X0, kContext));
  e.mov_imm(X2, site);
  e.load_context(Size::k64, kResult, offsetof(NativeContext, guard_slow_path));
  word(blr(kResult));
  word(mov_reg(true, kResult, X0));
  word(ldp_post(true, reg(0), XZR, SP, 16));
  restore_call_registers();
}

// Jumps to `pass` when `bytes` bytes (or, given `length`, that many) at
// `address` lie in the stack region: the frames in use, from the current
// one's bottom (r10 - 512) up to the top. Uses x10..x12.
void Compiler::emit_stack_check(Reg address, std::optional<Reg> length, unsigned bytes, Label pass) {
  Emitter e = this->e();
  // x10 = address - bottom; x12 = the number of offsets at which the
  // access fits (size - bytes + 1, size at least one frame).
  word(sub_imm(true, kImmediate, reg(10), static_cast<uint32_t>(kFrameBytes)));
  word(sub_reg(true, kAddress, address, kImmediate));
  e.load_context(Size::k64, kFar, offsetof(NativeContext, stack_top));
  word(sub_reg(true, kFar, kFar, reg(10)));
  word(add_imm(true, kFar, kFar, static_cast<uint32_t>(kFrameBytes - bytes + 1)));
  if (!length) {
    word(cmp_reg(true, kAddress, kFar));
    e.b_cond(Cond::LO, pass);
    return;
  }
  // A length fits when the offset does (offset < count) and the length is
  // below what is left (length < count - offset).
  const Label fail = code().make_label();
  word(subs_reg(true, kFar, kFar, kAddress));
  e.b_cond(Cond::LS, fail);
  word(cmp_reg(true, *length, kFar));
  e.b_cond(Cond::LO, pass);
  code().bind(fail);
}

// Atomics must be naturally aligned (the interpreter aborts otherwise; an
// unaligned exclusive or LSE access faults). With LSE, one instruction
// each: the fetching forms acquire and release (the interpreter's
// sequentially consistent std::atomic), the others are the plain ST*
// aliases; AND is a complement then `ldclr`. Without LSE, a load-exclusive
// / store-exclusive loop, the fetching forms storing with release and
// followed by a full barrier, as the kernel's arm64 JIT does.
void Compiler::emit_atomic(size_t pc, const Instruction& insn, Reg base) {
  Emitter e = this->e();
  CodeBuffer& c = code();
  const bool sf = insn.size() == isa::kSizeDW;
  const unsigned bytes = sf ? 8 : 4;
  e.add_value(true, kAddress, base, insn.offset, kFar);
  word(tst_imm(true, kAddress, *logical_immediate(true, bytes - 1)));
  e.b_cond(Cond::NE, abort_stub(NativeAbort::kMisaligned, pc, kAddress));
  const Reg src = reg(insn.src);
  const int32_t op = insn.imm;
  const bool fetch = (op & isa::kAtomicFetch) != 0;
  const Order order = fetch ? Order::AcqRel : Order::Plain;
  const int32_t base_op = op & ~isa::kAtomicFetch;

  if (lse_) {
    const Reg old = fetch ? src : XZR;
    if (op == isa::kAtomicCmpxchg) return word(cas(sf, Order::AcqRel, reg(0), src, kAddress));
    if (op == isa::kAtomicXchg) return word(swp(sf, Order::AcqRel, src, src, kAddress));
    switch (base_op) {
      case isa::kAtomicAdd: return word(ldadd(sf, order, src, old, kAddress));
      case isa::kAtomicOr: return word(ldset(sf, order, src, old, kAddress));
      case isa::kAtomicXor: return word(ldeor(sf, order, src, old, kAddress));
      case isa::kAtomicAnd:
        word(mvn(true, kImmediate, src));
        return word(ldclr(sf, order, kImmediate, old, kAddress));
    }
    throw UnsupportedForJit("pc " + std::to_string(pc) + ": atomic operation " + std::to_string(op));
  }

  // x11 the old value, x12 the new one, w9 the store's status.
  const Label retry = c.make_label();
  c.bind(retry);
  word(ldxr(sf, kImmediate, kAddress));
  if (op == isa::kAtomicCmpxchg) {
    const Label differ = c.make_label();
    word(cmp_reg(sf, kImmediate, reg(0)));
    e.b_cond(Cond::NE, differ);
    word(stlxr(sf, kResult, src, kAddress));
    e.cbnz(false, kResult, retry);
    c.bind(differ);
    word(dmb(BarrierOption::ISH));
    word(mov_reg(sf, reg(0), kImmediate));
    return;
  }
  Reg value = kFar;
  switch (op == isa::kAtomicXchg ? -1 : base_op) {
    case -1: value = src; break;
    case isa::kAtomicAdd: word(add_reg(sf, kFar, kImmediate, src)); break;
    case isa::kAtomicOr: word(orr_reg(sf, kFar, kImmediate, src)); break;
    case isa::kAtomicXor: word(eor_reg(sf, kFar, kImmediate, src)); break;
    case isa::kAtomicAnd: word(and_reg(sf, kFar, kImmediate, src)); break;
    default: throw UnsupportedForJit("pc " + std::to_string(pc) + ": atomic operation " + std::to_string(op));
  }
  word(fetch ? stlxr(sf, kResult, value, kAddress) : stxr(sf, kResult, value, kAddress));
  e.cbnz(false, kResult, retry);
  if (!fetch) return;
  word(dmb(BarrierOption::ISH));
  word(mov_reg(sf, src, kImmediate));
}

void Compiler::emit_helper_call(size_t pc, const Instruction& insn) {
  if (const std::optional<MemoryHelper> kind = plan().memory_helper_at(pc)) return emit_memory_helper(pc, *kind);
  emit_runtime_helper_call(pc, insn);
}

// Helpers are called through the runtime's entry with r1..r5 in place and
// the context as the sixth argument; the HelperOutcome comes back in x0
// (r0) and x1 (failed). The interpreter leaves r1..r5 as they were, so they
// are saved around the call.
void Compiler::emit_runtime_helper_call(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  e.mov_imm(kResult, source_pc(pc) | (insn.is_callx() ? kCallxBit : 0));
  e.store_context(Size::k32, kResult, offsetof(NativeContext, call_pc));
  if (insn.is_callx()) e.store_context(Size::k64, reg(insn.callx_register()), offsetof(NativeContext, callx_id));
  save_call_registers();
  word(mov_reg(true, X5, kContext));
  e.load_context(Size::k64, kResult, offsetof(NativeContext, call_helper));
  word(blr(kResult));
  word(mov_reg(true, reg(0), X0));
  word(mov_reg(true, kResult, X1));
  restore_call_registers();
  e.cbnz(true, kResult, abort_stub(NativeAbort::kHelper, pc));
}

// A memory helper inline: each pointer argument against its cached region,
// then the C library's function, whose AAPCS64 arguments r1..r3 already
// are. A zero length or a miss calls the helper through the runtime, which
// checks and reports exactly as the interpreter does and refills the caches.
void Compiler::emit_memory_helper(size_t pc, MemoryHelper kind) {
  Emitter e = this->e();
  const Reg length = reg(3);
  const Label done = code().make_label();
  const Label runtime_call = stub(stub::HelperCall{pc, done});
  e.cbz(true, length, runtime_call);
  size_t site = this->site(pc);
  for (const HelperPointer& p : helper_pointers(kind)) {
    const size_t cache = guard_cache_offset(site++);
    // x10 = A - start; x11 = count - x10, which must not borrow or be zero
    // (A - start < count) and must exceed the length. A miss may still be
    // the stack's, which no cache holds.
    const Label next = code().make_label();
    const Label miss = stub(stub::PointerMiss{reg(p.reg), length, next, runtime_call});
    e.load_context(Size::k64, kImmediate, cache + offsetof(GuardCache, start));
    word(sub_reg(true, kAddress, reg(p.reg), kImmediate));
    e.load_context(Size::k64, kImmediate, cache + offsetof(GuardCache, count));
    word(subs_reg(true, kImmediate, kImmediate, kAddress));
    e.b_cond(Cond::LS, miss);
    word(cmp_reg(true, length, kImmediate));
    e.b_cond(Cond::HS, miss);
    code().bind(next);
  }
  save_call_registers();
  e.load_context(Size::k64, kResult, offsetof(NativeContext, memory_functions) + sizeof(void*) * static_cast<size_t>(kind));
  word(blr(kResult));
  word(mov_reg(true, reg(0), X0));
  restore_call_registers();
  if (kind == MemoryHelper::kMemcmp) {
    // The C result's sign as -1, 0 or 1, all 64 bits.
    word(cmp_imm(false, reg(0), 0));
    word(cset(true, kResult, Cond::GT));
    word(csetm(true, kAddress, Cond::LT));
    word(orr_reg(true, reg(0), kResult, kAddress));
  }
  code().bind(done);
}

void Compiler::emit_stub_code(const stub::HelperCall& call) {
  emit_runtime_helper_call(call.pc, program_.insns[call.pc]);
  e().b(call.done);
}

void Compiler::emit_stub_code(const stub::PointerMiss& miss) {
  emit_stack_check(static_cast<Reg>(miss.pointer), static_cast<Reg>(miss.length), 0, miss.next);
  e().b(miss.runtime_call);
}

// A local call: `bl`, with the caller's r6..r9 and x30 saved around it (a
// BPF callee may change them; its caller must not see it) and r10 moved one
// frame down. `depth` limits the frames and tells the runtime which part of
// the stack region is in use.
void Compiler::emit_local_call(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  const size_t depth = offsetof(NativeContext, depth);
  e.load_context(Size::k32, kResult, depth);
  word(cmp_imm(false, kResult, static_cast<uint32_t>(kMaxFrames - 1)));
  e.b_cond(Cond::HS, abort_stub(NativeAbort::kStackOverflow, pc));
  word(add_imm(false, kResult, kResult, 1));
  e.store_context(Size::k32, kResult, depth);
  word(stp_pre(true, X19, X20, SP, -48));
  word(stp(true, X21, X22, SP, 16));
  word(stp(true, kLr, XZR, SP, 32));
  word(sub_imm(true, reg(10), reg(10), static_cast<uint32_t>(kFrameBytes)));
  e.bl(pc_label(static_cast<size_t>(static_cast<int64_t>(pc) + 1 + insn.imm)));
  word(add_imm(true, reg(10), reg(10), static_cast<uint32_t>(kFrameBytes)));
  word(ldp(true, kLr, XZR, SP, 32));
  word(ldp(true, X21, X22, SP, 16));
  word(ldp_post(true, X19, X20, SP, 48));
  e.load_context(Size::k32, kResult, depth);
  word(sub_imm(false, kResult, kResult, 1));
  e.store_context(Size::k32, kResult, depth);
}

// ---- loop versioning ----

// Entering a versioned loop: each hoisted access's addresses, [base + low,
// base + high], against the region its main-code guard cached (a site
// never used yet asks the runtime once, as the guard's slow path would).
// All inside: the unguarded copy, emitted right after; else the loop as it
// is.
void Compiler::emit_entry_check(const VersionedLoop& loop) {
  Emitter e = this->e();
  const Label checked_head = checked_head_label(loop);
  for (size_t pc : loop.hoisted) {
    const verifier::RelativeRange& r = annotations_.access[pc].relative;
    const size_t site = plan().site(pc, nullptr);
    const size_t cache = guard_cache_offset(site);
    const Label warm = code().make_label();
    e.load_context(Size::k64, kImmediate, cache + offsetof(GuardCache, count));
    e.cbnz(true, kImmediate, warm);
    emit_guard_runtime_call(reg(r.base), r.low, site);
    code().bind(warm);
    // x10 = base + low - start must be below count - (high - low).
    e.add_value(true, kAddress, reg(r.base), r.low, kFar);
    e.load_context(Size::k64, kImmediate, cache + offsetof(GuardCache, start));
    word(sub_reg(true, kAddress, kAddress, kImmediate));
    e.load_context(Size::k64, kImmediate, cache + offsetof(GuardCache, count));
    e.subs_value(kImmediate, kImmediate, static_cast<uint64_t>(r.high - r.low), kFar);
    e.b_cond(Cond::LS, checked_head);
    word(cmp_reg(true, kAddress, kImmediate));
    e.b_cond(Cond::HS, checked_head);
  }
}

}  // namespace

bool arm64_uses_lse(Arm64Atomics choice) {
  switch (choice) {
    case Arm64Atomics::kLse: return true;
    case Arm64Atomics::kExclusive: return false;
    case Arm64Atomics::kDetect: break;
  }
#if defined(__aarch64__) && defined(__linux__)
  return (getauxval(AT_HWCAP) & HWCAP_ATOMICS) != 0;
#else
  return true;
#endif
}

LoweredCode lower_arm64(const LoweringPlan& plan) {
  return Compiler(plan, arm64_uses_lse(plan.options().arm64_atomics)).lower();
}

}  // namespace sbpf::jit
