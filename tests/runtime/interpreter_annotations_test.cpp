// The interpreter running annotated programs: proven accesses unchecked,
// guarded ones checked against their regions only, free back-edges not
// counted, and paranoid mode catching annotations that lie.
#include "runtime/interpreter.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <vector>

#include "isa/assembler.h"

namespace sbpf::runtime {
namespace {

using verifier::AccessAnnotation;
using verifier::AccessCheck;
using verifier::Annotations;
using verifier::BackEdge;

// Every pc kNone: what a test then marks by hand.
Annotations blank(const isa::Program& program) {
  Annotations annotations;
  annotations.access.resize(program.size());
  annotations.back_edge.resize(program.size());
  return annotations;
}

AccessAnnotation proven(uint8_t size) { return {AccessCheck::kProven, 0, size}; }
AccessAnnotation guarded(RegionSet regions, uint8_t size) { return {AccessCheck::kGuarded, regions, size}; }

struct Outcome {
  ExecutionResult result;
  std::vector<uint8_t> memory;
};

// Runs `program` with r1 = a writable memory region of `memory`, r2 = its size.
Outcome run(const isa::Program& program, InterpreterOptions options, std::vector<uint8_t> memory = {},
        uint64_t budget = kDefaultLoopBudget) {
  Interpreter interpreter(program, {}, options);
  Invocation inv;
  inv.pass_memory(memory);
  inv.loop_budget = budget;
  Outcome result{interpreter.run(inv), std::move(memory)};
  return result;
}

std::vector<uint8_t> bytes_1_to_8() { return {1, 2, 3, 4, 5, 6, 7, 8}; }

TEST(AnnotatedInterpreter, ProvenLoadInBoundsReads) {
  isa::Program program = isa::assemble("ldxdw %r0, [%r1]\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[0] = proven(8);
  auto r = run(program, {&annotations}, bytes_1_to_8());
  ASSERT_TRUE(r.result.ok()) << r.result.abort->message;
  EXPECT_EQ(r.result.r0, 0x0807060504030201u);
}

TEST(AnnotatedInterpreter, ProvenStoreWritesThrough) {
  isa::Program program = isa::assemble("sth [%r1+3], 0x1234\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[0] = proven(2);
  auto r = run(program, {&annotations}, std::vector<uint8_t>(8));
  ASSERT_TRUE(r.result.ok()) << r.result.abort->message;
  EXPECT_EQ(r.memory, (std::vector<uint8_t>{0, 0, 0, 0x34, 0x12, 0, 0, 0}));
}

TEST(AnnotatedInterpreter, ProvenAccessIsNotChecked) {
  // r1 points at host memory that is in no region: checked, the load aborts;
  // proven, it reads straight through (safe here: the memory is real).
  isa::Program program = isa::assemble("ldxw %r0, [%r1+4]\nexit\n");
  uint8_t outside[8] = {0, 0, 0, 0, 42, 0, 0, 0};
  Invocation inv;
  inv.args[0] = reinterpret_cast<uintptr_t>(outside);
  auto checked = Interpreter(program, {}).run(inv);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.abort->kind, AbortKind::kBounds);

  Annotations annotations = blank(program);
  annotations.access[0] = proven(4);
  auto unchecked = Interpreter(program, {}, {&annotations}).run(inv);
  ASSERT_TRUE(unchecked.ok()) << unchecked.abort->message;
  EXPECT_EQ(unchecked.r0, 42u);
}

TEST(AnnotatedInterpreter, GuardedLoadOutOfBoundsAbortsWithBoundsAtItsPc) {
  isa::Program program = isa::assemble("mov %r0, 0\nldxw %r0, [%r1+6]\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[1] = guarded(region_bit(RegionKind::kMemory), 4);
  auto r = run(program, {&annotations}, std::vector<uint8_t>(8));
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(r.result.abort->pc, 1u);
  EXPECT_EQ(r.result.abort->message, "load of 4 bytes at r1+6 = memory+6, past the end of memory (8 bytes)");
}

TEST(AnnotatedInterpreter, GuardedAccessOnlyTouchesItsRegions) {
  // The stack is in bounds, but the verifier said the pointer is into input.
  isa::Program program = isa::assemble("stdw [%r10-8], 5\nldxdw %r0, [%r10-8]\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[0] = guarded(region_bit(RegionKind::kStack), 8);
  annotations.access[1] = guarded(region_bit(RegionKind::kInput), 8);
  auto r = run(program, {&annotations});
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(r.result.abort->pc, 1u);
  EXPECT_EQ(r.result.abort->message, "load of 8 bytes at r10-8 = stack+504, but this access may only touch input");

  annotations.access[1] = guarded(region_bit(RegionKind::kInput) | region_bit(RegionKind::kStack), 8);
  r = run(program, {&annotations});
  ASSERT_TRUE(r.result.ok()) << r.result.abort->message;
  EXPECT_EQ(r.result.r0, 5u);
}

TEST(AnnotatedInterpreter, GuardedStoreToReadOnlyRegionAborts) {
  isa::Program program = isa::assemble("stb [%r1], 1\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[0] = guarded(region_bit(RegionKind::kInput), 1);
  Interpreter interpreter(program, {}, {&annotations});
  uint8_t input[4] = {};
  Invocation inv;
  inv.regions.add({RegionKind::kInput, input, sizeof input, false});
  inv.args[0] = reinterpret_cast<uintptr_t>(input);
  auto result = interpreter.run(inv);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.abort->message, "store of 1 bytes at r1+0 = input+0, but input is read-only");
  EXPECT_EQ(input[0], 0);
}

TEST(AnnotatedInterpreter, AnAccessLeftUnannotatedIsCheckedAgainstEveryRegion) {
  isa::Program program = isa::assemble("ldxb %r0, [%r1+7]\nldxb %r0, [%r1+8]\nexit\n");
  Annotations annotations = blank(program);
  auto r = run(program, {&annotations}, bytes_1_to_8());
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(r.result.abort->pc, 1u);
}

TEST(AnnotatedInterpreter, AtomicsKeepTheirAlignmentCheck) {
  isa::Program program = isa::assemble("mov %r2, 3\nlock add [%r1+8], %r2\nlock add [%r1+1], %r2\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[1] = proven(8);
  annotations.access[2] = proven(8);
  auto r = run(program, {&annotations}, std::vector<uint8_t>(16));
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kMisaligned);
  EXPECT_EQ(r.result.abort->pc, 2u);
  EXPECT_EQ(r.memory[8], 3);

  annotations.access[1] = guarded(region_bit(RegionKind::kStack), 8);
  r = run(program, {&annotations}, std::vector<uint8_t>(16));
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(r.result.abort->pc, 1u);
}

TEST(AnnotatedInterpreter, AllCheckedRunsLikeNoAnnotations) {
  const char* texts[] = {
      "stdw [%r10-512], 1\nldxdw %r0, [%r10-512]\nexit\n",
      "stb [%r1], 1\nstb [%r1+8], 2\nexit\n",
      "ldxdw %r0, [%r1]\nstxdw [%r10-8], %r0\nldxw %r0, [%r10-4]\nexit\n",
      "ldxw %r0, [%r1+6]\nexit\n",
      "mov %r2, 1\nlock fetch add [%r1], %r2\nlock add [%r1+2], %r2\nmov %r0, %r2\nexit\n",
      "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 1001, loop\nexit\n",
      "mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n",
  };
  for (const char* text : texts) {
    isa::Program program = isa::assemble(text);
    Annotations annotations = Annotations::all_checked(program);
    auto plain = run(program, {}, std::vector<uint8_t>(8), 1000);
    auto annotated = run(program, {&annotations}, std::vector<uint8_t>(8), 1000);
    auto paranoid = run(program, {&annotations, true}, std::vector<uint8_t>(8), 1000);
    for (const Outcome* r : {&annotated, &paranoid}) {
      EXPECT_EQ(r->result.r0, plain.result.r0) << text;
      EXPECT_EQ(r->memory, plain.memory) << text;
      ASSERT_EQ(r->result.ok(), plain.result.ok()) << text;
      if (plain.result.ok()) continue;
      EXPECT_EQ(r->result.abort->kind, plain.result.abort->kind) << text;
      EXPECT_EQ(r->result.abort->pc, plain.result.abort->pc) << text;
      EXPECT_EQ(r->result.abort->message, plain.result.abort->message) << text;
    }
  }
}

// 1001 iterations: 1000 backward jumps at pc 2.
constexpr const char* kLoop = "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 1001, loop\nexit\n";

TEST(AnnotatedInterpreter, CountedLoopExhaustsTheBudget) {
  isa::Program program = isa::assemble(kLoop);
  Annotations annotations = blank(program);
  annotations.back_edge[2] = BackEdge::kCounted;
  auto r = run(program, {&annotations}, {}, 100);
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kLoopBudget);
  EXPECT_EQ(r.result.abort->pc, 2u);
  EXPECT_EQ(r.result.abort->message, "more than 100 backward jumps in one invocation");
}

TEST(AnnotatedInterpreter, RefusesABudgetLargerThanTheAnnotationsWereProvenFor) {
  isa::Program program = isa::assemble(kLoop);
  Annotations annotations = blank(program);
  annotations.back_edge[2] = BackEdge::kCounted;
  annotations.max_loop_budget = 100;
  EXPECT_EQ(run(program, {&annotations}, {}, 100).result.abort->kind, AbortKind::kLoopBudget);
  try {
    run(program, {&annotations}, {}, 101);
    FAIL() << "a run with more budget than proven for";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "the annotations were proven for a loop budget of at most 100; this run allows 101");
  }
}

TEST(AnnotatedInterpreter, FreeLoopRunsPastTheBudget) {
  isa::Program program = isa::assemble(kLoop);
  Annotations annotations = blank(program);
  annotations.back_edge[2] = BackEdge::kFree;
  auto r = run(program, {&annotations}, {}, 100);
  ASSERT_TRUE(r.result.ok()) << r.result.abort->message;
  EXPECT_EQ(r.result.r0, 1001u);
}

TEST(AnnotatedInterpreter, FreeGotolIsNotCounted) {
  // gotol (ja32) back to `loop` 1000 times, then out through the jeq.
  isa::Program program = isa::assemble("mov %r0, 0\nloop:\nadd %r0, 1\njeq %r0, 1001, out\nja32 loop\nout:\nexit\n");
  Annotations annotations = blank(program);
  annotations.back_edge[3] = BackEdge::kFree;
  EXPECT_TRUE(run(program, {&annotations}, {}, 100).result.ok());
  annotations.back_edge[3] = BackEdge::kCounted;
  auto r = run(program, {&annotations}, {}, 100);
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kLoopBudget);
  EXPECT_EQ(r.result.abort->pc, 3u);
}

TEST(AnnotatedInterpreter, ParanoidFreeLoopPastTheBudgetIsAVerifierBug) {
  isa::Program program = isa::assemble(kLoop);
  Annotations annotations = blank(program);
  annotations.back_edge[2] = BackEdge::kFree;
  auto r = run(program, {&annotations, true}, {}, 100);
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kVerifierBug);
  EXPECT_EQ(r.result.abort->pc, 2u);
  EXPECT_EQ(r.result.abort->message, "loop proven bounded took this backward jump more than 100 times");
  EXPECT_STREQ(abort_kind_name(r.result.abort->kind), "verifier_bug");
  // Exactly `budget` free back-jumps are allowed, as for counted ones.
  EXPECT_TRUE(run(program, {&annotations, true}, {}, 1000).result.ok());
}

// Two loops of 80 backward jumps each, one after the other; their jumps at
// pcs 2 and 5.
constexpr const char* kTwoLoopsOf80 =
    "mov %r0, 0\n"
    "first:\n"
    "add %r0, 1\n"
    "jlt %r0, 81, first\n"
    "mov %r0, 0\n"
    "second:\n"
    "add %r0, 1\n"
    "jlt %r0, 81, second\n"
    "exit\n";

// The verifier bounds each loop nest by the budget, not the sum over nests
// (the loops cases' "two loops in sequence"): two free loops of 80 trips
// each run under a budget of 100.
TEST(AnnotatedInterpreter, ParanoidHoldsEachFreeJumpToTheBudgetOnItsOwn) {
  isa::Program program = isa::assemble(kTwoLoopsOf80);
  Annotations annotations = blank(program);
  annotations.back_edge[2] = BackEdge::kFree;
  annotations.back_edge[5] = BackEdge::kFree;
  EXPECT_TRUE(run(program, {&annotations, true}, {}, 100).result.ok());
  auto r = run(program, {&annotations, true}, {}, 79);
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kVerifierBug);
  EXPECT_EQ(r.result.abort->pc, 2u);
}

TEST(AnnotatedInterpreter, ParanoidCountsFreeAndCountedJumpsApart) {
  // 80 back-jumps of a free loop, then 80 of a counted one: each within a
  // budget of 100, together not.
  isa::Program program = isa::assemble(kTwoLoopsOf80);
  Annotations annotations = blank(program);
  annotations.back_edge[2] = BackEdge::kFree;
  annotations.back_edge[5] = BackEdge::kCounted;
  EXPECT_TRUE(run(program, {&annotations, true}, {}, 100).result.ok());
  annotations.back_edge[2] = BackEdge::kCounted;
  auto r = run(program, {&annotations, true}, {}, 100);
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kLoopBudget);
  EXPECT_EQ(r.result.abort->pc, 5u);
}

TEST(AnnotatedInterpreter, ParanoidProvenAccessOutOfBoundsIsAVerifierBug) {
  // Never run without paranoid: the wrong proof would let the load read
  // past the buffer.
  isa::Program program = isa::assemble("mov %r0, 0\nldxw %r0, [%r1+6]\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[1] = proven(4);
  auto r = run(program, {&annotations, true}, std::vector<uint8_t>(8));
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kVerifierBug);
  EXPECT_EQ(r.result.abort->pc, 1u);
  EXPECT_EQ(r.result.abort->message,
            "proven access out of bounds: load of 4 bytes at r1+6 = memory+6, past the end of memory (8 bytes)");
}

TEST(AnnotatedInterpreter, ParanoidProvenStoreToReadOnlyIsAVerifierBug) {
  isa::Program program = isa::assemble("stb [%r1], 1\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[0] = proven(1);
  Interpreter interpreter(program, {}, {&annotations, true});
  uint8_t input[4] = {};
  Invocation inv;
  inv.regions.add({RegionKind::kInput, input, sizeof input, false});
  inv.args[0] = reinterpret_cast<uintptr_t>(input);
  auto result = interpreter.run(inv);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.abort->kind, AbortKind::kVerifierBug);
  EXPECT_EQ(result.abort->message,
            "proven access out of bounds: store of 1 bytes at r1+0 = input+0, but input is read-only");
  EXPECT_EQ(input[0], 0);
}

TEST(AnnotatedInterpreter, ParanoidGuardedAccessOutOfBoundsIsAnOrdinaryBoundsAbort) {
  isa::Program program = isa::assemble("ldxw %r0, [%r1+6]\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[0] = guarded(region_bit(RegionKind::kMemory), 4);
  auto r = run(program, {&annotations, true}, std::vector<uint8_t>(8));
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kBounds);
  EXPECT_EQ(r.result.abort->pc, 0u);
}

// The JIT runs a loop without a guard once the guarded access's range
// against another register fits a region: paranoid mode checks the range.
TEST(AnnotatedInterpreter, ParanoidAccessOutsideItsRelativeRangeIsAVerifierBug) {
  isa::Program program = isa::assemble("mov %r3, %r1\nadd %r3, 6\nldxb %r0, [%r3+1]\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[2] = guarded(region_bit(RegionKind::kMemory), 1);
  annotations.access[2].relative = {1, 0, 7};  // r1 + 7: inside
  EXPECT_TRUE(run(program, {&annotations, true}, bytes_1_to_8()).result.ok());
  annotations.access[2].relative = {1, 0, 6};  // r1 + 7: one past what it claims
  auto r = run(program, {&annotations, true}, bytes_1_to_8());
  ASSERT_FALSE(r.result.ok());
  EXPECT_EQ(r.result.abort->kind, AbortKind::kVerifierBug);
  EXPECT_EQ(r.result.abort->message, "access at r1 + 7, outside the annotated r1 + [0, 6]");
  // Not paranoid: the range is the JIT's business, the guard still checks.
  EXPECT_TRUE(run(program, {&annotations}, bytes_1_to_8()).result.ok());
}

TEST(AnnotatedInterpreter, ParanoidProvenAccessInBoundsRuns) {
  isa::Program program = isa::assemble("ldxdw %r0, [%r1]\nexit\n");
  Annotations annotations = blank(program);
  annotations.access[0] = proven(8);
  auto r = run(program, {&annotations, true}, bytes_1_to_8());
  ASSERT_TRUE(r.result.ok()) << r.result.abort->message;
  EXPECT_EQ(r.result.r0, 0x0807060504030201u);
}

TEST(AnnotatedInterpreter, RejectsParanoidWithoutAnnotationsAndAnnotationsOfAnotherProgram) {
  isa::Program program = isa::assemble("mov %r0, 0\nexit\n");
  EXPECT_THROW(Interpreter(program, {}, {nullptr, true}), std::invalid_argument);
  Annotations annotations = blank(program);
  annotations.back_edge.pop_back();
  EXPECT_THROW(Interpreter(program, {}, {&annotations}), std::invalid_argument);
  annotations = blank(program);
  annotations.access.push_back({});
  EXPECT_THROW(Interpreter(program, {}, {&annotations}), std::invalid_argument);
}

TEST(AllChecked, MarksExactlyTheAccessesAndBackwardJumps) {
  const char* text =
      "lddw %r1, 0x100000000\n"       // 0, 1 (tail)
      "mov %r2, 0\n"                  // 2
      "stdw [%r10-8], 0\n"            // 3  store
      "loop:\n"
      "ldxb %r3, [%r10-8]\n"          // 4  load
      "stxh [%r10-16], %r3\n"         // 5  store
      "lock add32 [%r10-8], %r2\n"    // 6  atomic
      "ldxsw %r4, [%r10-8]\n"         // 7  load
      "add %r2, 1\n"                  // 8
      "jeq %r2, 5, out\n"             // 9  forward
      "jlt %r2, 3, loop\n"            // 10 backward
      "ja loop\n"                     // 11 backward
      "out:\n"
      "jgt %r2, 100, back\n"          // 12 forward
      "ja +0\n"                       // 13 forward (to the next slot)
      "self:\n"
      "jeq %r2, 7, self\n"            // 14 backward (to itself)
      "exit\n"                        // 15
      "back:\n"
      "ja32 loop\n";                  // 16 backward gotol
  isa::Program program = isa::assemble(text);
  ASSERT_EQ(program.size(), 17u);
  Annotations a = Annotations::all_checked(program);
  ASSERT_EQ(a.access.size(), 17u);
  ASSERT_EQ(a.back_edge.size(), 17u);
  const RegionSet all = (1u << verifier::kNumRegionKinds) - 1;
  const std::map<size_t, uint8_t> accesses = {{3, 8}, {4, 1}, {5, 2}, {6, 4}, {7, 4}};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    auto it = accesses.find(pc);
    if (it == accesses.end()) {
      EXPECT_EQ(a.access[pc].check, AccessCheck::kNone) << "pc " << pc;
    } else {
      EXPECT_EQ(a.access[pc].check, AccessCheck::kGuarded) << "pc " << pc;
      EXPECT_EQ(a.access[pc].regions, all) << "pc " << pc;
      EXPECT_EQ(a.access[pc].size, it->second) << "pc " << pc;
    }
    const bool backward = pc == 10 || pc == 11 || pc == 14 || pc == 16;
    EXPECT_EQ(a.back_edge[pc], backward ? BackEdge::kCounted : BackEdge::kNone) << "pc " << pc;
  }
}

}  // namespace
}  // namespace sbpf::runtime
