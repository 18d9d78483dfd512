// The JIT's edge cases against the interpreter, one hand-written program
// each: every abort kind (with its pc and message), the semantics x86 gets
// wrong by default (division by zero, MIN / -1, 32-bit results, shift
// counts, atomics' fetch forms), and guards restricted to their regions.
// Both engines run in the same memory and must end alike.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "runtime/engine.h"
#include "runtime/interpreter.h"
#include "runtime/lambda_io_helpers.h"

namespace sbpf::runtime {
namespace {

using verifier::AccessCheck;
using verifier::Annotations;

struct Outcome {
  ExecutionResult result;
  std::vector<uint8_t> memory;
};

Outcome run(EngineKind kind, const isa::Program& program, const Annotations* annotations,
            std::vector<uint8_t>& memory, const std::vector<uint8_t>& initial, std::array<uint8_t, 4096>& stack,
            uint64_t budget, const std::vector<uint8_t>& read_only) {
  HelperRegistry helpers;
  add_lambda_io_helpers(helpers);
  EngineOptions options;
  options.annotations = annotations;
  options.kind = kind;
  memory = initial;
  Invocation invocation;
  invocation.pass_memory(memory);
  if (!read_only.empty()) {
    invocation.regions.add({RegionKind::kInput, const_cast<uint8_t*>(read_only.data()), read_only.size(), false});
    invocation.args[2] = reinterpret_cast<uintptr_t>(read_only.data());
  }
  invocation.stack = stack;
  invocation.loop_budget = budget;
  Outcome outcome{make_engine(program, helpers, options)->run(invocation), {}};
  outcome.memory = memory;
  return outcome;
}

// Runs `text` on the interpreter and the JIT with r1 = `initial` (copied
// into memory both see at the same address), r2 = its size, and r3 =
// `read_only` (a read-only region) when given. Returns the JIT's outcome
// after checking it equals the interpreter's.
Outcome expect_same(const std::string& text, std::vector<uint8_t> initial = {},
                    const Annotations* annotations = nullptr, uint64_t budget = kDefaultLoopBudget,
                    const std::vector<uint8_t>& read_only = {}) {
  if (!jit_available()) return {};
  const isa::Program program = isa::assemble(text);
  std::vector<uint8_t> memory;
  std::array<uint8_t, 4096> stack{};
  const Outcome interp = run(EngineKind::kInterpreter, program, annotations, memory, initial, stack, budget, read_only);
  const Outcome jit = run(EngineKind::kJit, program, annotations, memory, initial, stack, budget, read_only);
  EXPECT_EQ(interp.result.ok(), jit.result.ok()) << text;
  if (interp.result.ok() && jit.result.ok()) {
    EXPECT_EQ(interp.result.r0, jit.result.r0) << text;
  } else if (!interp.result.ok() && !jit.result.ok()) {
    EXPECT_EQ(interp.result.abort->kind, jit.result.abort->kind) << text;
    EXPECT_EQ(interp.result.abort->pc, jit.result.abort->pc) << text;
    EXPECT_EQ(interp.result.abort->message, jit.result.abort->message) << text;
  } else {
    ADD_FAILURE() << text << "\ninterpreter: " << (interp.result.ok() ? "ok" : interp.result.abort->message)
                  << "\njit: " << (jit.result.ok() ? "ok" : jit.result.abort->message);
  }
  EXPECT_EQ(interp.memory, jit.memory) << text;
  return jit;
}

class JitEdgeCases : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!jit_available()) GTEST_SKIP() << "no JIT on this host";
  }
};

TEST_F(JitEdgeCases, DivisionByZeroAndOverflowDoNotFault) {
  EXPECT_EQ(expect_same("mov %r0, 7\nmov %r2, 0\ndiv %r0, %r2\nexit\n").result.r0, 0u);
  EXPECT_EQ(expect_same("mov %r0, 7\nmov %r2, 0\nmod %r0, %r2\nexit\n").result.r0, 7u);
  EXPECT_EQ(expect_same("lddw %r0, 0x8000000000000000\nsdiv %r0, -1\nexit\n").result.r0, 0x8000000000000000u);
  EXPECT_EQ(expect_same("lddw %r0, 0x8000000000000000\nsmod %r0, -1\nexit\n").result.r0, 0u);
  EXPECT_EQ(expect_same("mov32 %r0, 0x80000000\nmov %r3, -1\nsdiv32 %r0, %r3\nexit\n").result.r0, 0x80000000u);
  // The 32-bit remainder by zero is the dividend's low half.
  EXPECT_EQ(expect_same("lddw %r0, 0x1234567800000009\nmod32 %r0, 0\nexit\n").result.r0, 9u);
  // r0 and r3 are the registers x86's div uses: as operands and results.
  EXPECT_EQ(expect_same("mov %r3, 100\nmov %r0, 7\ndiv %r3, %r0\nmov %r0, %r3\nexit\n").result.r0, 14u);
  EXPECT_EQ(expect_same("mov %r3, 9\nmov %r0, 100\nmod %r0, %r3\nexit\n").result.r0, 1u);
  expect_same("mov %r0, -100\nmov %r3, 7\nsdiv %r3, %r0\nmov %r0, %r3\nexit\n");
}

TEST_F(JitEdgeCases, ThirtyTwoBitResultsClearTheUpperHalf) {
  for (const char* op : {"add32 %r0, 0", "lsh32 %r0, 0", "lsh32 %r0, %r4", "rsh32 %r0, %r4", "arsh32 %r0, %r4",
                         "mov32 %r0, %r0", "le32 %r0", "le16 %r0", "be16 %r0", "be32 %r0", "mul32 %r0, 1",
                         "neg32 %r0", "movsx832 %r0, %r0", "movsx1632 %r0, %r0", "or32 %r0, %r4", "xor32 %r0, 0"}) {
    const std::string text = std::string("lddw %r0, 0xffffffff87654321\nmov %r4, 32\n") + op + "\nexit\n";
    expect_same(text);
  }
}

TEST_F(JitEdgeCases, ShiftCountsInEveryRegister) {
  for (int count = 0; count < 10; ++count)
    for (int value = 0; value < 10; ++value) {
      if (count == 10 || value == 10) continue;
      const std::string text = "mov %r" + std::to_string(value) + ", -12345\nmov %r" + std::to_string(count) +
                               ", 67\nlsh %r" + std::to_string(value) + ", %r" + std::to_string(count) +
                               "\nrsh %r" + std::to_string(value) + ", %r" + std::to_string(count) + "\nmov %r0, %r" +
                               std::to_string(value) + "\nexit\n";
      expect_same(text);
    }
}

TEST_F(JitEdgeCases, AtomicsFetchAndCompare) {
  const std::vector<uint8_t> cell = {5, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0};
  for (const char* op : {"lock add [%r1], %r2", "lock fetch add [%r1], %r2", "lock fetch or [%r1], %r2",
                         "lock fetch and [%r1], %r2", "lock fetch xor [%r1], %r2", "lock xchg [%r1], %r2",
                         "lock cmpxchg [%r1], %r2", "lock fetch or32 [%r1], %r2", "lock xchg32 [%r1], %r2",
                         "lock cmpxchg32 [%r1], %r2"}) {
    const std::string text = std::string("mov %r0, 5\nmov %r2, 12\n") + op + "\nadd %r0, %r2\nexit\n";
    expect_same(text, cell);
  }
  // A 32-bit compare that matches leaves r0 the old value, zero-extended.
  expect_same("lddw %r0, 0x100000005\nmov %r2, 12\nlock cmpxchg32 [%r1], %r2\nexit\n", cell);
  // r0 as the operand of a fetch: the old value lands in r0.
  expect_same("mov %r0, 6\nlock fetch or [%r1], %r0\nexit\n", cell);
}

TEST_F(JitEdgeCases, EveryAbortKindAtTheSamePc) {
  // bounds: past the end, and a store outside every region.
  EXPECT_EQ(expect_same("ldxdw %r0, [%r1+8]\nexit\n", {1}).result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(expect_same("mov %r2, 64\nstxdw [%r2], %r2\nexit\n").result.abort->kind, AbortKind::kBounds);
  // misaligned atomic.
  EXPECT_EQ(expect_same("mov %r2, 1\nlock add [%r1+1], %r2\nmov %r0, 0\nexit\n", std::vector<uint8_t>(16))
                .result.abort->kind,
            AbortKind::kMisaligned);
  // loop budget, in a counted loop.
  EXPECT_EQ(expect_same("mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n", {}, nullptr, 100).result.abort->kind,
            AbortKind::kLoopBudget);
  // stack overflow: a function that calls itself.
  EXPECT_EQ(expect_same("call local f\nexit\nf:\ncall local f\nexit\n").result.abort->kind,
            AbortKind::kStackOverflow);
  // helpers: unknown, a rejected argument, and callx through a number.
  EXPECT_EQ(expect_same("call 4000\nexit\n").result.abort->kind, AbortKind::kHelper);
  EXPECT_EQ(expect_same("mov %r1, 64\nmov %r2, 0\nmov %r3, 8\ncall 162\nexit\n").result.abort->kind,
            AbortKind::kHelper);
  EXPECT_EQ(expect_same("mov %r5, 77777\ncall %r5\nexit\n").result.abort->kind, AbortKind::kHelper);
}

// A jump over moves becomes a select; when both ways are counted back-edges
// the budget's abort still names the jump that was taken.
TEST_F(JitEdgeCases, SelectsKeepTheJumpsSemantics) {
  const std::string loop =
      "mov %r0, 0\nmov %r6, 0\nloop:\nadd %r6, 1\nmov %r2, %r6\nand %r2, 1\njeq %r2, 0, loop\n"
      "mov %r0, %r6\nadd %r0, %r2\nmul %r0, 3\nja loop\n";
  const Outcome even = expect_same(loop, {}, nullptr, 10);
  const Outcome odd = expect_same(loop, {}, nullptr, 11);
  ASSERT_FALSE(even.result.ok());
  ASSERT_FALSE(odd.result.ok());
  EXPECT_NE(even.result.abort->pc, odd.result.abort->pc);
  // min and max, falling through to the join.
  for (const char* jump : {"jsgt", "jslt", "jgt", "jle", "jeq", "jset"})
    for (int64_t a : {-5, 0, 3})
      expect_same("mov %r1, " + std::to_string(a) + "\nmov %r2, 1\nmov %r0, %r1\n" + jump +
                  " %r1, %r2, out\nmov %r0, %r2\nadd %r0, %r1\nout:\nexit\n");
}

TEST_F(JitEdgeCases, HelpersKeepTheArgumentRegistersAndLocalCallsTheCallers) {
  // memset(memory, 7, 4) through the helper; r1..r5 as they were after it.
  expect_same("mov %r6, %r1\nmov %r2, 7\nmov %r3, 4\nmov %r4, 44\nmov %r5, 55\ncall 162\n"
              "add %r0, %r2\nadd %r0, %r3\nadd %r0, %r4\nadd %r0, %r5\nldxw %r1, [%r6]\nadd %r0, %r1\nexit\n",
              std::vector<uint8_t>(8));
  // A callee that writes r6..r9 and its own frame; the caller sees neither.
  expect_same("mov %r6, 1\nmov %r7, 2\nmov %r8, 3\nmov %r9, 4\nstdw [%r10-8], 11\ncall local f\n"
              "add %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit\n"
              "f:\nmov %r6, 100\nmov %r7, 100\nmov %r8, 100\nmov %r9, 100\nstdw [%r10-8], 99\nldxdw %r0, [%r10-8]\n"
              "exit\n");
}

// memcpy, memcmp and memset run inline against cached regions: a loop calls
// each site until its arguments leave the region, so the first call fills
// the caches, the next ones hit them, and the last misses and fails in the
// runtime with the interpreter's message.
TEST_F(JitEdgeCases, InlineMemoryHelpersMatchTheHelpers) {
  std::vector<uint8_t> memory(128);
  for (size_t i = 0; i < memory.size(); ++i) memory[i] = static_cast<uint8_t>(i * 37 + 5);
  // memcpy: overlapping ways (dst below, equal to, above src), then past the end.
  const Outcome copy = expect_same(
      "mov %r9, %r1\nmov %r6, 0\nloop:\nmov %r1, %r9\nadd %r1, %r6\nmov %r2, %r9\nadd %r2, 40\nmov %r3, 24\n"
      "call 156\nsub %r0, %r9\nadd %r7, %r0\nadd %r6, 8\njlt %r6, 200, loop\nmov %r0, %r7\nexit\n",
      memory);
  ASSERT_FALSE(copy.result.ok());
  EXPECT_EQ(copy.result.abort->kind, AbortKind::kHelper);
  // memcmp: -1, 0 and 1 (bytes compare unsigned), folded into r7 by position,
  // until a read past the end.
  std::vector<uint8_t> rows(64, 0x41);
  rows[5] = 0x80;
  rows[13] = 0x01;
  auto compare_loop = [](int trips, const std::string& then) {
    return "mov %r9, %r1\nmov %r6, 0\nmov %r7, 0\nloop:\nmov %r1, %r9\nadd %r1, %r6\nmov %r2, %r9\nadd %r2, 16\n"
           "mov %r3, 8\ncall 161\nmul %r7, 3\nadd %r7, %r0\nadd %r7, 1\nadd %r6, 1\njlt %r6, " +
           std::to_string(trips) + ", loop\n" + then;
  };
  EXPECT_FALSE(expect_same(compare_loop(60, "mov %r0, %r7\nexit\n"), rows).result.ok());
  // Stopping in bounds, then a zero length anywhere: the folded results.
  EXPECT_TRUE(
      expect_same(compare_loop(40, "mov %r1, 0\nmov %r3, 0\ncall 161\nadd %r0, %r7\nexit\n"), rows).result.ok());
  // memset: only the low byte of r2 counts; past the end fails.
  const Outcome fill = expect_same(
      "mov %r9, %r1\nmov %r6, 0\nloop:\nmov %r1, %r9\nadd %r1, %r6\nmov %r2, %r6\nmul %r2, 0x10101\nmov %r3, 12\n"
      "call 162\nadd %r6, 10\njlt %r6, 130, loop\nexit\n",
      memory);
  ASSERT_FALSE(fill.result.ok());
  EXPECT_NE(fill.result.abort->message.find("memset: write of 12 bytes"), std::string::npos)
      << fill.result.abort->message;
}

// A zero-length memcpy into read-only memory succeeds; the next, of 8 bytes
// at the same call, must still fail: a cache for a written argument only
// ever holds a writable region.
TEST_F(JitEdgeCases, AnInlineHelperWritesOnlyWritableRegions) {
  const Outcome jit = expect_same(
      "mov %r9, %r1\nmov %r8, %r3\nmov %r6, 0\nloop:\nmov %r1, %r8\nmov %r2, %r9\n"
      "mov %r3, %r6\ncall 156\nadd %r6, 8\njlt %r6, 24, loop\nexit\n",
      std::vector<uint8_t>(16), nullptr, kDefaultLoopBudget, std::vector<uint8_t>(16, 7));
  ASSERT_FALSE(jit.result.ok());
  EXPECT_EQ(jit.result.abort->pc, 6u);
  EXPECT_NE(jit.result.abort->message.find("memcpy: write of 8 bytes"), std::string::npos) << jit.result.abort->message;
}

// No cache holds the stack (its extent moves with calls): a guard or an
// inline helper's argument that misses its cache checks the frames in use
// inline. Unverified, every access here is guarded.
TEST_F(JitEdgeCases, TheStackIsCheckedAtEveryDepth) {
  // A callee writes its caller's frame through a pointer and returns a
  // pointer into its own frame, which is out of bounds once it returned.
  const Outcome dead_frame = expect_same(
      "mov %r1, %r10\ncall local f\nldxdw %r2, [%r10-8]\nldxdw %r0, [%r0]\nexit\n"
      "f:\nstdw [%r1-8], 5\nstdw [%r10-8], 6\nldxdw %r0, [%r1-8]\nmov %r0, %r10\nsub %r0, 8\nexit\n");
  ASSERT_FALSE(dead_frame.result.ok());
  EXPECT_EQ(dead_frame.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(dead_frame.result.abort->pc, 3u);
  // The top byte of the stack, and one past it.
  expect_same("stb [%r10-1], 1\nldxb %r0, [%r10-1]\nexit\n");
  EXPECT_FALSE(expect_same("ldxb %r0, [%r10]\nexit\n").result.ok());
  // memset and memcpy on stack buffers, one from a callee into its caller's
  // frame; then a memset that runs past the top.
  const Outcome helpers = expect_same(
      "mov %r6, %r1\nmov %r1, %r10\nsub %r1, 16\nmov %r2, 0x5a\nmov %r3, 16\ncall 162\nmov %r1, %r10\n"
      "call local f\nmov %r1, %r6\nmov %r2, %r10\nsub %r2, 32\nmov %r3, 32\ncall 156\n"
      "mov %r1, %r10\nsub %r1, 8\nmov %r3, 9\ncall 162\nexit\n"
      "f:\nmov %r2, %r10\nsub %r2, 8\nstdw [%r2], 77\nsub %r1, 32\nmov %r3, 8\ncall 156\nexit\n",
      std::vector<uint8_t>(32));
  ASSERT_FALSE(helpers.result.ok());
  EXPECT_EQ(helpers.result.abort->pc, 16u);
  EXPECT_EQ(helpers.memory[0], 77);
  EXPECT_EQ(helpers.memory[16], 0x5a);
}

// A loop whose guarded load keeps a known distance from a register the loop
// never writes runs, once the load's whole range fits its cached region, as
// a copy without the guard. Where the range does not fit, the loop runs
// guarded and aborts where the interpreter does.
// Every access guarded and every backward jump counted, as for a program
// never verified, but the access at `pc` with `range` against another
// register: what lets the JIT version its loop.
Annotations all_checked_but(const std::string& text, size_t pc, verifier::RelativeRange range) {
  Annotations annotations = Annotations::all_checked(isa::assemble(text));
  annotations.access[pc].relative = range;
  return annotations;
}

TEST_F(JitEdgeCases, VersionedLoopsMatchTheInterpreter) {
  const std::string sum =
      "mov %r6, %r1\nmov %r0, 0\nmov %r7, 0\nloop:\nmov %r3, %r6\nadd %r3, %r0\nldxb %r4, [%r3+1]\n"
      "add %r7, %r4\nadd %r0, 1\njlt %r0, 15, loop\nmov %r0, %r7\nexit\n";
  const Annotations annotations = all_checked_but(sum, 5, {6, 1, 15});  // ldxb: r6 + 1 .. r6 + 15
  std::vector<uint8_t> bytes(16);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i + 1);
  EXPECT_EQ(expect_same(sum, bytes, &annotations).result.r0, 135u);  // 2 + 3 + ... + 16
  // Entered twice: the second entry finds the cache warm.
  const std::string twice =
      "mov %r6, %r1\nmov %r8, 0\nmov %r7, 0\nouter:\nmov %r0, 0\nloop:\nmov %r3, %r6\nadd %r3, %r0\n"
      "ldxb %r4, [%r3+1]\nadd %r7, %r4\nadd %r0, 1\njlt %r0, 15, loop\nadd %r8, 1\njlt %r8, 2, outer\n"
      "mov %r0, %r7\nexit\n";
  const Annotations twice_annotations = all_checked_but(twice, 6, {6, 1, 15});
  EXPECT_EQ(expect_same(twice, bytes, &twice_annotations).result.r0, 270u);
  // Too short for the range: the guarded loop aborts at the load.
  const Outcome short_input = expect_same(sum, std::vector<uint8_t>(8), &annotations);
  ASSERT_FALSE(short_input.result.ok());
  EXPECT_EQ(short_input.result.abort->pc, 5u);
}

// An inline memcpy in a versioned loop has its argument caches twice, once
// per copy of the loop; the runtime refills both sets, and only those.
TEST_F(JitEdgeCases, AnInlineHelperInAVersionedLoop) {
  const std::string text =
      "mov %r6, %r1\nmov %r8, 0\nmov %r7, 0\nloop:\nmov %r3, %r6\nadd %r3, %r8\nldxb %r4, [%r3]\nadd %r7, %r4\n"
      "mov %r1, %r6\nadd %r1, 32\nmov %r2, %r6\nadd %r2, %r8\nmov %r3, 8\ncall 156\nstb [%r6+48], 1\n"
      "add %r8, 1\njlt %r8, 16, loop\nmov %r0, %r7\nexit\n";
  const Annotations annotations = all_checked_but(text, 5, {6, 0, 15});
  std::vector<uint8_t> bytes(64);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(3 * i + 1);
  EXPECT_TRUE(expect_same(text, bytes, &annotations).result.ok());
}

TEST_F(JitEdgeCases, AGuardOnlyAllowsItsRegions) {
  const isa::Program program = isa::assemble("ldxdw %r0, [%r1]\nexit\n");
  Annotations annotations;
  annotations.access.resize(program.size());
  annotations.back_edge.resize(program.size());
  annotations.access[0] = {AccessCheck::kGuarded, verifier::region_bit(RegionKind::kInput), 8};
  const Outcome jit = expect_same("ldxdw %r0, [%r1]\nexit\n", std::vector<uint8_t>(8), &annotations);
  ASSERT_FALSE(jit.result.ok());
  EXPECT_NE(jit.result.abort->message.find("may only touch input"), std::string::npos) << jit.result.abort->message;
  annotations.access[0].regions = verifier::region_bit(RegionKind::kMemory);
  EXPECT_TRUE(expect_same("ldxdw %r0, [%r1]\nexit\n", std::vector<uint8_t>(8), &annotations).result.ok());
}

}  // namespace
}  // namespace sbpf::runtime
