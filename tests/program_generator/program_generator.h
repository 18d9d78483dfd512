// Random λ programs for the differential fuzzers and the verifier's tests.
//
// The programs have the shapes clang gives λ code: context fields loaded into
// registers, loops over the input (by index, by pointer, nested, with constant
// or data-dependent trip counts), guarded stores to the output, stack spills,
// bpf-to-bpf calls and λ-IO helper calls. Most are safe, and a sound verifier
// should accept them, guarding what it cannot prove; at a low rate the
// generator plants a deliberate violation (a scalar used as a pointer, a write
// into the input, a pointer leaked to the output, …) so that rejections are
// exercised too. Every program passes isa::validate.
//
// The generator is deterministic: the same seed (or the same choice bytes)
// and options give the same program, on every host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "isa/program.h"
#include "verifier/verifier.h"

namespace sbpf::testing {

struct GeneratorOptions {
  // Roughly the program's size in slots. Generation stops at the first
  // fragment boundary past it, so small targets overshoot by a few dozen.
  size_t target_instructions = 64;
  bool allow_calls = true;     // bpf-to-bpf calls to callees placed after the entry function
  bool allow_helpers = true;   // λ-IO helpers 156-162
  bool allow_atomics = true;
  // Loops whose trip count comes from the input data (they may exhaust a small
  // loop budget).
  bool allow_data_bound_loops = true;
  // Rarely, loops that in practice never end. When the verifier sees that a
  // loop's exit is never taken, the code after it is dead: large programs
  // for benchmarks turn them off.
  bool allow_endless_loops = true;
  // Chance, per fragment, that the fragment is a deliberate safety violation.
  // 0 gives programs a precise enough verifier should accept.
  unsigned violations_per_mille = 15;
  unsigned max_loop_depth = 3;
  unsigned max_callees = 3;  // a call chain is at most max_callees + 1 frames deep
};

// A violation the generator planted on purpose. A sound verifier must reject
// a program with one on a feasible path; most are on one (they may sit behind
// a branch a verifier can show is never taken).
struct PlantedViolation {
  size_t pc = 0;              // the instruction that breaks the rule
  verifier::Rule rule = verifier::Rule::kMalformed;
  std::string what;           // e.g. "store to the input"
};

// What the generator did, for tests that want more than the program.
struct GenerationReport {
  std::vector<PlantedViolation> violations;
  size_t loops = 0;
  size_t data_bound_loops = 0;  // trip count from input data: counted back-edges
  size_t local_calls = 0;
  size_t helper_calls = 0;
};

// A program from a seed.
isa::Program generate_lambda_program(uint64_t seed, const GeneratorOptions& options = {},
                                     GenerationReport* report = nullptr);

// A program from a stream of choices (libFuzzer's bytes), for structure-aware
// fuzzing: every decision consumes bytes, so a mutation of the bytes is a
// mutation of the program's structure. Generation stops early when the bytes
// run out; no bytes give a tiny program that returns a constant.
isa::Program generate_lambda_program(std::span<const uint8_t> choices, const GeneratorOptions& options = {},
                                     GenerationReport* report = nullptr);

// Input bytes for a generated program to run on: the same seed gives the
// same bytes, different seeds different ones (xorshift64).
std::vector<uint8_t> input_bytes(uint64_t seed, size_t size);
// A seed from a fuzzer's bytes (FNV-1a): the same bytes always run on the
// same data, and different bytes on different data.
uint64_t seed_from(std::span<const uint8_t> bytes);

}  // namespace sbpf::testing
