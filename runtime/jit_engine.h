// The JIT as an engine: the program compiled once to native code for this
// host, then run per invocation with the same regions, helpers, budget and
// aborts as the interpreter (runtime/interpreter.h), bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "jit/native_program.h"
#include "runtime/engine.h"
#include "runtime/helper_registry.h"
#include "runtime/interpreter.h"
#include "verifier/annotations.h"

namespace sbpf::runtime {

class JitEngine : public Engine {
 public:
  // Compiles `program`. Throws UnsupportedProgram for what the JIT cannot
  // express or when this host has no backend, std::invalid_argument for
  // annotations of another length. `annotations` nullptr: every access
  // guarded and every backward jump counted.
  JitEngine(const isa::Program& program, const HelperRegistry& helpers, const verifier::Annotations* annotations,
            bool blind_constants = false, bool count_versioned_trips = false);
  ~JitEngine() override;

  // Throws std::invalid_argument when the invocation's loop budget exceeds
  // the annotations' maximum.
  ExecutionResult run(Invocation& invocation) override;

  const jit::NativeProgram& native() const { return *native_; }

  // Over every run so far, when built to count them: entries into versioned
  // loops' unguarded copies, and trips around them.
  struct VersionedLoopRuns {
    uint64_t entries = 0;
    uint64_t trips = 0;
  };
  const VersionedLoopRuns& versioned_loop_runs() const { return versioned_runs_; }

 private:
  struct RunState;
  static jit::HelperOutcome helper_entry(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                         jit::NativeContext* context);
  static uint64_t guard_entry(jit::NativeContext* context, uint64_t address, uint64_t site);
  void remember_region(jit::NativeContext* context, size_t site, const Region* region, uint64_t address,
                       uint64_t bytes, bool write) const;

  const isa::Program& program_;
  const HelperRegistry& helpers_;
  verifier::Annotations annotations_;
  bool verified_;  // annotations came from the verifier (not all_checked)
  std::vector<const Helper*> helper_at_;        // per pc: the helper a call names
  // (pc, guard site) of each inline memory helper's pointer arguments, sorted:
  // a call in a loop that the JIT versioned has a set of sites per copy.
  std::vector<std::pair<uint32_t, uint32_t>> helper_caches_;
  std::vector<std::vector<uint8_t>> sections_;  // this engine's global data
  std::unique_ptr<jit::NativeProgram> native_;
  std::vector<uint64_t> context_;               // NativeContext and its guard caches
  VersionedLoopRuns versioned_runs_;
};

}  // namespace sbpf::runtime
