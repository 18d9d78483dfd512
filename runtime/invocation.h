// One invocation of a program, as its caller hands it to any engine: the
// regions it may touch, r1..r5, the heap and the loop budget.
#pragma once

#include <cstdint>
#include <span>

#include "isa/machine_limits.h"
#include "runtime/region.h"

namespace sbpf::runtime {

class HeapArena;

// What the caller hands one invocation.
struct Invocation {
  RegionTable regions;              // ctx, input, output, scratch, memory…
  uint64_t args[5] = {0, 0, 0, 0, 0};  // r1..r5 at entry
  HeapArena* heap = nullptr;        // for malloc/free; mapped as a region when set
  uint64_t loop_budget = isa::kDefaultLoopBudget;
  // Memory for the stack region, kMaxFrames · kStackFrameBytes bytes, zeroed
  // by the engine; empty: the engine's own. Two engines given the same
  // memory see the same addresses (the differential tests).
  std::span<uint8_t> stack;

  // The raw-memory calling convention (the conformance suite's, and `sbpf
  // run --mem`'s): `memory` as a writable region, r1 = its address (0 when
  // empty), r2 = its length.
  void pass_memory(std::span<uint8_t> memory) {
    regions.add({RegionKind::kMemory, memory.data(), memory.size(), true});
    args[0] = memory.empty() ? 0 : reinterpret_cast<uintptr_t>(memory.data());
    args[1] = memory.size();
  }
};

}  // namespace sbpf::runtime
