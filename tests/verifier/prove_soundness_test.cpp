// --prove against the paranoid interpreter: generated λ programs verified
// with Z3's guard removal run on inputs of several sizes, and no access Z3
// proved (nor any the analysis proved) may leave its region. The
// differential fuzzer does the same for one program in eight; this test
// runs a fixed set, so every `make test` exercises the prover.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "runtime/lambda_runtime.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/verifier.h"
#include "verifier/z3_guard_prover.h"

namespace sbpf {
namespace {

constexpr uint64_t kLoopBudget = uint64_t{1} << 16;

TEST(ProveSoundness, GeneratedProgramsNeverLeaveARegionZ3Proved) {
  constexpr struct {
    size_t input, output;
  } kRuns[] = {{0, 0}, {5, 16}, {64, 256}, {1000, 4096}, {4096, 64}};
  size_t programs = 0, removed = 0, guards_left = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    testing::GeneratorOptions gen;
    gen.target_instructions = 128;
    gen.violations_per_mille = 0;
    const isa::Program program = testing::generate_lambda_program(seed, gen);
    runtime::LoadedProgram loaded = runtime::load(program, verifier::lambda_program_type(),
                                                  {.loop_budget = kLoopBudget,
                                                   .prover = verifier::make_z3_guard_prover,
                                                   .prove_timeout_ms = 300,
                                                   .paranoid = true});
    if (!loaded.ok()) continue;
    ++programs;
    removed += loaded.verification()->statistics.guards_removed;
    guards_left += loaded.verification()->statistics.accesses_guarded;
    runtime::BytecodeLambda function(loaded);
    for (size_t i = 0; i < std::size(kRuns); ++i) {
      runtime::LambdaRunOptions run;
      run.output_capacity = kRuns[i].output;
      std::vector<uint8_t> output;
      const runtime::LambdaRunResult result =
          runtime::run_lambda(function, testing::input_bytes(seed * 8 + i, kRuns[i].input), output, run);
      const runtime::Abort* bug = result.verifier_bug();
      ASSERT_EQ(bug, nullptr) << "seed " << seed << ", input " << kRuns[i].input << " bytes: " << bug->message;
    }
  }
  std::printf("%zu programs accepted; Z3 removed %zu guards, %zu remain\n", programs, removed, guards_left);
  // The check means something only if Z3 removed guards to check (56 here;
  // a slower machine settles fewer queries within the time budget).
  EXPECT_GT(removed, 10u);
}

}  // namespace
}  // namespace sbpf
