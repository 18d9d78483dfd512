// The verifier against the paranoid interpreter. The fuzzer's bytes choose a
// λ program (tests/program_generator: each byte is a decision, so mutations
// change the program's structure, not its encoding); when the verifier accepts
// it (for one program in eight with --prove), the program runs in paranoid
// mode on a few inputs. A proven access that
// is out of bounds, or a loop proven bounded that outruns the budget, ends a
// run with kVerifierBug: a soundness bug, reported with the program's
// disassembly before the target traps.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <vector>

#include "isa/disassembler.h"
#include "runtime/lambda_runtime.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/verifier.h"
#include "verifier/z3_guard_prover.h"

namespace {

using namespace sbpf;

// Small, so that a counted loop ends fast; the verifier is told the same
// budget, so its "bounded within the budget" means the same thing.
constexpr uint64_t kLoopBudget = uint64_t{1} << 16;

struct RunShape {
  size_t input_bytes;
  size_t output_capacity;
};
// Empty, ragged (not a multiple of 8), and larger than any constant offset
// the generator uses, with outputs from none to plenty.
constexpr RunShape kRuns[] = {{0, 0}, {5, 16}, {64, 256}, {1000, 4096}};

// Input bytes derived from the program's bytes: the same fuzzer input always
// runs on the same data, and different inputs see different data.
std::vector<uint8_t> run_input(std::span<const uint8_t> choices, size_t size, size_t run) {
  return testing::input_bytes(testing::seed_from(choices) + run, size);
}

[[noreturn]] void report_soundness_bug(const isa::Program& program, const RunShape& shape,
                                       const runtime::Abort& abort) {
  isa::DisassemblyOptions options;
  options.show_pc = true;
  std::fprintf(stderr,
               "verifier soundness bug: pc %zu: %s\n(input %zu bytes, output capacity %zu, loop budget %llu)\n%s",
               abort.pc, abort.message.c_str(), shape.input_bytes, shape.output_capacity,
               static_cast<unsigned long long>(kLoopBudget), isa::disassemble(program, options).c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> choices(data, size);
  testing::GeneratorOptions options;
  options.target_instructions = 256;
  // Rejected programs test nothing here; a few keep the rejection paths busy.
  options.violations_per_mille = 5;
  const isa::Program program = testing::generate_lambda_program(choices, options);

  // In paranoid mode: the interpreter checks what the verifier proved.
  runtime::LoadOptions load_options{.loop_budget = kLoopBudget, .paranoid = true};
  // One program in eight also goes through --prove, whose Z3 proofs the
  // paranoid runs check like the analysis's own (the rest keep the target
  // fast). A short budget per guard: a timeout only keeps a guard.
  if (size > 0 && data[size - 1] % 8 == 0) {
    load_options.prover = verifier::make_z3_guard_prover;
    load_options.prove_timeout_ms = 250;
  }
  runtime::LoadedProgram loaded = runtime::load(program, verifier::lambda_program_type(), load_options);
  if (!loaded.ok()) return 0;

  // The λ runtime lays out each run (the input region spans size_i rounded
  // up to 8 bytes, the padding zeroed).
  runtime::BytecodeLambda function(loaded);
  for (size_t i = 0; i < std::size(kRuns); ++i) {
    const RunShape& shape = kRuns[i];
    runtime::LambdaRunOptions run_options;
    run_options.output_capacity = shape.output_capacity;
    std::vector<uint8_t> output;
    const runtime::LambdaRunResult result =
        runtime::run_lambda(function, run_input(choices, shape.input_bytes, i), output, run_options);
    if (const runtime::Abort* bug = result.verifier_bug()) report_soundness_bug(program, shape, *bug);
  }
  return 0;
}
