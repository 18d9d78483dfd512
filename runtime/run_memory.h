// The memory of one run, laid out alike by every engine, so that an abort
// message or a pointer means the same under each: the caller's regions,
// then the stack, the program's global data, and the heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "isa/program.h"
#include "runtime/interpreter.h"
#include "runtime/region.h"

namespace sbpf::runtime {

class RunMemory {
 public:
  // `sections`: the engine's copy of the program's global data. Zeroes the
  // stack (the invocation's stack memory, or this object's). Throws
  // std::invalid_argument for stack memory of another size than
  // kMaxFrames · kStackFrameBytes.
  RunMemory(const Invocation& invocation, const isa::Program& program, std::vector<std::vector<uint8_t>>& sections);
  RunMemory(const RunMemory&) = delete;
  RunMemory& operator=(const RunMemory&) = delete;

  RegionTable regions;

  // r10 at entry: one past the first frame; frames grow down from it.
  uint8_t* stack_top() const { return stack_top_; }
  // The stack region spans the frames in use (the current frame and its
  // callers'): a callee may use a pointer into its caller's frame, but
  // nothing below its own.
  void set_frames(size_t frames) {
    regions[stack_region_].base = stack_top_ - frames * kStackFrameBytes;
    regions[stack_region_].size = frames * kStackFrameBytes;
  }

 private:
  alignas(16) uint8_t own_stack_[kMaxFrames * kStackFrameBytes];
  uint8_t* stack_top_;
  size_t stack_region_;
};

// Throws std::invalid_argument when the invocation allows more backward
// jumps than the annotations' proofs hold for (Annotations::max_loop_budget).
void check_loop_budget(const Invocation& invocation, uint64_t max_loop_budget);

}  // namespace sbpf::runtime
