// The one control-flow analysis every stage reads: blocks, dominators, and
// loops with their header, latches, exits and nesting, on the shapes clang
// makes (rotated loops entered through their condition) and on irreducible
// code.
#include "isa/control_flow.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "isa/assembler.h"

namespace sbpf::isa {
namespace {

// The block that starts at `pc`.
size_t block_at(const FunctionGraph& g, size_t pc) {
  const size_t b = g.block_of(pc);
  EXPECT_EQ(g.blocks[b].first, pc);
  return b;
}

std::vector<size_t> pcs_of(const FunctionGraph& g, const std::vector<size_t>& blocks) {
  std::vector<size_t> pcs;
  for (size_t b : blocks) pcs.push_back(g.blocks[b].first);
  return pcs;
}

// for (j = 0; j < n; j++) as clang emits it when it cannot peel the first
// test: a jump into the condition, which sits at the end and heads the loop.
TEST(ControlFlow, ALoopEnteredThroughItsConditionIsHeadedThere) {
  const Program p = assemble(R"(
      mov %r0, 0                 # 0
      mov %r3, 0                 # 1
      ja cond                    # 2
    body:
      add %r0, %r3               # 3
      add %r3, 1                 # 4
    cond:
      jlt %r3, %r2, body         # 5
      exit                       # 6
  )");
  const ProgramGraph graph = build_graph(p);
  const FunctionGraph& g = graph.functions[0];
  ASSERT_EQ(g.loops.size(), 1u);
  const Loop& loop = g.loops[0];
  EXPECT_EQ(g.blocks[loop.head].first, 5u);
  EXPECT_EQ(pcs_of(g, loop.blocks), (std::vector<size_t>{3, 5}));
  EXPECT_EQ(pcs_of(g, loop.latches), (std::vector<size_t>{3}));  // the body falls into the condition
  ASSERT_EQ(loop.exits.size(), 1u);
  EXPECT_EQ(g.blocks[loop.exits[0].to].first, 6u);
  EXPECT_TRUE(loop.reducible);
  EXPECT_EQ(loop.registers_written, (1u << 0) | (1u << 3));
  // The condition dominates the body, not the other way round.
  EXPECT_TRUE(g.dominates(block_at(g, 5), block_at(g, 3)));
  EXPECT_FALSE(g.dominates(block_at(g, 3), block_at(g, 5)));
  EXPECT_EQ(g.idom[block_at(g, 3)], block_at(g, 5));
  EXPECT_TRUE(g.is_back_edge(block_at(g, 3), block_at(g, 5)));
  EXPECT_FALSE(g.is_back_edge(block_at(g, 0), block_at(g, 5)));
}

// Two latches (a `continue` and the bottom), two exits (a `break` and the
// test), and an inner loop whose exit leaves the outer one too.
TEST(ControlFlow, LatchesExitsAndNesting) {
  const Program p = assemble(R"(
      mov %r0, 0                 # 0
      mov %r4, 0                 # 1
    outer:
      jge %r4, %r2, done         # 2
      mov %r3, 0                 # 3
    inner:
      jeq %r3, 7, done           # 4  break out of both
      add %r3, 1                 # 5
      jlt %r3, 16, inner         # 6
      jset %r4, 1, skip          # 7
      add %r0, 1                 # 8
      add %r4, 1                 # 9
      ja outer                   # 10
    skip:
      add %r4, 2                 # 11
      ja outer                   # 12
    done:
      exit                       # 13
  )");
  const ProgramGraph graph = build_graph(p);
  const FunctionGraph& g = graph.functions[0];
  ASSERT_EQ(g.loops.size(), 2u);
  const Loop& outer = g.loops[0];  // parents first
  const Loop& inner = g.loops[1];
  EXPECT_EQ(g.blocks[outer.head].first, 2u);
  EXPECT_EQ(pcs_of(g, outer.latches), (std::vector<size_t>{8, 11}));
  EXPECT_EQ(g.blocks[inner.head].first, 4u);
  EXPECT_EQ(inner.parent, 0);
  EXPECT_EQ(outer.children, (std::vector<int>{1}));
  EXPECT_EQ(pcs_of(g, inner.latches), (std::vector<size_t>{5}));
  // The inner loop leaves to `done` (both loops) and to pc 7 (the outer body).
  std::vector<size_t> inner_exits;
  for (const Edge& e : inner.exits) inner_exits.push_back(g.blocks[e.to].first);
  std::sort(inner_exits.begin(), inner_exits.end());
  EXPECT_EQ(inner_exits, (std::vector<size_t>{7, 13}));
  EXPECT_FALSE(g.loop_contains(inner.parent, block_at(g, 13)));
  EXPECT_EQ(g.loop_of_edge(block_at(g, 5), block_at(g, 4)), 1);
  EXPECT_EQ(g.loop_of_edge(block_at(g, 11), block_at(g, 2)), 0);
}

// A cycle with two entries has no header that dominates it: it is marked
// irreducible, and a JIT must not version it.
TEST(ControlFlow, IrreducibleLoopsAreMarked) {
  const Program p = assemble(R"(
      mov %r0, 0                 # 0
      jeq %r1, 0, b              # 1
    a:
      add %r0, 1                 # 2
      jgt %r0, 9, out            # 3
    b:
      add %r0, 2                 # 4
      ja a                       # 5
    out:
      exit                       # 6
  )");
  const ProgramGraph graph = build_graph(p);
  const FunctionGraph& g = graph.functions[0];
  ASSERT_EQ(g.loops.size(), 1u);
  EXPECT_FALSE(g.loops[0].reducible);
  EXPECT_FALSE(g.dominates(block_at(g, 2), block_at(g, 4)));
  EXPECT_FALSE(g.dominates(block_at(g, 4), block_at(g, 2)));
}

// Loops in a called function belong to that function's graph.
TEST(ControlFlow, LoopsInCalledFunctions) {
  const Program p = assemble(R"(
      mov %r1, 5
      call local count
      exit
    count:
      mov %r0, 0
    again:
      add %r0, 1
      jlt %r0, %r1, again
      exit
  )");
  const ProgramGraph graph = build_graph(p);
  ASSERT_EQ(graph.functions.size(), 2u);
  EXPECT_TRUE(graph.functions[0].loops.empty());
  ASSERT_EQ(graph.functions[1].loops.size(), 1u);
  const FunctionGraph& g = graph.functions[1];
  EXPECT_EQ(g.blocks[g.loops[0].head].first, 4u);
  EXPECT_TRUE(std::all_of(graph.reachable.begin(), graph.reachable.end(), [](bool r) { return r; }));
}

// The loops alone, around some pcs: the graph's loops that hold one of
// them, the same in every field but their numbering.
TEST(ControlFlow, LoopsHoldingSomePcsAreTheGraphsLoops) {
  const Program p = assemble(R"(
      mov %r0, 0                 # 0
      mov %r4, 0                 # 1
    outer:
      jge %r4, %r2, irreducible  # 2
      mov %r3, 0                 # 3
    inner:
      add %r3, 1                 # 4
      jlt %r3, 16, inner         # 5
    second:
      add %r0, 1                 # 6
      jlt %r0, 4, second         # 7
      add %r4, 1                 # 8
      ja outer                   # 9
    irreducible:
      jeq %r1, 0, b              # 10
    a:
      add %r0, 1                 # 11
      jgt %r0, 9, out            # 12
    b:
      add %r0, 2                 # 13
      ja a                       # 14
    out:
      exit                       # 15
  )");
  const FunctionGraph g = build_function_graph(p, 0);
  ASSERT_EQ(g.loops.size(), 4u);  // outer, its two inner loops, the irreducible one
  const auto same_loop = [&](const Loop& found, const Loop& in_graph) {
    EXPECT_EQ(found.head, in_graph.head);
    EXPECT_EQ(found.blocks, in_graph.blocks);
    EXPECT_EQ(found.latches, in_graph.latches);
    EXPECT_EQ(found.exits.size(), in_graph.exits.size());
    EXPECT_EQ(found.reducible, in_graph.reducible);
    EXPECT_EQ(found.registers_written, in_graph.registers_written);
  };
  const auto graph_loop_headed_at = [&](size_t pc) -> const Loop& {
    return *std::find_if(g.loops.begin(), g.loops.end(), [&](const Loop& l) { return g.blocks[l.head].first == pc; });
  };

  // pc 6, in the second inner loop: that loop and the outer one.
  const size_t in_second[] = {6};
  const FunctionLoops second = find_loops_holding(p, 0, in_second);
  ASSERT_EQ(second.loops.size(), 2u);
  same_loop(second.loops[0], graph_loop_headed_at(2));
  same_loop(second.loops[1], graph_loop_headed_at(6));
  EXPECT_EQ(second.loops[1].parent, 0);
  EXPECT_EQ(second.loops[0].children, (std::vector<int>{1}));

  // pc 13, in the irreducible loop: only that one, still irreducible.
  const size_t in_irreducible[] = {13};
  const FunctionLoops irreducible = find_loops_holding(p, 0, in_irreducible);
  ASSERT_EQ(irreducible.loops.size(), 1u);
  same_loop(irreducible.loops[0], graph_loop_headed_at(11));
  EXPECT_FALSE(irreducible.loops[0].reducible);

  // pc 1, in no loop: none.
  const size_t outside[] = {1};
  EXPECT_TRUE(find_loops_holding(p, 0, outside).loops.empty());
}

// Jump targets come from validation: an unvalidated program is refused,
// not misread.
TEST(ControlFlow, RefusesAProgramThatWasNotValidated) {
  Program p;
  p.insns = {{0x15, 1, 0, 1, 0}, {kOpExit, 0, 0, 0, 0}, {kOpExit, 0, 0, 0, 0}};
  p.functions = {{"main", 0, 3}};
  EXPECT_THROW(build_graph(p), std::invalid_argument);
  const size_t pcs[] = {0};
  EXPECT_THROW(find_loops_holding(p, 0, pcs), std::invalid_argument);
  validate(p);
  EXPECT_EQ(build_graph(p).functions[0].blocks.size(), 3u);
}

}  // namespace
}  // namespace sbpf::isa
