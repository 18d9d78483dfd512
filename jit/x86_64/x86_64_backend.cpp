// The x86-64 backend: BPF instructions to native code, one instruction at a
// time, with the verifier's annotations deciding where checks go.
//
//   BPF  x86-64  why
//   r0   rax     the native return register
//   r1   rdi     r1..r5 sit in System V's first five argument registers,
//   r2   rsi       so a helper call passes them as they are
//   r3   rdx
//   r4   rcx
//   r5   r8
//   r6   rbx     r6..r9 in callee-saved registers: helpers keep them
//   r7   r13
//   r8   r14
//   r9   r15
//   r10  rbp     the frame pointer
//   -    r12     the NativeContext, for the whole run (callee-saved)
//   -    r9      the loop budget: a counted back-edge is one `sub` on a
//                register, not a read-modify-write of memory that would
//                chain every trip of a tight loop through store forwarding
//   -    r10, r11  scratch inside one BPF instruction
//   ax   r10     the blinding register (jit/constant_blinding.h), when
//                constants are blinded: it lives from the two slots that
//                compute a constant to the one that uses it, and no code
//                between them uses r10 (a guard's slow path keeps it)
//
// The native stack holds no BPF data: frames live in the runtime's stack
// region, r10 points at the current one. In every function body the native
// stack pointer is 16-byte aligned, so a call out needs no adjustment beyond
// what each sequence below pushes.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "isa/control_flow.h"
#include "isa/machine_limits.h"
#include "jit/code_buffer.h"
#include "jit/constant_blinding.h"
#include "jit/lowering.h"
#include "jit/lowering_plan.h"
#include "jit/native_program.h"
#include "jit/x86_64/x86_64_backend.h"

namespace sbpf::jit {

namespace {

using isa::Instruction;
using verifier::AccessCheck;
using verifier::RegionSet;

enum Reg : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

constexpr Reg kRegisterMap[kBlindingRegister + 1] = {RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP, R10};
constexpr Reg kContext = R12;
constexpr Reg kBudget = R9;
constexpr Reg kScratch1 = R10, kScratch2 = R11;

constexpr int32_t kFrameBytes = isa::kStackFrameBytes;
constexpr int32_t kMaxFrames = isa::kMaxFrames;

// Condition codes (the low nibble of jcc).
enum Cond : uint8_t { kB = 2, kAE = 3, kE = 4, kNE = 5, kBE = 6, kA = 7, kL = 12, kGE = 13, kLE = 14, kG = 15 };
Cond invert(Cond c) { return static_cast<Cond>(c ^ 1); }

// Group-1 arithmetic: the /digit of the immediate forms and the opcode of
// the "r/m, reg" forms.
struct AluOp {
  uint8_t ext;
  uint8_t rm_reg;
};
constexpr AluOp kAdd{0, 0x01}, kOr{1, 0x09}, kAnd{4, 0x21}, kSub{5, 0x29}, kXor{6, 0x31}, kCmp{7, 0x39};
// Shift group: the /digit.
constexpr uint8_t kRol = 0, kShl = 4, kShr = 5, kSar = 7;

struct Mem {
  Reg base;
  int32_t disp;
};

bool fits8(int64_t v) { return v >= INT8_MIN && v <= INT8_MAX; }
bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

Mem context_field(size_t offset) { return {kContext, static_cast<int32_t>(offset)}; }

// ---- encoding: each emit_* writes one native instruction ----

// Displacements end the instruction and count from its end.
constexpr FixupKind kRel8{"rel8", INT8_MIN, INT8_MAX, 1,
                          [](uint8_t* field, int64_t displacement) { field[0] = static_cast<uint8_t>(displacement); }};
constexpr FixupKind kRel32{"rel32", INT32_MIN, INT32_MAX, 1, [](uint8_t* field, int64_t displacement) {
                             for (int i = 0; i < 4; ++i)
                               field[i] = static_cast<uint8_t>(static_cast<uint32_t>(displacement) >> (8 * i));
                           }};

// One instruction: its prefixes, opcode, operands and immediate, written
// straight into the code buffer's room and committed when the encoding
// goes out of scope, so that the buffer checks its room once per
// instruction.
class Encoding {
 public:
  static constexpr size_t kMaxBytes = 15;  // x86's limit

  explicit Encoding(CodeBuffer& code) : code_(code), at_(code.room(kMaxBytes)) {}
  ~Encoding() { code_.commit(at_); }
  Encoding(const Encoding&) = delete;
  Encoding& operator=(const Encoding&) = delete;

  void byte(uint8_t b) { *at_++ = b; }
  void u16(uint16_t v) { immediate(v, 2); }
  void u32(uint32_t v) { immediate(v, 4); }
  void u64(uint64_t v) { immediate(v, 8); }
  // REX: W for 64-bit operands, R/X/B extend reg/index/base. `byte_regs`
  // forces it so that registers 4..7 name spl/bpl/sil/dil, not ah..bh.
  void rex(bool w, unsigned reg, unsigned base, bool byte_regs = false) {
    const uint8_t r = static_cast<uint8_t>(0x40 | (w << 3) | ((reg >> 3) & 1) << 2 | ((base >> 3) & 1));
    if (r != 0x40 || byte_regs) byte(r);
  }
  // REX, opcode and a register operand (ModRM's mod 3).
  void rr(bool w, std::initializer_list<uint8_t> opcode, unsigned reg, unsigned rm, bool byte_regs = false) {
    rex(w, reg, rm, byte_regs);
    for (uint8_t b : opcode) byte(b);
    byte(static_cast<uint8_t>(0xC0 | (reg & 7) << 3 | (rm & 7)));
  }
  // REX, opcode and a memory operand [base + disp]: rsp and r12 as base
  // need a SIB byte; rbp and r13 have no displacement-free form (it means
  // rip-relative).
  void rm(bool w, std::initializer_list<uint8_t> opcode, unsigned reg, Mem m, bool byte_regs = false) {
    rex(w, reg, m.base, byte_regs);
    for (uint8_t b : opcode) byte(b);
    const unsigned base = m.base & 7;
    const uint8_t mod = m.disp == 0 && base != 5 ? 0 : fits8(m.disp) ? 1 : 2;
    byte(static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | base));
    if (base == 4) byte(0x24);
    if (mod == 1) byte(static_cast<uint8_t>(m.disp));
    if (mod == 2) u32(static_cast<uint32_t>(m.disp));
  }

 private:
  void immediate(uint64_t v, size_t n) {
    CodeBuffer::little_endian(at_, v, n);
    at_ += n;
  }

  CodeBuffer& code_;
  uint8_t* at_;
};

class Emitter {
 public:
  explicit Emitter(CodeBuffer& code) : c_(code) {}

  void rr(bool w, std::initializer_list<uint8_t> opcode, unsigned reg, unsigned rm, bool byte_regs = false) {
    Encoding(c_).rr(w, opcode, reg, rm, byte_regs);
  }
  void rm(bool w, std::initializer_list<uint8_t> opcode, unsigned reg, Mem m, bool byte_regs = false) {
    Encoding(c_).rm(w, opcode, reg, m, byte_regs);
  }

  void mov_rr(bool w, Reg dst, Reg src) { rr(w, {0x89}, src, dst); }
  void alu_rr(AluOp op, bool w, Reg dst, Reg src) { rr(w, {op.rm_reg}, src, dst); }
  void alu_ri(AluOp op, bool w, Reg dst, int32_t imm) {
    Encoding e(c_);
    if (fits8(imm)) {
      e.rr(w, {0x83}, op.ext, dst);
      e.byte(static_cast<uint8_t>(imm));
    } else {
      e.rr(w, {0x81}, op.ext, dst);
      e.u32(static_cast<uint32_t>(imm));
    }
  }
  void test_rr(bool w, Reg a, Reg b) { rr(w, {0x85}, b, a); }
  void test_ri(bool w, Reg r, int32_t imm) {
    Encoding e(c_);
    e.rr(w, {0xF7}, 0, r);
    e.u32(static_cast<uint32_t>(imm));
  }
  // The shortest move of a 64-bit constant: zero-extended 32 bits,
  // sign-extended 32 bits, or all 64.
  void mov_ri(Reg dst, uint64_t v) {
    if (v <= UINT32_MAX) mov_ri32(dst, static_cast<uint32_t>(v));
    else if (fits32(static_cast<int64_t>(v))) mov_ri_sext(dst, static_cast<int32_t>(v));
    else mov_ri64(dst, v);
  }
  void mov_ri32(Reg dst, uint32_t v) {
    Encoding e(c_);
    e.rex(false, 0, dst);
    e.byte(static_cast<uint8_t>(0xB8 + (dst & 7)));
    e.u32(v);
  }
  void mov_ri64(Reg dst, uint64_t v) {
    Encoding e(c_);
    e.rex(true, 0, dst);
    e.byte(static_cast<uint8_t>(0xB8 + (dst & 7)));
    e.u64(v);
  }
  // Sign-extended 32-bit constant.
  void mov_ri_sext(Reg dst, int32_t v) {
    Encoding e(c_);
    e.rr(true, {0xC7}, 0, dst);
    e.u32(static_cast<uint32_t>(v));
  }
  void setcc(Cond cond, Reg dst) { rr(false, {0x0F, static_cast<uint8_t>(0x90 + cond)}, 0, dst, true); }
  void cmov(Cond cond, Reg dst, Reg src) { rr(true, {0x0F, static_cast<uint8_t>(0x40 + cond)}, dst, src); }
  void imul_rr(bool w, Reg dst, Reg src) { rr(w, {0x0F, 0xAF}, dst, src); }
  void imul_rri(bool w, Reg dst, Reg src, int32_t imm) {
    Encoding e(c_);
    if (fits8(imm)) {
      e.rr(w, {0x6B}, dst, src);
      e.byte(static_cast<uint8_t>(imm));
    } else {
      e.rr(w, {0x69}, dst, src);
      e.u32(static_cast<uint32_t>(imm));
    }
  }
  void shift_ri(uint8_t ext, bool w, Reg r, uint8_t count) {
    Encoding e(c_);
    e.rr(w, {0xC1}, ext, r);
    e.byte(count);
  }
  void shift_cl(uint8_t ext, bool w, Reg r) { rr(w, {0xD3}, ext, r); }
  void neg(bool w, Reg r) { rr(w, {0xF7}, 3, r); }
  void div(bool w, bool is_signed, Reg divisor) { rr(w, {0xF7}, is_signed ? 7 : 6, divisor); }
  void sign_extend_rax_into_rdx(bool w) {  // cqo / cdq
    Encoding e(c_);
    if (w) e.byte(0x48);
    e.byte(0x99);
  }
  void movzx16(Reg dst, Reg src) { rr(false, {0x0F, 0xB7}, dst, src); }
  void movsx_rr(bool w, unsigned bits, Reg dst, Reg src) {
    if (bits == 8) rr(w, {0x0F, 0xBE}, dst, src, true);
    else if (bits == 16) rr(w, {0x0F, 0xBF}, dst, src);
    else rr(true, {0x63}, dst, src);  // movsxd
  }
  void bswap(bool w, Reg r) {
    Encoding e(c_);
    e.rex(w, 0, r);
    e.byte(0x0F);
    e.byte(static_cast<uint8_t>(0xC8 + (r & 7)));
  }
  void rol16_by8(Reg r) {
    Encoding e(c_);
    e.byte(0x66);
    e.rr(false, {0xC1}, kRol, r);
    e.byte(8);
  }
  void lea(Reg dst, Mem m) { rm(true, {0x8D}, dst, m); }
  // Loads zero-extend (or sign-extend) into the whole register.
  void load(unsigned bytes, bool sign, Reg dst, Mem m) {
    switch (bytes) {
      case 1: rm(sign, {0x0F, static_cast<uint8_t>(sign ? 0xBE : 0xB6)}, dst, m); break;
      case 2: rm(sign, {0x0F, static_cast<uint8_t>(sign ? 0xBF : 0xB7)}, dst, m); break;
      case 4: rm(sign, {static_cast<uint8_t>(sign ? 0x63 : 0x8B)}, dst, m); break;
      default: rm(true, {0x8B}, dst, m); break;
    }
  }
  void store(unsigned bytes, Mem m, Reg src) {
    Encoding e(c_);
    switch (bytes) {
      case 1: e.rm(false, {0x88}, src, m, true); break;
      case 2: e.byte(0x66); e.rm(false, {0x89}, src, m); break;
      case 4: e.rm(false, {0x89}, src, m); break;
      default: e.rm(true, {0x89}, src, m); break;
    }
  }
  void store_imm(unsigned bytes, Mem m, int32_t imm) {
    Encoding e(c_);
    switch (bytes) {
      case 1: e.rm(false, {0xC6}, 0, m); e.byte(static_cast<uint8_t>(imm)); break;
      case 2: e.byte(0x66); e.rm(false, {0xC7}, 0, m); e.u16(static_cast<uint16_t>(imm)); break;
      case 4: e.rm(false, {0xC7}, 0, m); e.u32(static_cast<uint32_t>(imm)); break;
      default: e.rm(true, {0xC7}, 0, m); e.u32(static_cast<uint32_t>(imm)); break;
    }
  }
  void load64(Reg dst, Mem m) { rm(true, {0x8B}, dst, m); }
  void store64(Mem m, Reg src) { rm(true, {0x89}, src, m); }
  void store32_imm(Mem m, uint32_t imm) {
    Encoding e(c_);
    e.rm(false, {0xC7}, 0, m);
    e.u32(imm);
  }
  void alu_rm(AluOp op, bool w, Reg dst, Mem m) { rm(w, {static_cast<uint8_t>(op.rm_reg + 2)}, dst, m); }
  void sub_rm(Reg dst, Mem m) { rm(true, {0x2B}, dst, m); }
  void cmp_rm(Reg dst, Mem m) { rm(true, {0x3B}, dst, m); }
  void cmp_mem64_i8(Mem m, int8_t imm) { cmp_mem_i8(true, m, imm); }
  void cmp_mem32_i8(Mem m, int8_t imm) { cmp_mem_i8(false, m, imm); }
  void inc_mem32(Mem m) { rm(false, {0xFF}, 0, m); }
  void inc_mem64(Mem m) { rm(true, {0xFF}, 0, m); }
  void dec_mem32(Mem m) { rm(false, {0xFF}, 1, m); }
  void test_low_byte(Reg r, uint8_t mask) {
    Encoding e(c_);
    e.rr(false, {0xF6}, 0, r, true);
    e.byte(mask);
  }
  // Atomics: `lock` precedes REX.
  void lock_alu_mr(bool w, AluOp op, Mem m, Reg src) { locked(w, {op.rm_reg}, m, src); }
  void lock_xadd(bool w, Mem m, Reg src) { locked(w, {0x0F, 0xC1}, m, src); }
  void xchg_mr(bool w, Mem m, Reg src) { rm(w, {0x87}, src, m); }  // implicitly locked
  void lock_cmpxchg(bool w, Mem m, Reg src) { locked(w, {0x0F, 0xB1}, m, src); }
  void push(Reg r) { short_register_form(0x50, r); }
  void pop(Reg r) { short_register_form(0x58, r); }
  void call(Label target) {
    {
      Encoding e(c_);
      e.byte(0xE8);
      e.u32(0);
    }
    rel32_before(target);
  }
  void call_mem(Mem m) { rm(false, {0xFF}, 2, m); }
  void ret() { Encoding(c_).byte(0xC3); }
  // jmp rel8 (EB) is 3 bytes shorter than jmp rel32 (E9); jcc rel8 (7x)
  // 4 shorter than jcc rel32 (0F 8x). The code buffer shortens them.
  void jmp(Label target) {
    const size_t start = c_.size();
    {
      Encoding e(c_);
      e.byte(0xE9);
      e.u32(0);
    }
    rel32_before(target);
    c_.shortenable_jump(start, target, short_jump(0xEB));
  }
  void jcc(Cond cond, Label target) {
    const size_t start = c_.size();
    {
      Encoding e(c_);
      e.byte(0x0F);
      e.byte(static_cast<uint8_t>(0x80 + cond));
      e.u32(0);
    }
    rel32_before(target);
    c_.shortenable_jump(start, target, short_jump(static_cast<uint8_t>(0x70 + cond)));
  }

 private:
  void cmp_mem_i8(bool w, Mem m, int8_t imm) {
    Encoding e(c_);
    e.rm(w, {0x83}, kCmp.ext, m);
    e.byte(static_cast<uint8_t>(imm));
  }
  void locked(bool w, std::initializer_list<uint8_t> opcode, Mem m, Reg src) {
    Encoding e(c_);
    e.byte(0xF0);
    e.rm(w, opcode, src, m);
  }
  // push and pop: the register in the opcode's low bits.
  void short_register_form(uint8_t opcode, Reg r) {
    Encoding e(c_);
    e.rex(false, 0, r);
    e.byte(static_cast<uint8_t>(opcode + (r & 7)));
  }
  // The rel32 that ends the code so far holds the displacement of `target`
  // from its end.
  void rel32_before(Label target) {
    const size_t end = c_.size();
    c_.fixup(kRel32, end - 4, end, target);
  }
  // The opcode and a rel8 counting from the end.
  static ShortJump short_jump(uint8_t opcode) { return {&kRel8, {opcode, 0}, 2, 1, 2}; }

  CodeBuffer& c_;
};

// ---- instruction selection ----

Cond jump_condition(uint8_t op) {
  switch (op) {
    case isa::kJmpJeq: return kE;
    case isa::kJmpJne: return kNE;
    case isa::kJmpJset: return kNE;  // after `test`
    case isa::kJmpJgt: return kA;
    case isa::kJmpJge: return kAE;
    case isa::kJmpJlt: return kB;
    case isa::kJmpJle: return kBE;
    case isa::kJmpJsgt: return kG;
    case isa::kJmpJsge: return kGE;
    case isa::kJmpJslt: return kL;
    case isa::kJmpJsle: return kLE;
  }
  throw std::logic_error("jit: not a conditional jump");
}

class Compiler : public Lowering {
 public:
  explicit Compiler(const LoweringPlan& plan)
      : Lowering(plan), program_(plan.program()), annotations_(plan.annotations()), options_(plan.options()) {}

 private:
  Reg reg(uint8_t bpf) const { return kRegisterMap[bpf]; }

  void emit_prologue() override;
  void emit_instruction(size_t pc) override;
  void emit_jump(Label target) override { this->e().jmp(target); }
  void emit_entry_check(const VersionedLoop& loop) override;
  void emit_count(size_t context_offset) override { this->e().inc_mem64(context_field(context_offset)); }
  void emit_exits(Label abort_exit, Label epilogue) override;
  void emit_stub(const Stub& stub) override;

  Emitter e() { return Emitter(code()); }
  Label abort_stub(jit::NativeAbort kind, size_t pc, std::optional<Reg> value = std::nullopt);
  void emit_stub_code(const stub::LoopEntry&) {}  // the walk's own
  void emit_stub_code(const stub::Abort& abort);
  void emit_stub_code(const stub::GuardMiss& miss);
  void emit_stub_code(const stub::SelectBudget& out);
  void emit_stub_code(const stub::HelperCall& call);
  void emit_stub_code(const stub::PointerMiss& miss);
  void emit_alu(size_t pc, const Instruction& insn);
  void emit_division(const Instruction& insn, Reg dst);
  void emit_shift(const Instruction& insn, Reg dst, uint8_t ext);
  void emit_byte_swap(const Instruction& insn, Reg dst);
  void emit_jump(size_t pc, const Instruction& insn);
  void emit_branch_to(size_t pc, int64_t target, std::optional<Cond> cond);
  void emit_select(size_t pc, const Select& select, Cond taken);
  void emit_select_step(const Instruction& insn, uint8_t dst);
  void emit_access(size_t pc, const Instruction& insn);
  void emit_guard(size_t pc, Reg base, int16_t offset, unsigned bytes);
  void emit_stack_check(Reg address, std::optional<Reg> length, unsigned bytes, Label pass);
  void emit_guard_runtime_call(Mem address, size_t site);
  void emit_atomic(size_t pc, const Instruction& insn, Mem at);
  void emit_helper_call(size_t pc, const Instruction& insn);
  void emit_runtime_helper_call(size_t pc, const Instruction& insn);
  void emit_memory_helper(size_t pc, MemoryHelper kind);
  void emit_local_call(size_t pc, const Instruction& insn);

  const isa::Program& program_;
  const verifier::Annotations& annotations_;
  const CompileOptions& options_;
};

// Unwinding from any depth: the entry function saved its stack pointer.
void Compiler::emit_exits(Label abort_exit, Label epilogue) {
  Emitter e = this->e();
  code().bind(abort_exit);
  e.load64(RSP, context_field(offsetof(NativeContext, entry_stack)));
  code().bind(epilogue);
  e.alu_ri(kAdd, true, RSP, 8);
  for (Reg r : {R15, R14, R13, R12, RBX, RBP}) e.pop(r);
  e.ret();
}

// Saves the registers System V wants kept, aligns the stack, and loads the
// BPF registers: r1..r5 from the context, r10 at the top of the stack
// region, the rest zero (the interpreter starts them at zero too).
void Compiler::emit_prologue() {
  Emitter e = this->e();
  for (Reg r : {RBP, RBX, R12, R13, R14, R15}) e.push(r);
  e.alu_ri(kSub, true, RSP, 8);
  e.mov_rr(true, kContext, RDI);
  e.store64(context_field(offsetof(NativeContext, entry_stack)), RSP);
  for (int i = 4; i >= 0; --i) e.load64(reg(static_cast<uint8_t>(1 + i)), context_field(offsetof(NativeContext, args) + 8 * i));
  e.load64(RBP, context_field(offsetof(NativeContext, stack_top)));
  e.load64(kBudget, context_field(offsetof(NativeContext, budget)));
  for (uint8_t r : {0, 6, 7, 8, 9}) e.alu_rr(kXor, false, reg(r), reg(r));
}

void Compiler::emit_stub(const Stub& stub) {
  std::visit([this](const auto& record) { emit_stub_code(record); }, stub);
}

Label Compiler::abort_stub(NativeAbort kind, size_t pc, std::optional<Reg> value) {
  return stub(stub::Abort{kind, pc, value});
}

void Compiler::emit_stub_code(const stub::Abort& abort) {
  Emitter e = this->e();
  if (abort.value) e.store64(context_field(offsetof(NativeContext, abort_value)), static_cast<Reg>(*abort.value));
  e.store32_imm(context_field(offsetof(NativeContext, abort_pc)), static_cast<uint32_t>(plan().source_pc(abort.pc)));
  e.store32_imm(context_field(offsetof(NativeContext, abort_kind)), static_cast<uint32_t>(abort.kind));
  e.jmp(abort_exit());
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
      if (insn.is_lddw()) return e().mov_ri(reg(insn.dst), plan().constant_at(pc));
      break;
  }
  throw UnsupportedForJit("pc " + std::to_string(pc) + ": opcode " + std::to_string(insn.opcode) +
                          " has no native form");
}

void Compiler::emit_alu(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  const bool w = insn.cls() == isa::kClassAlu64;
  const Reg dst = reg(insn.dst);
  const bool by_reg = insn.source() == isa::kSourceX;
  // The second operand: a register, or the immediate.
  const std::optional<Reg> src = by_reg ? std::optional<Reg>(reg(insn.src)) : std::nullopt;
  auto arith = [&](AluOp op) {
    if (src) e.alu_rr(op, w, dst, *src);
    else e.alu_ri(op, w, dst, insn.imm);
  };
  switch (insn.op()) {
    case isa::kAluAdd: return arith(kAdd);
    case isa::kAluSub: return arith(kSub);
    case isa::kAluOr: return arith(kOr);
    case isa::kAluAnd: return arith(kAnd);
    case isa::kAluXor: return arith(kXor);
    case isa::kAluMul:
      if (src) e.imul_rr(w, dst, *src);
      else e.imul_rri(w, dst, dst, insn.imm);
      return;
    case isa::kAluMov:
      if (by_reg) {
        // A 32-bit move zero-extends; movsx 8/16 into 32 bits does too.
        if (insn.offset == 0) e.mov_rr(w, dst, *src);
        else e.movsx_rr(w, static_cast<unsigned>(insn.offset), dst, *src);
      } else if (w) {
        e.mov_ri(dst, static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
      } else {
        e.mov_ri32(dst, static_cast<uint32_t>(insn.imm));
      }
      return;
    case isa::kAluNeg: return e.neg(w, dst);
    case isa::kAluDiv:
    case isa::kAluMod: return emit_division(insn, dst);
    case isa::kAluLsh: return emit_shift(insn, dst, kShl);
    case isa::kAluRsh: return emit_shift(insn, dst, kShr);
    case isa::kAluArsh: return emit_shift(insn, dst, kSar);
    case isa::kAluEnd: return emit_byte_swap(insn, dst);
  }
  throw UnsupportedForJit("pc " + std::to_string(pc) + ": ALU operation " + std::to_string(insn.op()));
}

// x86 faults on division by zero and on MIN / -1; BPF defines both (x / 0 =
// 0, x % 0 = x, MIN / -1 = MIN, MIN % -1 = 0), so both are tested first.
// div needs rax and rdx, which hold r0 and r3: r0 is parked in r10 and r3
// in the context's spill slot, the divisor sits in r11, and the result
// comes back through r11.
void Compiler::emit_division(const Instruction& insn, Reg dst) {
  Emitter e = this->e();
  CodeBuffer& c = code();
  const bool w = insn.cls() == isa::kClassAlu64;
  const bool is_signed = insn.offset == 1;
  const bool modulo = insn.op() == isa::kAluMod;
  const Reg divisor = kScratch2, saved_r0 = kScratch1;
  const Mem saved_r3 = context_field(offsetof(NativeContext, spill));
  if (insn.source() == isa::kSourceX) {
    e.mov_rr(true, divisor, reg(insn.src));
  } else {
    e.mov_ri_sext(divisor, insn.imm);
  }
  e.mov_rr(true, saved_r0, RAX);
  e.store64(saved_r3, RDX);
  if (dst == RDX) e.load64(RAX, saved_r3);
  else if (dst != RAX) e.mov_rr(true, RAX, dst);
  const Label by_zero = c.make_label(), done = c.make_label();
  e.test_rr(w, divisor, divisor);
  e.jcc(kE, by_zero);
  if (is_signed) {
    const Label ordinary = c.make_label();
    e.alu_ri(kCmp, w, divisor, -1);
    e.jcc(kNE, ordinary);
    // x / -1 = -x (MIN stays MIN), x % -1 = 0.
    if (modulo) e.alu_rr(kXor, false, divisor, divisor);
    else {
      e.neg(w, RAX);
      e.mov_rr(w, divisor, RAX);
    }
    e.jmp(done);
    c.bind(ordinary);
    e.sign_extend_rax_into_rdx(w);
  } else {
    e.alu_rr(kXor, false, RDX, RDX);
  }
  e.div(w, is_signed, divisor);
  e.mov_rr(w, divisor, modulo ? RDX : RAX);
  e.jmp(done);
  c.bind(by_zero);
  // x / 0 = 0; x % 0 = x (its low half for 32-bit operations).
  if (modulo) e.mov_rr(w, divisor, RAX);
  else e.alu_rr(kXor, false, divisor, divisor);
  c.bind(done);
  e.mov_rr(true, RAX, saved_r0);
  e.load64(RDX, saved_r3);
  e.mov_rr(true, dst, divisor);
}

// x86 masks shift counts exactly as BPF does (to 5 or 6 bits). A count in a
// register must be in cl, and rcx holds r4: it is parked in r11 unless the
// count is r4 already.
void Compiler::emit_shift(const Instruction& insn, Reg dst, uint8_t ext) {
  Emitter e = this->e();
  const bool w = insn.cls() == isa::kClassAlu64;
  if (insn.source() == isa::kSourceK) {
    const auto count = static_cast<uint8_t>(insn.imm & (w ? 63 : 31));
    if (count != 0) e.shift_ri(ext, w, dst, count);
    else if (!w) e.mov_rr(false, dst, dst);  // still a 32-bit result: zero-extend
    return;
  }
  const Reg count = reg(insn.src);
  if (count == RCX) return e.shift_cl(ext, w, dst);
  e.mov_rr(true, kScratch2, RCX);
  e.mov_rr(true, RCX, count);
  e.shift_cl(ext, w, dst == RCX ? kScratch2 : dst);
  e.mov_rr(true, RCX, kScratch2);
}

void Compiler::emit_byte_swap(const Instruction& insn, Reg dst) {
  Emitter e = this->e();
  const bool to_little = insn.cls() == isa::kClassAlu && insn.source() == isa::kSourceK;
  switch (insn.imm) {
    case 16:
      if (!to_little) e.rol16_by8(dst);
      e.movzx16(dst, dst);
      return;
    case 32:
      if (to_little) e.mov_rr(false, dst, dst);
      else e.bswap(false, dst);
      return;
    default:
      if (!to_little) e.bswap(true, dst);
      return;
  }
}

void Compiler::emit_jump(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  if (insn.is_exit()) {
    // The entry function returns to the runtime; a callee to its call site.
    if (program_.function_at(pc).start == 0) e.jmp(epilogue());
    else e.ret();
    return;
  }
  if (insn.opcode == isa::kOpCall) {
    if (insn.src == isa::kCallLocal) return emit_local_call(pc, insn);
    return emit_helper_call(pc, insn);
  }
  if (insn.is_callx()) return emit_helper_call(pc, insn);
  const int64_t target = insn.jump_target(pc);
  if (insn.op() == isa::kJmpJa) return emit_branch_to(pc, target, std::nullopt);

  const std::optional<Select>& select = plan().select_at(pc);
  if (select) {
    for (size_t at = pc + 1; at < select->block_end; ++at) emit_select_step(program_.insns[at], select->dst);
  }
  const bool w = insn.cls() == isa::kClassJmp;
  const Reg dst = reg(insn.dst);
  const bool test = insn.op() == isa::kJmpJset;
  std::optional<Reg> src;
  if (insn.source() == isa::kSourceX) src = reg(insn.src);
  if (src) {
    if (test) e.test_rr(w, dst, *src);
    else e.alu_rr(kCmp, w, dst, *src);
  } else {
    if (test) e.test_ri(w, dst, insn.imm);
    else e.alu_ri(kCmp, w, dst, insn.imm);
  }
  const Cond taken = jump_condition(insn.op());
  if (!select) return emit_branch_to(pc, target, taken);

  // The moves' result lands in their register when the jump is not taken.
  if (select->then_jump && plan().counted_back_edge(pc, target)) {
    // Both ways are back-edges to the target, each counted: one unit of
    // the budget either way, and an abort names the jump that was taken.
    e.setcc(taken, kScratch1);
    e.cmov(invert(taken), reg(select->dst), kScratch2);
    const size_t ja_pc = select->block_end;
    const Label at_jump = abort_stub(NativeAbort::kLoopBudget, pc);
    const Label at_ja = abort_stub(NativeAbort::kLoopBudget, ja_pc);
    const Label out = stub(stub::SelectBudget{at_jump, at_ja});
    e.alu_ri(kSub, true, kBudget, 1);
    e.jcc(kB, out);
    e.jmp(jump_label(pc, target));
    return;
  }
  e.cmov(invert(taken), reg(select->dst), kScratch2);
  if (select->then_jump) emit_branch_to(select->block_end, target, std::nullopt);
}

// kScratch1 holds whether the jump was taken.
void Compiler::emit_stub_code(const stub::SelectBudget& out) {
  Emitter e = this->e();
  e.test_low_byte(kScratch1, 1);
  e.jcc(kE, out.at_ja);
  e.jmp(out.at_jump);
}

// One move of a select, into r11 instead of its register `dst` (which the
// earlier moves of the block have already written to r11).
void Compiler::emit_select_step(const Instruction& insn, uint8_t dst) {
  Emitter e = this->e();
  std::optional<Reg> src;
  if (insn.source() == isa::kSourceX) src = insn.src == dst ? kScratch2 : reg(insn.src);
  const uint8_t op = insn.op();
  if (op == isa::kAluMov) {
    if (src) e.mov_rr(true, kScratch2, *src);
    else e.mov_ri(kScratch2, static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
    return;
  }
  if (op == isa::kAluMul) {
    if (src) e.imul_rr(true, kScratch2, *src);
    else e.imul_rri(true, kScratch2, kScratch2, insn.imm);
    return;
  }
  const AluOp alu = op == isa::kAluAdd ? kAdd : op == isa::kAluSub ? kSub : op == isa::kAluAnd ? kAnd
                    : op == isa::kAluOr  ? kOr
                                         : kXor;
  if (src) e.alu_rr(alu, true, kScratch2, *src);
  else e.alu_ri(alu, true, kScratch2, insn.imm);
}

// A taken backward jump of a loop the verifier could not bound costs one
// unit of the budget; running out aborts with `loop_budget` at the jump.
void Compiler::emit_branch_to(size_t pc, int64_t target, std::optional<Cond> cond) {
  Emitter e = this->e();
  if (!plan().counted_back_edge(pc, target)) {
    if (cond) e.jcc(*cond, jump_label(pc, target));
    else e.jmp(jump_label(pc, target));
    return;
  }
  const Label not_taken = code().make_label();
  if (cond) e.jcc(invert(*cond), not_taken);
  e.alu_ri(kSub, true, kBudget, 1);
  e.jcc(kB, abort_stub(NativeAbort::kLoopBudget, pc));  // borrow: the budget was zero
  e.jmp(jump_label(pc, target));
  code().bind(not_taken);
}

void Compiler::emit_access(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  const bool load = insn.is_load();
  const Reg base = reg(load ? insn.src : insn.dst);
  const unsigned bytes = insn.access_bytes();
  const Mem at{base, insn.offset};
  if (!insn.is_load() && !insn.is_store() && !insn.is_atomic())
    throw UnsupportedForJit("pc " + std::to_string(pc) + ": legacy packet access");
  if (plan().needs_guard(pc, copying())) emit_guard(pc, base, insn.offset, bytes);
  if (insn.is_atomic()) return emit_atomic(pc, insn, at);
  if (load) return e.load(bytes, insn.mode() == isa::kModeMemSx, reg(insn.dst), at);
  if (insn.cls() == isa::kClassStx) return e.store(bytes, at, reg(insn.src));
  e.store_imm(bytes, at, insn.imm);
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
  const RegionSet regions = plan().sites()[site].regions;
  const size_t cache = guard_cache_offset(site);

  const Label resume = code().make_label();
  const Label bounds = abort_stub(NativeAbort::kBounds, pc, base);
  const bool stack = (regions & verifier::region_bit(verifier::RegionKind::kStack)) != 0;
  const Label slow = stub(stub::GuardMiss{pc, base, offset, static_cast<uint8_t>(bytes), stack,
                                          static_cast<uint32_t>(site), resume, bounds});
  e.lea(kScratch2, {base, offset});
  e.sub_rm(kScratch2, context_field(cache + offsetof(GuardCache, start)));
  e.cmp_rm(kScratch2, context_field(cache + offsetof(GuardCache, count)));
  e.jcc(kAE, slow);
  code().bind(resume);
}

void Compiler::emit_stub_code(const stub::GuardMiss& miss) {
  Emitter e = this->e();
  const Mem address{static_cast<Reg>(miss.base), miss.offset};
  // A store of the blinding register (r10) keeps it through the slow path,
  // whose stack check and call use r10: it is parked in the spill slot.
  const isa::Instruction& insn = program_.insns[miss.pc];
  const bool keep_r10 = insn.cls() == isa::kClassStx && insn.src == kBlindingRegister;
  const Mem parked = context_field(offsetof(NativeContext, spill));
  const Label pass = keep_r10 ? code().make_label() : miss.resume;
  if (keep_r10) e.store64(parked, kScratch1);
  if (miss.stack) {
    e.lea(kScratch2, address);
    emit_stack_check(kScratch2, std::nullopt, miss.bytes, pass);
  }
  emit_guard_runtime_call(address, miss.site);
  e.test_rr(true, kScratch2, kScratch2);
  e.jcc(kNE, pass);
  e.jmp(miss.bounds);
  if (keep_r10) {
    code().bind(pass);
    e.load64(kScratch1, parked);
    e.jmp(miss.resume);
  }
}

// Asks the runtime whether an access at `address` may go ahead at guard
// site `site` (which then caches its region); the answer lands in r11.
// r0..r5 and the budget are kept; one slot more keeps the stack aligned.
void Compiler::emit_guard_runtime_call(Mem address, size_t site) {
  Emitter e = this->e();
  static constexpr Reg kLive[] = {RAX, RDI, RSI, RDX, RCX, R8, kBudget};
  for (Reg r : kLive) e.push(r);
  e.alu_ri(kSub, true, RSP, 8);
  e.lea(RSI, address);
  e.mov_rr(true, RDI, kContext);
  e.mov_ri32(RDX, static_cast<uint32_t>(site));
  e.call_mem(context_field(offsetof(NativeContext, guard_slow_path)));
  e.mov_rr(true, kScratch2, RAX);
  e.alu_ri(kAdd, true, RSP, 8);
  for (auto it = std::rbegin(kLive); it != std::rend(kLive); ++it) e.pop(*it);
}

// Jumps to `pass` when `bytes` bytes (or, given `length`, that many) at the
// address in r11 lie in the stack region: the frames in use, from the
// current one's bottom (r10 - 512) up to the top. Uses r10 and r11.
void Compiler::emit_stack_check(Reg address, std::optional<Reg> length, unsigned bytes, Label pass) {
  Emitter e = this->e();
  // r11 = address - bottom; r10 = the number of offsets at which the
  // access fits (size - bytes + 1, size at least one frame).
  e.lea(kScratch1, {RBP, -kFrameBytes});
  e.alu_rr(kSub, true, address, kScratch1);
  e.load64(kScratch1, context_field(offsetof(NativeContext, stack_top)));
  e.alu_rr(kSub, true, kScratch1, RBP);
  e.alu_ri(kAdd, true, kScratch1, kFrameBytes - static_cast<int32_t>(bytes) + 1);
  if (!length) {
    e.alu_rr(kCmp, true, address, kScratch1);
    e.jcc(kB, pass);
    return;
  }
  // A length fits when the offset does (offset < count) and the length is
  // below what is left (length < count - offset).
  const Label fail = code().make_label();
  e.alu_rr(kSub, true, kScratch1, address);
  e.jcc(kBE, fail);
  e.alu_rr(kCmp, true, *length, kScratch1);
  e.jcc(kB, pass);
  code().bind(fail);
}

// Atomics must be naturally aligned (the interpreter aborts otherwise, and
// a split locked access would be slow). The fetch forms of or/and/xor have
// no x86 instruction: they loop on cmpxchg, which needs rax (r0), parked in
// the context's spill slot meanwhile.
void Compiler::emit_atomic(size_t pc, const Instruction& insn, Mem at) {
  Emitter e = this->e();
  CodeBuffer& c = code();
  const bool w = insn.size() == isa::kSizeDW;
  const unsigned bytes = w ? 8 : 4;
  const Reg address = kScratch2;
  e.lea(address, at);
  e.test_low_byte(address, static_cast<uint8_t>(bytes - 1));
  e.jcc(kNE, abort_stub(NativeAbort::kMisaligned, pc, address));
  const Mem cell{address, 0};
  const Reg src = reg(insn.src);
  const int32_t op = insn.imm;
  const bool fetch = (op & isa::kAtomicFetch) != 0;
  if (op == isa::kAtomicCmpxchg) {
    e.lock_cmpxchg(w, cell, src);
    if (!w) e.mov_rr(false, RAX, RAX);  // a 32-bit match leaves rax's upper half: r0 is the old value, zero-extended
    return;
  }
  if (op == isa::kAtomicXchg) {
    e.mov_rr(true, kScratch1, src);
    e.xchg_mr(w, cell, kScratch1);
    e.mov_rr(w, src, kScratch1);
    return;
  }
  const int32_t base_op = op & ~isa::kAtomicFetch;
  const AluOp alu = base_op == isa::kAtomicAdd  ? kAdd
                    : base_op == isa::kAtomicOr ? kOr
                    : base_op == isa::kAtomicAnd ? kAnd
                                                 : kXor;
  if (!fetch) return e.lock_alu_mr(w, alu, cell, src);
  if (base_op == isa::kAtomicAdd) {
    e.mov_rr(true, kScratch1, src);
    e.lock_xadd(w, cell, kScratch1);
    e.mov_rr(w, src, kScratch1);
    return;
  }
  const Mem saved_r0 = context_field(offsetof(NativeContext, spill));
  e.store64(saved_r0, RAX);
  const Label retry = c.make_label();
  e.load(bytes, false, RAX, cell);
  c.bind(retry);
  e.mov_rr(true, kScratch1, RAX);
  if (src == RAX) e.alu_rm(alu, w, kScratch1, saved_r0);
  else e.alu_rr(alu, w, kScratch1, src);
  e.lock_cmpxchg(w, cell, kScratch1);
  e.jcc(kNE, retry);
  // rax holds the old value; it goes to src, and r0 gets its own back
  // unless src is r0.
  if (src != RAX) {
    e.mov_rr(w, src, RAX);
    e.load64(RAX, saved_r0);
  }
}

void Compiler::emit_helper_call(size_t pc, const Instruction& insn) {
  if (const std::optional<MemoryHelper> kind = plan().memory_helper_at(pc)) return emit_memory_helper(pc, *kind);
  emit_runtime_helper_call(pc, insn);
}

// Helpers are called through the runtime's entry with r1..r5 in place and
// the context as the sixth argument. The interpreter leaves r1..r5 as they
// were, so they are saved around the call with the budget register (six
// pushes keep the stack aligned).
constexpr Reg kHelperSaved[] = {RDI, RSI, RDX, RCX, R8, kBudget};

void Compiler::emit_runtime_helper_call(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  e.store32_imm(context_field(offsetof(NativeContext, call_pc)),
                static_cast<uint32_t>(plan().source_pc(pc)) | (insn.is_callx() ? kCallxBit : 0));
  if (insn.is_callx()) e.store64(context_field(offsetof(NativeContext, callx_id)), reg(insn.callx_register()));
  for (Reg r : kHelperSaved) e.push(r);
  e.mov_rr(true, R9, kContext);
  e.call_mem(context_field(offsetof(NativeContext, call_helper)));
  e.mov_rr(true, kScratch2, RDX);  // HelperOutcome::failed
  for (auto it = std::rbegin(kHelperSaved); it != std::rend(kHelperSaved); ++it) e.pop(*it);
  e.test_rr(true, kScratch2, kScratch2);
  e.jcc(kNE, abort_stub(NativeAbort::kHelper, pc));
}

// A memory helper inline: each pointer argument against its cached region,
// then the C library's function, whose System V arguments r1..r3 already
// are. A zero length or a miss calls the helper through the runtime, which
// checks and reports exactly as the interpreter does and refills the caches.
void Compiler::emit_memory_helper(size_t pc, MemoryHelper kind) {
  Emitter e = this->e();
  const Reg length = reg(3);
  const Label done = code().make_label();
  const Label runtime_call = stub(stub::HelperCall{pc, done});
  e.test_rr(true, length, length);
  e.jcc(kE, runtime_call);
  size_t site = this->site(pc);
  for (const HelperPointer& p : helper_pointers(kind)) {
    const size_t cache = guard_cache_offset(site++);
    // r10 = A - start; r11 = count - r10, which must not borrow or be zero
    // (A - start < count) and must exceed the length. A miss may still be
    // the stack's, which no cache holds.
    const Label next = code().make_label();
    const Label miss = stub(stub::PointerMiss{reg(p.reg), length, next, runtime_call});
    e.mov_rr(true, kScratch1, reg(p.reg));
    e.sub_rm(kScratch1, context_field(cache + offsetof(GuardCache, start)));
    e.load64(kScratch2, context_field(cache + offsetof(GuardCache, count)));
    e.alu_rr(kSub, true, kScratch2, kScratch1);
    e.jcc(kBE, miss);
    e.alu_rr(kCmp, true, length, kScratch2);
    e.jcc(kAE, miss);
    code().bind(next);
  }
  for (Reg r : kHelperSaved) e.push(r);
  e.call_mem(context_field(offsetof(NativeContext, memory_functions) + sizeof(void*) * static_cast<size_t>(kind)));
  for (auto it = std::rbegin(kHelperSaved); it != std::rend(kHelperSaved); ++it) e.pop(*it);
  if (kind == MemoryHelper::kMemcmp) {
    // The C result's sign as -1, 0 or 1, all 64 bits: (r > 0) - (r < 0).
    e.alu_rr(kXor, false, kScratch1, kScratch1);
    e.alu_rr(kXor, false, kScratch2, kScratch2);
    e.test_rr(false, RAX, RAX);
    e.setcc(kG, kScratch1);
    e.setcc(kL, kScratch2);
    e.alu_rr(kSub, true, kScratch1, kScratch2);
    e.mov_rr(true, RAX, kScratch1);
  }
  code().bind(done);
}

void Compiler::emit_stub_code(const stub::HelperCall& call) {
  emit_runtime_helper_call(call.pc, program_.insns[call.pc]);
  e().jmp(call.done);
}

void Compiler::emit_stub_code(const stub::PointerMiss& miss) {
  e().mov_rr(true, kScratch2, static_cast<Reg>(miss.pointer));
  emit_stack_check(kScratch2, static_cast<Reg>(miss.length), 0, miss.next);
  e().jmp(miss.runtime_call);
}

// A local call: a native call, with the caller's r6..r9 saved around it (a
// BPF callee may change them; its caller must not see it) and r10 moved one
// frame down. `depth` limits the frames and tells the runtime which part of
// the stack region is in use.
void Compiler::emit_local_call(size_t pc, const Instruction& insn) {
  Emitter e = this->e();
  const Mem depth = context_field(offsetof(NativeContext, depth));
  e.cmp_mem32_i8(depth, kMaxFrames - 1);
  e.jcc(kAE, abort_stub(NativeAbort::kStackOverflow, pc));
  e.inc_mem32(depth);
  static constexpr Reg kSaved[] = {RBX, R13, R14, R15};
  for (Reg r : kSaved) e.push(r);
  e.alu_ri(kSub, true, RBP, kFrameBytes);
  e.alu_ri(kSub, true, RSP, 8);  // four pushes and the return address: one slot more keeps the alignment
  e.call(pc_label(static_cast<int64_t>(pc) + 1 + insn.imm));
  e.alu_ri(kAdd, true, RSP, 8);
  e.alu_ri(kAdd, true, RBP, kFrameBytes);
  for (auto it = std::rbegin(kSaved); it != std::rend(kSaved); ++it) e.pop(*it);
  e.dec_mem32(depth);
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
    const Mem start = context_field(cache + offsetof(GuardCache, start));
    const Mem count = context_field(cache + offsetof(GuardCache, count));
    const Label warm = code().make_label();
    e.cmp_mem64_i8(count, 0);
    e.jcc(kNE, warm);
    emit_guard_runtime_call({reg(r.base), r.low}, site);
    code().bind(warm);
    // r11 = base + low - start must be below count - (high - low).
    e.lea(kScratch2, {reg(r.base), r.low});
    e.sub_rm(kScratch2, start);
    e.load64(kScratch1, count);
    e.alu_ri(kSub, true, kScratch1, r.high - r.low);
    e.jcc(kBE, checked_head);
    e.alu_rr(kCmp, true, kScratch2, kScratch1);
    e.jcc(kAE, checked_head);
  }
}

}  // namespace

LoweredCode lower_x86_64(const LoweringPlan& plan) { return Compiler(plan).lower(); }

}  // namespace sbpf::jit
