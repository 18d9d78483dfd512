// The arm64 backend's sequences, on any host: programs compiled for arm64
// (a cross-JIT on x86-64) and the words expected in their code, from the
// encoders that a64_encoding_test checks against llvm-mc. What the code
// computes is the differential and conformance tests' job, under qemu.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "jit/arm64/a64_encoding.h"
#include "jit/arm64/arm64_backend.h"
#include "jit/native_context.h"
#include "jit/native_program.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/annotations.h"
#include "verifier/verifier.h"

namespace sbpf::jit {
namespace {

using namespace a64;  // NOLINT

struct Compiled {
  std::vector<uint32_t> words;
  std::vector<uint32_t> pc_offsets;

  bool has(uint32_t word) const { return std::find(words.begin(), words.end(), word) != words.end(); }
  size_t count(uint32_t word) const { return static_cast<size_t>(std::count(words.begin(), words.end(), word)); }
  // The word `index` words into the code of BPF slot `pc`.
  uint32_t at(size_t pc, size_t index = 0) const { return words[pc_offsets[pc] / 4 + index]; }
};

// Every access guarded and every back-edge counted, as for a program that
// was not verified.
Compiled compile_text(const std::string& text, Arm64Atomics atomics = Arm64Atomics::kLse) {
  const isa::Program program = isa::assemble(text);
  CompileOptions options;
  options.arm64_atomics = atomics;
  const NativeProgram native = compile(Arch::kArm64, program, verifier::Annotations::all_checked(program), options);
  EXPECT_EQ(native.arch(), Arch::kArm64);
  EXPECT_EQ(native.code_size() % 4, 0u);
  Compiled c;
  for (size_t i = 0; i + 4 <= native.code_size(); i += 4) {
    const uint8_t* p = native.code() + i;
    c.words.push_back(uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
  }
  c.pc_offsets = native.pc_offsets();
  return c;
}

// r0 x7, r1..r5 x0..x4, r6..r9 x19..x22, r10 x25.
TEST(Arm64Backend, RegisterMap) {
  const Compiled c = compile_text("mov %r0, %r1\nmov %r6, %r5\nadd %r9, %r10\nexit\n");
  EXPECT_EQ(c.at(0), mov_reg(true, X7, X0));
  EXPECT_EQ(c.at(1), mov_reg(true, X19, X4));
  EXPECT_EQ(c.at(2), add_reg(true, X22, X22, X25));
  EXPECT_EQ(c.words.back(), ret());
}

// udiv/sdiv give x / 0 = 0 and MIN / -1 = MIN; msub makes the remainder,
// so x % 0 = x. No compare, no branch.
TEST(Arm64Backend, DivisionAndModuloNeedNoBranches) {
  const Compiled c = compile_text("div %r1, %r2\nmod %r1, %r2\nsdiv32 %r3, %r4\nsmod32 %r3, %r4\nexit\n");
  EXPECT_EQ(c.at(0), udiv(true, X0, X0, X1));
  EXPECT_EQ(c.at(1, 0), udiv(true, X9, X0, X1));
  EXPECT_EQ(c.at(1, 1), msub(true, X0, X9, X1, X0));
  EXPECT_EQ(c.at(2), sdiv(false, X2, X2, X3));
  EXPECT_EQ(c.at(3, 0), sdiv(false, X9, X2, X3));
  EXPECT_EQ(c.at(3, 1), msub(false, X2, X9, X3, X2));
  EXPECT_EQ(c.pc_offsets[4] - c.pc_offsets[0], 6u * 4);
}

// Variable shifts mask their count as BPF does; immediates are masked here.
TEST(Arm64Backend, Shifts) {
  const Compiled c = compile_text("lsh %r1, %r2\narsh32 %r1, %r2\nrsh %r1, 3\nexit\n");
  EXPECT_EQ(c.at(0), lslv(true, X0, X0, X1));
  EXPECT_EQ(c.at(1), asrv(false, X0, X0, X1));
  EXPECT_EQ(c.at(2), lsr_imm(true, X0, X0, 3));
}

TEST(Arm64Backend, ByteSwapsAndSignExtensions) {
  const Compiled c = compile_text("be16 %r1\nbe32 %r1\nbe64 %r1\nle16 %r1\nmovsx864 %r2, %r1\nmovsx1632 %r2, %r1\nexit\n");
  EXPECT_EQ(c.at(0, 0), rev16(false, X0, X0));
  EXPECT_EQ(c.at(0, 1), uxth(X0, X0));
  EXPECT_EQ(c.at(1), rev(false, X0, X0));
  EXPECT_EQ(c.at(2), rev(true, X0, X0));
  EXPECT_EQ(c.at(3), uxth(X0, X0));
  EXPECT_EQ(c.at(4), sxtb(true, X1, X0));
  EXPECT_EQ(c.at(5), sxth(false, X1, X0));
}

// Constants: one movz/movn per chunk that is not filler, or one orr of a
// bitmask.
TEST(Arm64Backend, Constants) {
  const Compiled c = compile_text("mov %r1, -2\nlddw %r2, 0x123456789abcdef0\nlddw %r3, 0x00ff00ff00ff00ff\nexit\n");
  EXPECT_EQ(c.at(0), movn(true, X0, 1));
  EXPECT_EQ(c.at(1, 0), movz(true, X1, 0xdef0, 0));
  EXPECT_EQ(c.at(1, 3), movk(true, X1, 0x1234, 3));
  EXPECT_EQ(c.at(3), orr_imm(true, X2, XZR, *logical_immediate(true, 0x00ff00ff00ff00ff)));
}

// A jump over a move is a select: csel, no branch.
TEST(Arm64Backend, SelectIsCsel) {
  const Compiled c = compile_text("mov %r3, 5\njsgt %r0, %r3, +1\nmov %r0, %r3\nexit\n");
  EXPECT_EQ(c.at(1, 0), mov_reg(true, X9, X2));
  EXPECT_EQ(c.at(1, 1), cmp_reg(true, X7, X2));
  EXPECT_EQ(c.at(1, 2), csel(true, X7, X7, X9, Cond::GT));
}

// A counted back-edge takes one unit of the budget in x27; a borrow aborts.
TEST(Arm64Backend, CountedBackEdge) {
  const Compiled c = compile_text("mov %r1, 10\nloop:\nsub %r1, 1\njne %r1, 0, loop\nexit\n");
  EXPECT_EQ(c.at(2, 0), cmp_imm(true, X0, 0));
  EXPECT_EQ(c.at(2, 1), b_cond(Cond::EQ, 16));
  EXPECT_EQ(c.at(2, 2), subs_imm(true, X27, X27, 1));
  EXPECT_EQ(c.at(2, 3) & 0xFF00001Fu, b_cond(Cond::LO, 0));
}

// A guarded load: the address against the site's cached region, then the
// plain load.
TEST(Arm64Backend, GuardedLoad) {
  const Compiled c = compile_text("ldxdw %r0, [%r1+8]\nldxsh %r0, [%r1-2]\nexit\n");
  EXPECT_EQ(c.at(0, 0), add_imm(true, X10, X0, 8));
  EXPECT_EQ(c.at(0, 2), sub_reg(true, X10, X10, X11));
  EXPECT_EQ(c.at(0, 4), cmp_reg(true, X10, X11));
  EXPECT_EQ(c.at(0, 5) & 0xFF00001Fu, b_cond(Cond::HS, 0));
  EXPECT_EQ(c.at(0, 6), ldur(Size::k64, X7, X0, 8));
  EXPECT_EQ(c.at(1, 6), ldurs(Size::k16, X7, X0, -2));
}

TEST(Arm64Backend, AtomicsWithLse) {
  const Compiled c = compile_text(
      "lock add [%r1+0], %r2\nlock fetch add [%r1+0], %r2\nlock fetch and32 [%r1+0], %r2\n"
      "lock xchg [%r1+0], %r2\nlock cmpxchg32 [%r1+0], %r2\nexit\n");
  EXPECT_TRUE(c.has(ldadd(true, Order::Plain, X1, XZR, X10)));  // stadd
  EXPECT_TRUE(c.has(ldadd(true, Order::AcqRel, X1, X1, X10)));
  EXPECT_TRUE(c.has(mvn(true, X11, X1)));
  EXPECT_TRUE(c.has(ldclr(false, Order::AcqRel, X11, X1, X10)));
  EXPECT_TRUE(c.has(swp(true, Order::AcqRel, X1, X1, X10)));
  EXPECT_TRUE(c.has(cas(false, Order::AcqRel, X7, X1, X10)));
  EXPECT_FALSE(c.has(ldxr(true, X11, X10)));
  // Each checks alignment first.
  EXPECT_EQ(c.count(tst_imm(true, X10, *logical_immediate(true, 7))), 3u);
  EXPECT_EQ(c.count(tst_imm(true, X10, *logical_immediate(true, 3))), 2u);
}

TEST(Arm64Backend, AtomicsWithoutLse) {
  const Compiled c = compile_text("lock fetch add [%r1+0], %r2\nlock or32 [%r1+0], %r2\nlock cmpxchg [%r1+0], %r2\nexit\n",
                                  Arm64Atomics::kExclusive);
  // fetch add: a loop storing with release, then a full barrier.
  EXPECT_TRUE(c.has(ldxr(true, X11, X10)));
  EXPECT_TRUE(c.has(add_reg(true, X12, X11, X1)));
  EXPECT_TRUE(c.has(stlxr(true, X9, X12, X10)));
  EXPECT_TRUE(c.has(mov_reg(true, X1, X11)));
  // or (no fetch): a plain exclusive pair, no barrier of its own.
  EXPECT_TRUE(c.has(ldxr(false, X11, X10)));
  EXPECT_TRUE(c.has(orr_reg(false, X12, X11, X1)));
  EXPECT_TRUE(c.has(stxr(false, X9, X12, X10)));
  // cmpxchg: r0 gets the old value whether or not it matched.
  EXPECT_TRUE(c.has(cmp_reg(true, X11, X7)));
  EXPECT_TRUE(c.has(stlxr(true, X9, X1, X10)));
  EXPECT_TRUE(c.has(mov_reg(true, X7, X11)));
  EXPECT_EQ(c.count(dmb(BarrierOption::ISH)), 2u);
  EXPECT_FALSE(c.has(ldadd(true, Order::AcqRel, X1, X1, X10)));
}

// A helper call: r1..r5 stay in x0..x4 (saved around the call with x30),
// the context is the sixth argument, r0 comes back in x0 and `failed` in x1.
TEST(Arm64Backend, HelperCall) {
  const Compiled c = compile_text("call 5\nexit\n");
  EXPECT_TRUE(c.has(stp_pre(true, X0, X1, SP, -48)));
  EXPECT_TRUE(c.has(stp(true, X4, kLr, SP, 32)));
  EXPECT_TRUE(c.has(mov_reg(true, X5, X26)));
  EXPECT_TRUE(c.has(blr(X9)));
  EXPECT_TRUE(c.has(mov_reg(true, X7, X0)));
  EXPECT_TRUE(c.has(mov_reg(true, X9, X1)));
}

// A local call: depth checked, r6..r9 and x30 saved, r10 one frame down,
// bl; the callee returns with ret.
TEST(Arm64Backend, LocalCall) {
  const Compiled c = compile_text("call local f\nexit\nf:\nmov %r0, 1\nexit\n");
  EXPECT_TRUE(c.has(stp_pre(true, X19, X20, SP, -48)));
  EXPECT_TRUE(c.has(sub_imm(true, X25, X25, 512)));
  EXPECT_TRUE(c.has(add_imm(true, X25, X25, 512)));
  EXPECT_EQ(c.at(3), ret());
}

// b.cond reaches 1 MiB: a jump over more code than that takes the long
// form (the inverted condition over a `b`), and a near one stays short.
TEST(Arm64Backend, ConditionalBranchesBeyondOneMebibyte) {
  std::string text = "jeq %r1, 0, far\njeq %r1, 1, near\nnear:\n";
  for (int i = 0; i < 30000; ++i) text += "call 5\n";  // about 60 bytes each
  text += "far:\nexit\n";
  const Compiled c = compile_text(text);
  ASSERT_GT(c.pc_offsets[30002] - c.pc_offsets[2], 1u << 20);
  EXPECT_EQ(c.at(0, 0), cmp_imm(true, X0, 0));
  EXPECT_EQ(c.at(0, 1), b_cond(Cond::NE, 8));
  const int64_t to_far = static_cast<int64_t>(c.pc_offsets[30002]) - (c.pc_offsets[0] + 8);
  EXPECT_EQ(c.at(0, 2), b(to_far));
  EXPECT_EQ(c.at(1, 1), b_cond(Cond::EQ, 4));
}

// Guard caches past the reach of a scaled 12-bit offset from the context
// are addressed through a register.
TEST(Arm64Backend, ManyGuardSites) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "ldxb %r0, [%r1+0]\n";
  text += "exit\n";
  const Compiled c = compile_text(text);
  EXPECT_TRUE(c.has(ldr_reg(Size::k64, X11, X26, X12)));
}

// The shared generator's programs, verified or not, blinded or not, with
// either kind of atomics: every one compiles (what it computes is checked
// under qemu by the differential test).
TEST(Arm64Backend, GeneratedProgramsCompile) {
  testing::GeneratorOptions generator;
  generator.target_instructions = 200;
  generator.violations_per_mille = 20;
  size_t verified = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const isa::Program program = testing::generate_lambda_program(seed, generator);
    const verifier::VerificationResult verdict = verifier::verify(program, verifier::lambda_program_type(), {});
    verified += verdict.accepted;
    const verifier::Annotations annotations =
        verdict.accepted ? verdict.annotations : verifier::Annotations::all_checked(program);
    CompileOptions options;
    options.section_addresses.assign(program.sections.size(), 0x10000);
    options.arm64_atomics = seed % 2 == 0 ? Arm64Atomics::kLse : Arm64Atomics::kExclusive;
    options.blind_constants = seed % 3 == 0;
    options.blinding_seed = seed;
    const NativeProgram native = compile(Arch::kArm64, program, annotations, options);
    ASSERT_EQ(native.pc_offsets().size(), program.size() + 1) << "seed " << seed;
    EXPECT_EQ(native.code_size() % 4, 0u);
  }
  EXPECT_GT(verified, 100u);
}

#if defined(__aarch64__)
// On an arm64 CPU: every atomic, run both ways (LSE only where the CPU has
// it: under qemu, -cpu max but not -cpu cortex-a53), with the results the
// interpreter gives. The accesses are annotated proven, so the code needs no
// runtime behind it.
TEST(Arm64Backend, AtomicsRunBothWays) {
  const isa::Program program = isa::assemble(R"(
    mov %r2, 5
    lock fetch add [%r1+0], %r2
    mov %r3, 0x0f
    lock fetch or [%r1+8], %r3
    mov %r4, 3
    lock fetch and32 [%r1+16], %r4
    mov %r5, 99
    lock xchg [%r1+24], %r5
    mov %r0, 99
    mov %r6, 1
    lock cmpxchg [%r1+24], %r6
    mov %r0, 2
    lock cmpxchg32 [%r1+0], %r6
    add %r0, %r2
    add %r0, %r3
    add %r0, %r4
    add %r0, %r5
    lock xor [%r1+8], %r6
    exit
  )");
  verifier::Annotations annotations = verifier::Annotations::all_checked(program);
  for (verifier::AccessAnnotation& a : annotations.access)
    if (a.check != verifier::AccessCheck::kNone) a.check = verifier::AccessCheck::kProven;
  std::vector<Arm64Atomics> ways = {Arm64Atomics::kExclusive, Arm64Atomics::kDetect};
  if (arm64_uses_lse(Arm64Atomics::kDetect)) ways.push_back(Arm64Atomics::kLse);
  std::printf("this CPU %s LSE atomics\n", arm64_uses_lse(Arm64Atomics::kDetect) ? "has" : "has no");
  for (Arm64Atomics way : ways) {
    CompileOptions options;
    options.arm64_atomics = way;
    const NativeProgram native = compile(Arch::kArm64, program, annotations, options);
    alignas(8) std::array<uint64_t, 4> memory = {10, 0xF0, 7, 100};
    alignas(16) std::array<uint8_t, 4096> stack{};
    std::vector<uint64_t> context((native.context_bytes() + 7) / 8, 0);
    auto* c = reinterpret_cast<NativeContext*>(context.data());
    c->args[0] = reinterpret_cast<uintptr_t>(memory.data());
    c->args[1] = sizeof memory;
    c->stack_top = reinterpret_cast<uintptr_t>(stack.data() + stack.size());
    c->budget = 1000;
    EXPECT_EQ(native.entry()(c), 372u) << static_cast<int>(way);
    EXPECT_EQ(c->abort_kind, NativeAbort::kNone);
    EXPECT_EQ(memory, (std::array<uint64_t, 4>{15, 0xFE, 3, 1})) << static_cast<int>(way);
  }
}
#endif

}  // namespace
}  // namespace sbpf::jit
