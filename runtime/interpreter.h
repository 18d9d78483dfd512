// The reference interpreter: RFC 9669 semantics, bit for bit. The JITs must
// agree with it; until the verifier annotates a program, it checks every
// memory access against the invocation's regions and counts every back-edge.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "isa/program.h"
#include "runtime/execution_result.h"
#include "runtime/helper_registry.h"
#include "runtime/region.h"

namespace sbpf::runtime {

class HeapArena;

// The program cannot be run by this engine (for example, it refers to maps).
class UnsupportedProgram : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr size_t kStackFrameBytes = 512;
inline constexpr size_t kMaxFrames = 8;

// What the caller hands one invocation.
struct Invocation {
  RegionTable regions;              // ctx, input, output, scratch, memory…
  uint64_t args[5] = {0, 0, 0, 0, 0};  // r1..r5 at entry
  HeapArena* heap = nullptr;        // for malloc/free; mapped as a region when set
  uint64_t loop_budget = kDefaultLoopBudget;

  // The raw-memory calling convention (the conformance suite's, and `sbpf
  // run --mem`'s): `memory` as a writable region, r1 = its address (0 when
  // empty), r2 = its length.
  void pass_memory(std::span<uint8_t> memory) {
    regions.add({RegionKind::kMemory, memory.data(), memory.size(), true});
    args[0] = memory.empty() ? 0 : reinterpret_cast<uintptr_t>(memory.data());
    args[1] = memory.size();
  }
};

class Interpreter {
 public:
  // Keeps references to `program` and `helpers`; both must outlive it.
  // Throws UnsupportedProgram for `lddw` forms that need a kernel (maps,
  // kernel variables, code addresses).
  Interpreter(const isa::Program& program, const HelperRegistry& helpers);
  ~Interpreter();

  // Runs one invocation. Global data (.data/.bss) persists between runs of
  // the same Interpreter, as BPF global data does between invocations.
  // Not reentrant: one thread per Interpreter.
  ExecutionResult run(Invocation& invocation);

 private:
  const isa::Program& program_;
  const HelperRegistry& helpers_;
  std::vector<const Helper*> helper_at_;  // per pc: the helper a call names (nullptr if unknown)
  std::vector<uint64_t> lddw_value_;      // per pc: the constant or address an lddw loads
  std::vector<std::vector<uint8_t>> sections_;  // this instance's copy of the global data
};

}  // namespace sbpf::runtime
