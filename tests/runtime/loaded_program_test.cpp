// The runtime's front door: what load() owns and hands back, the loop
// budget it sets on every invocation, and each way a program fails to load.
#include "runtime/loaded_program.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "isa/assembler.h"
#include "isa/opcodes.h"
#include "runtime/heap_arena.h"
#include "runtime/lambda_io_helpers.h"

namespace sbpf::runtime {
namespace {

// Counts r1 down to zero: a loop the verifier cannot bound, so its
// backward jump is counted against the budget.
constexpr const char* kCountdown =
    "mov %r0, 0\n"
    "loop:\n"
    "add %r0, 1\n"
    "sub %r1, 1\n"
    "jne %r1, 0, loop\n"
    "exit\n";

// Reads one byte past its memory: a memory program the verifier rejects.
constexpr const char* kReadsPastTheEnd =
    "ldxb %r0, [%r1+0]\n"
    "exit\n";

isa::Program assemble(const char* text) { return isa::assemble(text, "test.s"); }

// `memory` as the invocation's region, r1 = `count` (the region's address is
// not used by kCountdown).
ExecutionResult run_countdown(LoadedProgram& loaded, uint64_t count, uint64_t caller_budget) {
  Invocation invocation;
  invocation.args[0] = count;
  invocation.loop_budget = caller_budget;  // the loaded program's wins
  return loaded.run(invocation);
}

TEST(LoadedProgram, OwnsTheVerifiedProgramItsEngineAndItsBudget) {
  LoadedProgram loaded = load(assemble(kCountdown), verifier::memory_program_type(), {.loop_budget = 100});
  ASSERT_TRUE(loaded.ok()) << loaded.failure()->reason;
  EXPECT_EQ(loaded.program().size(), 5u);
  EXPECT_EQ(loaded.type().name, "memory");
  ASSERT_NE(loaded.verification(), nullptr);
  EXPECT_TRUE(loaded.verification()->accepted);
  ASSERT_NE(loaded.annotations(), nullptr);
  EXPECT_EQ(loaded.annotations(), &loaded.verification()->annotations);
  EXPECT_EQ(loaded.loop_budget(), 100u);
  EXPECT_EQ(loaded.engine_kind(), EngineKind::kInterpreter);

  // Moving it keeps the engine's references good.
  LoadedProgram moved = std::move(loaded);
  const ExecutionResult result = run_countdown(moved, 50, 0);
  ASSERT_TRUE(result.ok()) << result.abort->message;
  EXPECT_EQ(result.r0, 50u);
}

TEST(LoadedProgram, EveryInvocationGetsTheLoadedBudget) {
  for (EngineKind engine : {EngineKind::kInterpreter, EngineKind::kJit}) {
    if (engine == EngineKind::kJit && !jit_available()) continue;
    SCOPED_TRACE(engine_name(engine));
    LoadedProgram loaded =
        load(assemble(kCountdown), verifier::memory_program_type(), {.loop_budget = 10, .engine = engine});
    ASSERT_TRUE(loaded.ok()) << loaded.failure()->reason;
    EXPECT_TRUE(run_countdown(loaded, 11, 1000000).ok());  // 10 backward jumps
    const ExecutionResult over = run_countdown(loaded, 12, 1000000);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.abort->kind, AbortKind::kLoopBudget);
    EXPECT_EQ(over.abort->pc, 3u);
  }
}

TEST(LoadedProgram, ARejectionIsAValueWithTheVerifiersDiagnostics) {
  LoadedProgram loaded = load(assemble(kReadsPastTheEnd), verifier::lambda_program_type());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.failure()->kind, LoadFailure::Kind::kRejected);
  EXPECT_NE(loaded.failure()->reason.find("failed verification: pc 0: "), std::string::npos)
      << loaded.failure()->reason;
  ASSERT_NE(loaded.verification(), nullptr);
  EXPECT_FALSE(loaded.verification()->accepted);
  EXPECT_FALSE(loaded.verification()->diagnostics.empty());
  EXPECT_EQ(loaded.annotations(), nullptr);
  EXPECT_THROW(loaded.engine(), std::logic_error);
  Invocation invocation;
  EXPECT_THROW(loaded.run(invocation), std::logic_error);
}

TEST(LoadedProgram, UnverifiedEverythingIsChecked) {
  LoadedProgram loaded = load(assemble(kReadsPastTheEnd), verifier::memory_program_type(), {.verify = false});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.verification(), nullptr);
  EXPECT_EQ(loaded.annotations(), nullptr);
  Invocation invocation;
  invocation.pass_memory({});
  const ExecutionResult result = loaded.run(invocation);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.abort->kind, AbortKind::kBounds);
}

TEST(LoadedProgram, WhatTheEngineCannotRunIsAFailureNotAnException) {
  isa::Program program;
  program.insns = {{isa::kOpLddw, 1, isa::kLddwMapFd, 0, 3}, {0, 0, 0, 0, 0}, {isa::kOpExit, 0, 0, 0, 0}};
  isa::validate(program);
  LoadedProgram loaded = load(program, verifier::memory_program_type(), {.verify = false});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.failure()->kind, LoadFailure::Kind::kUnsupported);
  EXPECT_NE(loaded.failure()->reason.find("needs a kernel"), std::string::npos) << loaded.failure()->reason;
}

TEST(LoadedProgram, AnotherArchitecturesJitDoesNotLoadHere) {
  const jit::Arch foreign = host_jit_arch() == jit::Arch::kArm64 ? jit::Arch::kX86_64 : jit::Arch::kArm64;
  LoadedProgram loaded =
      load(assemble(kCountdown), verifier::memory_program_type(), {.engine = EngineKind::kJit, .arch = foreign});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.failure()->kind, LoadFailure::Kind::kUnsupported);
  EXPECT_EQ(loaded.failure()->reason, std::string("this host cannot run ") + jit::arch_name(foreign) + " code");
}

TEST(LoadedProgram, ABudgetAboveWhatAnEarlierVerificationProvedIsRefused) {
  const isa::Program program = assemble(kCountdown);
  verifier::VerificationResult verified = verifier::verify(program, verifier::memory_program_type());
  ASSERT_TRUE(verified.accepted);
  verified.annotations.max_loop_budget = 10;  // as --prove leaves it for a budget of 10
  LoadedProgram over = load(program, verifier::memory_program_type(), verified, {.loop_budget = 11});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.failure()->kind, LoadFailure::Kind::kBudget);
  EXPECT_EQ(over.failure()->reason,
            "a loop budget of 11 is more than the verification proved the program safe for (10)");
  LoadedProgram within = load(program, verifier::memory_program_type(), verified, {.loop_budget = 10});
  EXPECT_TRUE(within.ok());
}

TEST(LoadedProgram, AnEarlierRejectionStaysARejection) {
  const isa::Program program = assemble(kReadsPastTheEnd);
  verifier::VerificationResult rejected = verifier::verify(program, verifier::lambda_program_type());
  ASSERT_FALSE(rejected.accepted);
  LoadedProgram loaded = load(program, verifier::lambda_program_type(), rejected, {});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.failure()->kind, LoadFailure::Kind::kRejected);
}

TEST(LoadedProgram, WithoutAnEngineOnlyTheVerificationIsThere) {
  LoadedProgram loaded = load(assemble(kCountdown), verifier::memory_program_type(), {.engine = std::nullopt});
  ASSERT_TRUE(loaded.ok());
  EXPECT_NE(loaded.annotations(), nullptr);
  EXPECT_THROW(loaded.engine(), std::logic_error);
}

TEST(LoadedProgram, OptionsThatContradictEachOtherThrow) {
  EXPECT_THROW(load(assemble(kCountdown), verifier::memory_program_type(), {.verify = false, .paranoid = true}),
               std::invalid_argument);
  EXPECT_THROW(
      load(assemble(kCountdown), verifier::memory_program_type(), {.engine = EngineKind::kJit, .paranoid = true}),
      std::invalid_argument);
}

TEST(LoadedProgram, HelpersAreTheTypesUnlessGiven) {
  EXPECT_NE(helpers_for(verifier::lambda_program_type()).find(kHelperMemcpy), nullptr);
  EXPECT_NE(helpers_for(verifier::memory_program_type()).find(kHelperMemcpy), nullptr);
  EXPECT_TRUE(helpers_for(verifier::xrp_program_type()).all().empty());
  HelperRegistry one;
  one.add({5, {"five", ReturnType::kScalar, {}}, [](HelperCall&, const uint64_t*) -> uint64_t { return 5; }, {}, {}});
  LoadedProgram loaded = load(assemble("call 5\nexit\n"), verifier::memory_program_type(),
                              {.verify = false, .helpers = one});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.helpers().all().size(), 1u);
  Invocation invocation;
  EXPECT_EQ(loaded.run(invocation).r0, 5u);
}

}  // namespace
}  // namespace sbpf::runtime
