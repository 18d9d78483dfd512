// The JIT against the interpreter. The fuzzer's bytes choose a λ program
// (tests/program_generator: each byte a decision); the program runs on both
// engines in the same memory, with the verifier's annotations when it is
// accepted and with everything checked either way. Any difference in r0,
// the output buffer or the abort (kind, pc, message) is reported with the
// program's disassembly before the target traps.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>

#include "isa/disassembler.h"
#include "tests/jit/engine_comparison.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/verifier.h"

namespace {

using namespace sbpf;

constexpr uint64_t kLoopBudget = uint64_t{1} << 14;

[[noreturn]] void report_difference(const isa::Program& program, const char* mode, const std::string& difference) {
  isa::DisassemblyOptions options;
  options.show_pc = true;
  std::fprintf(stderr, "the JIT differs from the interpreter (%s): %s\n%s", mode, difference.c_str(),
               isa::disassemble(program, options).c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> choices(data, size);
  testing::GeneratorOptions options;
  options.target_instructions = 256;
  options.violations_per_mille = 20;
  const isa::Program program = testing::generate_lambda_program(choices, options);
  const uint64_t seed = testing::seed_from(choices);

  verifier::Options verify_options;
  verify_options.loop_budget = kLoopBudget;
  const verifier::VerificationResult verdict =
      verifier::verify(program, verifier::lambda_program_type(), verify_options);
  if (verdict.accepted) {
    if (auto difference = testing::compare_engines(program, &verdict.annotations, kLoopBudget, seed))
      report_difference(program, "verified", *difference);
  }
  if (auto difference = testing::compare_engines(program, nullptr, kLoopBudget, seed))
    report_difference(program, "unverified", *difference);
  return 0;
}
