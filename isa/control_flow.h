// Control flow, once for every stage: each function's basic blocks, their
// dominators, and its loops with their header, latches, exits and nesting.
// The verifier widens at loop headers and bounds loops by them, the guard
// prover encodes them, and the JITs version them; all read this one
// analysis, so they agree on what a loop is.
//
// A loop's header is the block it is entered through. It need not be its
// lowest-addressed block: clang rotates loops and enters them by a forward
// jump into their condition, which then sits at the loop's end.
//
// Built from a validated Program (jumps stay inside their function, lddw
// tails are never targets, no function falls off its end); the functions
// below throw std::invalid_argument for a program isa::validate has not
// passed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "isa/program.h"

namespace sbpf::isa {

constexpr size_t kNoBlock = SIZE_MAX;

// A block's successors, at most two, held in the block: a heap list for
// each block would cost more than building the rest of the graph.
class Successors {
 public:
  const size_t* begin() const { return at_; }
  const size_t* end() const { return at_ + count_; }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  size_t operator[](size_t i) const { return at_[i]; }
  void push_back(size_t block) { at_[count_++] = block; }

 private:
  size_t at_[2] = {};
  size_t count_ = 0;
};

struct BasicBlock {
  size_t first = 0;        // first pc
  size_t last = 0;         // pc of the last instruction (its first slot)
  Successors successors;   // block indices: fall-through first, then the jump target
  std::vector<size_t> predecessors;
};

struct Edge {
  size_t from = 0;  // block
  size_t to = 0;    // block
};

// A loop: a strongly connected part of the graph, entered at `head`; its
// children are the loops that remain once the edges into `head` are removed
// (Bourdoncle's hierarchy, which also covers irreducible code). For a
// reducible loop this is the natural loop of its header, the back-edges of
// every latch merged.
struct Loop {
  size_t head = 0;                 // block: the header, first in reverse post-order
  std::vector<size_t> blocks;      // every block of the loop, nested ones included (sorted)
  std::vector<size_t> latches;     // blocks of the loop with an edge to `head` (sorted)
  std::vector<Edge> exits;         // edges from a block of the loop to one outside it
  int parent = -1;                 // index in FunctionGraph::loops, -1 at top level
  std::vector<int> children;       // loops directly inside it
  bool reducible = true;           // `head` is its only entry (it then dominates the loop)
  uint16_t registers_written = 0;  // bit r: some instruction of the loop may change register r
};

struct FunctionGraph {
  size_t function = 0;               // index in Program::functions
  std::vector<BasicBlock> blocks;    // blocks[0] is the function's entry
  std::vector<size_t> order;         // blocks in reverse post-order (unreachable ones excluded)
  std::vector<size_t> rank;          // block -> position in `order` (kNoBlock if unreachable)
  std::vector<size_t> idom;          // block -> immediate dominator (the entry's is itself; kNoBlock if unreachable)
  std::vector<bool> loop_head;       // a widening point: target of an edge that closes a cycle
  std::vector<Loop> loops;           // parents before children
  std::vector<int> innermost_loop;   // block -> innermost loop containing it, -1 if none

  size_t block_of(size_t pc) const;  // the block holding pc
  // Every path from the entry to `b` passes `a` (both reachable).
  bool dominates(size_t a, size_t b) const;
  // The innermost loop whose cycles contain the edge from block `from` to
  // block `to` (the innermost holding both ends), -1 if none.
  int loop_of_edge(size_t from, size_t to) const;
  bool loop_contains(int loop, size_t block) const;
  // An edge into a loop's head from inside that loop.
  bool is_back_edge(size_t from, size_t to) const;

  std::vector<size_t> block_start_;  // sorted first pcs, for block_of
  std::vector<size_t> dom_enter_, dom_leave_;  // dominator tree intervals, for dominates
};

struct ProgramGraph {
  std::vector<FunctionGraph> functions;  // one per Program::functions entry
  std::vector<bool> reachable;           // per pc: reachable from the entry through jumps and calls
};

ProgramGraph build_graph(const Program& program);
// One function's graph (Program::functions index), as build_graph makes it.
FunctionGraph build_function_graph(const Program& program, size_t function);

// A function's loops that hold one of some pcs, and nothing else of its
// graph: what a JIT versioning loops around certain accesses needs.
struct FunctionLoops {
  std::vector<BasicBlock> blocks;  // as in FunctionGraph, without predecessors
  // The loops of the function's FunctionGraph that hold one of the pcs, as
  // it has them but numbered among themselves (parents before children; a
  // loop's ancestors hold its pcs too, so they are here, and its children
  // are those here).
  std::vector<Loop> loops;
};
FunctionLoops find_loops_holding(const Program& program, size_t function, std::span<const size_t> pcs);

}  // namespace sbpf::isa
