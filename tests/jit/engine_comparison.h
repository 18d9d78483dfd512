// The JIT against the interpreter, the oracle: one λ program run on both
// engines in the same memory (context, input, output, heap and stack at the
// same addresses, so that even a program that computes with pointers gives
// the same numbers) must leave the same r0, the same output buffer and the
// same abort (kind, pc and message). The differential test and the fuzz
// target share this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "isa/program.h"
#include "runtime/jit_engine.h"
#include "verifier/annotations.h"

namespace sbpf::testing {

struct EngineRunShape {
  size_t input_bytes;
  size_t output_capacity;
};
// Empty, ragged (not a multiple of 8), and larger than any constant offset
// the generator uses, with outputs from none to plenty.
inline constexpr EngineRunShape kEngineRunShapes[] = {{0, 0}, {5, 16}, {64, 256}, {1000, 4096}};

// Runs `program` as one λ invocation on both engines for every shape
// (inputs from `input_seed`), with `annotations` (nullptr: everything
// checked) and `loop_budget`. Returns a description of the first
// difference, or nullopt when the engines agree. `versioned`, when given,
// gains the JIT's runs of versioned loops' unguarded copies.
std::optional<std::string> compare_engines(const isa::Program& program, const verifier::Annotations* annotations,
                                           uint64_t loop_budget, uint64_t input_seed,
                                           runtime::JitEngine::VersionedLoopRuns* versioned = nullptr,
                                           bool blind_constants = false);

}  // namespace sbpf::testing
