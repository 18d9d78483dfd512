// The interpreter's behaviour beyond the conformance suite: regions and their
// permissions, the stack's frames, the loop budget, helpers and global data.
#include "runtime/interpreter.h"

#include <gtest/gtest.h>

#include "isa/assembler.h"
#include "runtime/lambda_io_helpers.h"

namespace sbpf::runtime {
namespace {

struct Run {
  ExecutionResult result;
  std::vector<uint8_t> memory;
};

// Runs `text` with r1 = a writable memory region of `memory`, r2 = its size.
Run run_asm(const std::string& text, std::vector<uint8_t> memory = {}, const HelperRegistry& helpers = {},
            uint64_t budget = kDefaultLoopBudget) {
  isa::Program program = isa::assemble(text, "test.s");
  Interpreter interpreter(program, helpers);
  Invocation inv;
  inv.pass_memory(memory);
  inv.loop_budget = budget;
  Run run{interpreter.run(inv), std::move(memory)};
  return run;
}

TEST(Interpreter, ReturnsR0) {
  auto run = run_asm("mov %r0, 42\nexit\n");
  ASSERT_TRUE(run.result.ok());
  EXPECT_EQ(run.result.r0, 42u);
}

TEST(Interpreter, LoadPastTheEndOfMemoryAbortsWithBounds) {
  auto run = run_asm("ldxw %r0, [%r1+6]\nexit\n", std::vector<uint8_t>(8));
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(run.result.abort->pc, 0u);
  EXPECT_EQ(run.result.abort->message, "load of 4 bytes at r1+6 = memory+6, past the end of memory (8 bytes)");
}

TEST(Interpreter, ScalarDereferenceAbortsAndNamesTheAddress) {
  auto run = run_asm("mov %r1, 4096\nstxdw [%r1-8], %r1\nexit\n");
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(run.result.abort->pc, 1u);
  EXPECT_EQ(run.result.abort->message, "store of 8 bytes at r1-8 = 0xff8, which is outside every region");
}

TEST(Interpreter, AbortLeavesMemoryUntouchedPastThePoint) {
  // Stores 1 to mem[0], then aborts on mem[8] of an 8-byte region.
  auto run = run_asm("stb [%r1], 1\nstb [%r1+8], 2\nexit\n", std::vector<uint8_t>(8));
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.memory, (std::vector<uint8_t>{1, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Interpreter, ReadOnlyRegionRejectsStores) {
  isa::Program program = isa::assemble("stb [%r1], 1\nexit\n");
  Interpreter interpreter(program, {});
  uint8_t input[4] = {};
  Invocation inv;
  inv.regions.add({RegionKind::kInput, input, sizeof input, false});
  inv.args[0] = reinterpret_cast<uintptr_t>(input);
  auto result = interpreter.run(inv);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.abort->message, "store of 1 bytes at r1+0 = input+0, but input is read-only");
}

TEST(Interpreter, StackHas512BytesPerFrame) {
  EXPECT_TRUE(run_asm("stdw [%r10-512], 1\nldxdw %r0, [%r10-512]\nexit\n").result.ok());
  auto below = run_asm("stdw [%r10-520], 1\nmov %r0, 0\nexit\n");
  ASSERT_FALSE(below.result.ok());
  EXPECT_EQ(below.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(below.result.abort->message.rfind("store of 8 bytes at r10-520 = 0x", 0), 0u);
  auto above = run_asm("ldxdw %r0, [%r10]\nexit\n");
  ASSERT_FALSE(above.result.ok());
  EXPECT_EQ(above.result.abort->kind, AbortKind::kBounds);
}

TEST(Interpreter, CalleeMayUseItsCallersFrameButNotBelowItsOwn) {
  // main stores 7 in its frame and passes a pointer to it; f reads it back.
  const char* ok =
      "stdw [%r10-8], 7\n"
      "mov %r1, %r10\n"
      "add %r1, -8\n"
      "call local f\n"
      "exit\n"
      "f:\n"
      "ldxdw %r0, [%r1]\n"
      "exit\n";
  auto run = run_asm(ok);
  ASSERT_TRUE(run.result.ok()) << run.result.abort->message;
  EXPECT_EQ(run.result.r0, 7u);
  const char* below = "call local f\nexit\nf:\nstdw [%r10-513], 1\nexit\n";
  EXPECT_FALSE(run_asm(below).result.ok());
}

TEST(Interpreter, LocalCallsPreserveR6ToR9AndR10) {
  const char* text =
      "mov %r6, 6\n"
      "mov %r9, 9\n"
      "mov %r2, %r10\n"
      "call local f\n"
      "mov %r0, %r6\n"
      "add %r0, %r9\n"
      "jeq %r2, %r10, bad\n"  // f ran in its own frame, 512 bytes lower
      "exit\n"
      "bad:\n"
      "mov %r0, 0\n"
      "exit\n"
      "f:\n"
      "mov %r6, 0\n"
      "mov %r9, 0\n"
      "mov %r2, %r10\n"
      "exit\n";
  auto run = run_asm(text);
  ASSERT_TRUE(run.result.ok());
  EXPECT_EQ(run.result.r0, 15u);
}

TEST(Interpreter, RecursionStopsAtEightFrames) {
  auto run = run_asm("call local f\nexit\nf:\ncall local f\nexit\n");
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.result.abort->kind, AbortKind::kStackOverflow);
  EXPECT_EQ(run.result.abort->pc, 2u);
  EXPECT_EQ(run.result.abort->message, "call would need stack frame 9; the limit is 8");
}

TEST(Interpreter, SevenNestedCallsFit) {
  std::string text = "call local f1\nexit\n";
  for (int i = 1; i <= 7; ++i) {
    text += "f" + std::to_string(i) + ":\n";
    text += i < 7 ? "call local f" + std::to_string(i + 1) + "\n" : "mov %r0, 7\n";
    text += "exit\n";
  }
  auto run = run_asm(text);
  ASSERT_TRUE(run.result.ok()) << run.result.abort->message;
  EXPECT_EQ(run.result.r0, 7u);
}

TEST(Interpreter, InfiniteLoopEndsWithLoopBudget) {
  auto run = run_asm("mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n", {}, {}, 1000);
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.result.abort->kind, AbortKind::kLoopBudget);
  EXPECT_EQ(run.result.abort->pc, 2u);
  EXPECT_EQ(run.result.abort->message, "more than 1000 backward jumps in one invocation");
}

TEST(Interpreter, LoopWithinBudgetCompletes) {
  // Exactly `budget` back-jumps are allowed.
  const char* text = "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 1001, loop\nexit\n";
  auto run = run_asm(text, {}, {}, 1000);
  ASSERT_TRUE(run.result.ok());
  EXPECT_EQ(run.result.r0, 1001u);
  EXPECT_FALSE(run_asm(text, {}, {}, 999).result.ok());
}

TEST(Interpreter, UnknownHelperAbortsWithHelper) {
  auto run = run_asm("call 77\nexit\n");
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.result.abort->kind, AbortKind::kHelper);
  EXPECT_EQ(run.result.abort->message, "call to unknown helper 77");
  auto callx = run_asm("mov %r3, 77\ncall %r3\nexit\n");
  ASSERT_FALSE(callx.result.ok());
  EXPECT_EQ(callx.result.abort->message, "callx through r3 = 77, which is not a helper id");
}

uint64_t add_helper(HelperCall&, const uint64_t a[5]) { return a[0] + a[1] + a[2] + a[3] + a[4]; }
uint64_t failing_helper(HelperCall& call, const uint64_t a[5]) {
  call.writable(a[0], 8);
  return 0;
}

TEST(Interpreter, HelpersGetR1ToR5AndFailCleanly) {
  HelperRegistry helpers;
  helpers.add({1, {"add"}, add_helper, {}, {}});
  helpers.add({2, {"touch"}, failing_helper, {}, {}});
  auto run = run_asm("mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nexit\n", {}, helpers);
  ASSERT_TRUE(run.result.ok());
  EXPECT_EQ(run.result.r0, 15u);
  auto bad = run_asm("mov %r1, 16\ncall 2\nexit\n", {}, helpers);
  ASSERT_FALSE(bad.result.ok());
  EXPECT_EQ(bad.result.abort->kind, AbortKind::kHelper);
  EXPECT_EQ(bad.result.abort->pc, 1u);
  EXPECT_EQ(bad.result.abort->message, "touch: write of 8 bytes at 0x10 is outside every region");
}

// A metered run counts what it executed, for the device model's timing.
ExecutionResult run_metered(const std::string& text, std::vector<uint8_t>& memory, const HelperRegistry& helpers = {},
                            uint64_t budget = kDefaultLoopBudget) {
  isa::Program program = isa::assemble(text, "test.s");
  InterpreterOptions options;
  options.metered = true;
  Interpreter interpreter(program, helpers, options);
  Invocation inv;
  inv.pass_memory(memory);
  inv.loop_budget = budget;
  return interpreter.run(inv);
}

TEST(Interpreter, MeteredRunCountsEachInstructionItRetires) {
  std::vector<uint8_t> memory(16);
  // 1 + 10 × 2 + 1: the loop's add and jlt ten times each; lddw is one.
  ExecutionResult loop = run_metered("mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 10, loop\nexit\n", memory);
  ASSERT_TRUE(loop.ok());
  EXPECT_EQ(loop.instructions, 22u);
  ExecutionResult wide = run_metered("lddw %r0, 0x100000000\nexit\n", memory);
  EXPECT_EQ(wide.instructions, 2u);
  // Local calls and their exits count like any other instruction.
  ExecutionResult call = run_metered("call local f\nexit\nf:\nmov %r0, 1\nexit\n", memory);
  EXPECT_EQ(call.instructions, 4u);
  // An abort counts the instruction that aborted.
  ExecutionResult bad = run_metered("mov %r0, 0\nldxdw %r0, [%r1+16]\nexit\n", memory);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.instructions, 2u);
  ExecutionResult endless = run_metered("loop:\nja loop\n", memory, {}, 5);
  EXPECT_EQ(endless.instructions, 6u);
  // Unmetered, nothing is counted.
  EXPECT_EQ(run_asm("mov %r0, 0\nexit\n").result.instructions, 0u);
}

TEST(Interpreter, MeteredRunCountsTheBytesHelpersMove) {
  HelperRegistry helpers;
  add_lambda_io_helpers(helpers);
  std::vector<uint8_t> memory(64);
  // memcpy(r1 + 32, r1, 24), then memset(r1, 0, 8), then memcmp(r1, r1 + 8, 3).
  ExecutionResult result = run_metered(
      "mov %r6, %r1\n"
      "mov %r1, %r6\nadd %r1, 32\nmov %r2, %r6\nmov %r3, 24\ncall 156\n"
      "mov %r1, %r6\nmov %r2, 0\nmov %r3, 8\ncall 162\n"
      "mov %r1, %r6\nmov %r2, %r6\nadd %r2, 8\nmov %r3, 3\ncall 161\n"
      "mov %r0, 0\nexit\n",
      memory, helpers);
  ASSERT_TRUE(result.ok()) << result.abort->message;
  EXPECT_EQ(result.helper_bytes, 24u + 8u + 3u);
  EXPECT_EQ(result.instructions, 17u);
}

TEST(Interpreter, MisalignedAtomicAborts) {
  auto run = run_asm("mov %r2, 1\nlock add [%r1+1], %r2\nexit\n", std::vector<uint8_t>(16));
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.result.abort->kind, AbortKind::kMisaligned);
}

TEST(Interpreter, GlobalDataIsReadOnlyOrWritableByKind) {
  isa::Program program;
  program.sections.push_back({".rodata", isa::SectionKind::kRodata, {5, 0, 0, 0, 0, 0, 0, 0}});
  program.sections.push_back({".bss", isa::SectionKind::kBss, std::vector<uint8_t>(8)});
  // r1 = &rodata; r2 = &bss; *bss += *rodata; r0 = *bss
  program.insns = {
      {isa::kOpLddw, 1, isa::kLddwMapValue, 0, 0}, {0, 0, 0, 0, 0},
      {isa::kOpLddw, 2, isa::kLddwMapValue, 0, 1}, {0, 0, 0, 0, 0},
      {0x79, 3, 1, 0, 0},  // ldxdw r3, [r1]
      {0x79, 0, 2, 0, 0},  // ldxdw r0, [r2]
      {0x0f, 0, 3, 0, 0},  // add r0, r3
      {0x7b, 2, 0, 0, 0},  // stxdw [r2], r0
      {0x7b, 1, 0, 0, 0},  // stxdw [r1], r0  -> rodata is read-only
      {isa::kOpExit, 0, 0, 0, 0},
  };
  isa::validate(program);
  Interpreter interpreter(program, {});
  Invocation inv;
  auto result = interpreter.run(inv);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.abort->pc, 8u);
  EXPECT_EQ(result.abort->message, "store of 8 bytes at r1+0 = rodata+0, but rodata is read-only");
  // .bss kept its value: global data persists between invocations.
  program.insns[8] = {0xbf, 0, 0, 0, 0};  // mov r0, r0
  Interpreter again(program, {});
  EXPECT_EQ(again.run(inv).r0, 5u);
  EXPECT_EQ(again.run(inv).r0, 10u);
}

TEST(Interpreter, RefusesMapReferences) {
  isa::Program program;
  program.insns = {{isa::kOpLddw, 1, isa::kLddwMapFd, 0, 3}, {0, 0, 0, 0, 0}, {isa::kOpExit, 0, 0, 0, 0}};
  isa::validate(program);
  EXPECT_THROW(Interpreter(program, {}), UnsupportedProgram);
}

}  // namespace
}  // namespace sbpf::runtime
