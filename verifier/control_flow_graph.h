// The control-flow graph of each function: basic blocks, their order, the
// loop heads where the fixpoint widens, and the loop nest the loop-bound
// proof walks. Built from a validated isa::Program (jumps stay inside their
// function, lddw tails are never targets, no function falls off its end).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "isa/program.h"

namespace sbpf::verifier {

struct BasicBlock {
  size_t first = 0;                // first pc
  size_t last = 0;                 // pc of the last instruction (its first slot)
  std::vector<size_t> successors;  // block indices: fall-through first, then the jump target
  std::vector<size_t> predecessors;
};

// A loop: a strongly connected part of the graph, entered at `head`; its
// children are the loops that remain once the edges into `head` are removed
// (Bourdoncle's hierarchy, which also covers irreducible code).
struct Loop {
  size_t head = 0;                 // block
  std::vector<size_t> blocks;      // every block of the loop, nested ones included (sorted)
  int parent = -1;                 // index in FunctionGraph::loops, -1 at top level
  bool reducible = true;           // `head` is its only entry
  // What the conditional jumps that leave it compare with: immediates, and
  // registers (whose bounds at the head serve the same way). A widened
  // bound at the head stops at those first.
  std::vector<int64_t> exit_constants;
  std::vector<uint8_t> exit_registers;
  uint16_t registers_written = 0;  // bit r: some instruction of the loop may change register r
};

struct FunctionGraph {
  size_t function = 0;               // index in Program::functions
  std::vector<BasicBlock> blocks;    // blocks[0] is the function's entry
  std::vector<size_t> order;         // blocks in reverse post-order (unreachable ones excluded)
  std::vector<size_t> rank;          // block -> position in `order` (SIZE_MAX if unreachable)
  std::vector<bool> loop_head;       // target of an edge that closes a cycle
  std::vector<Loop> loops;           // parents before children
  std::vector<int> innermost_loop;   // block -> innermost loop containing it, -1 if none

  size_t block_of(size_t pc) const;  // the block holding pc
  // The innermost loop whose cycles contain the edge from block `from` to
  // block `to` (the innermost holding both ends), -1 if none.
  int loop_of_edge(size_t from, size_t to) const;
  bool loop_contains(int loop, size_t block) const;

  std::vector<size_t> block_start_;  // sorted first pcs, for block_of
};

struct ProgramGraph {
  std::vector<FunctionGraph> functions;  // one per Program::functions entry
  std::vector<bool> reachable;           // per pc: reachable from the entry through jumps and calls
};

ProgramGraph build_graph(const isa::Program& program);

}  // namespace sbpf::verifier
