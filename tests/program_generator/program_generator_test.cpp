// The program generator: every program validates, has about the size asked
// for, is the same for the same seed, and runs in the interpreter to a result
// or a typed abort, never a crash.
#include "tests/program_generator/program_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "isa/control_flow.h"
#include "runtime/lambda_runtime.h"

namespace sbpf::testing {
namespace {

constexpr uint64_t kLoopBudget = 100000;

// One λ invocation as the λ runtime makes it: the context, the input region
// spanning size_i rounded up to 8 bytes (zero padding), the output.
runtime::LambdaRunResult run_once(const isa::Program& program, const std::vector<uint8_t>& input, size_t output_capacity) {
  runtime::LoadedProgram loaded =
      runtime::load(program, verifier::lambda_program_type(), {.loop_budget = kLoopBudget, .verify = false});
  runtime::BytecodeLambda function(loaded);
  runtime::LambdaRunOptions options;
  options.output_capacity = output_capacity;
  std::vector<uint8_t> output;
  return runtime::run_lambda(function, input, output, options);
}

// The abort, or "ok" for a run that returned (an error code included).
std::string outcome(const runtime::LambdaRunResult& result) {
  return result.failure && result.failure->abort ? runtime::abort_kind_name(result.failure->abort->kind) : "ok";
}

TEST(ProgramGenerator, ThousandSeedsValidateAndRun) {
  std::map<std::string, size_t> outcomes;
  size_t with_violations = 0, loops = 0, data_bound = 0, calls = 0, helpers = 0, total_size = 0;
  const struct {
    size_t input;
    size_t output;
  } runs[] = {{0, 16}, {13, 64}, {256, 4096}};
  for (uint64_t seed = 0; seed < 1000; ++seed) {
    GenerationReport report;
    isa::Program program = generate_lambda_program(seed, {}, &report);
    // The generator validated it already; a second validation of a copy
    // checks it was not changed afterwards.
    isa::Program copy = program;
    ASSERT_NO_THROW(isa::validate(copy)) << "seed " << seed;
    // Generation stops at the first fragment boundary past the target.
    EXPECT_GE(program.size(), 64u) << "seed " << seed;
    EXPECT_LE(program.size(), 160u) << "seed " << seed;
    total_size += program.size();
    with_violations += report.violations.empty() ? 0 : 1;
    loops += report.loops;
    data_bound += report.data_bound_loops;
    calls += report.local_calls;
    helpers += report.helper_calls;
    for (const auto& v : report.violations) ASSERT_LT(v.pc, program.size()) << "seed " << seed;
    for (const auto& run : runs) {
      ++outcomes[outcome(run_once(program, input_bytes(seed, run.input), run.output))];
    }
  }
  std::printf("mean size %.1f slots; %zu programs with planted violations; %zu loops (%zu data-bound), "
              "%zu local calls, %zu helper calls\n",
              total_size / 1000.0, with_violations, loops, data_bound, calls, helpers);
  for (const auto& [name, count] : outcomes) std::printf("  %-14s %5zu of 3000 runs\n", name.c_str(), count);
  EXPECT_GT(outcomes["ok"], 1000u);
}

// The loop shapes compilers make, as the shared control-flow analysis sees
// them in the generated code: the bugs users met were in these.
TEST(ProgramGenerator, MakesTheLoopShapesCompilersMake) {
  struct {
    size_t loops = 0, header_not_lowest = 0, header_last = 0, several_latches = 0, several_exits = 0,
           nested = 0, nested_sharing_exit = 0, in_callee = 0;
  } shapes;
  for (uint64_t seed = 0; seed < 1000; ++seed) {
    const isa::Program program = generate_lambda_program(seed);
    const isa::ProgramGraph graph = isa::build_graph(program);
    for (size_t f = 0; f < graph.functions.size(); ++f) {
      const isa::FunctionGraph& g = graph.functions[f];
      for (const isa::Loop& loop : g.loops) {
        ++shapes.loops;
        shapes.header_not_lowest += loop.head != loop.blocks.front();
        shapes.header_last += loop.blocks.size() > 1 && loop.head == loop.blocks.back();
        shapes.several_latches += loop.latches.size() > 1;
        std::vector<size_t> targets;
        for (const isa::Edge& exit : loop.exits) targets.push_back(exit.to);
        std::sort(targets.begin(), targets.end());
        shapes.several_exits += std::unique(targets.begin(), targets.end()) - targets.begin() > 1;
        shapes.in_callee += f > 0;
        if (loop.parent < 0) continue;
        ++shapes.nested;
        // An exit of the inner loop that leaves the outer one too.
        const int outer = loop.parent;
        shapes.nested_sharing_exit += std::any_of(loop.exits.begin(), loop.exits.end(), [&](const isa::Edge& e) {
          return !g.loop_contains(outer, e.to);
        });
      }
    }
  }
  std::printf("%zu loops: header not the lowest block %zu, header last %zu, several latches %zu, several exits "
              "%zu, nested %zu (leaving the outer loop too %zu), in called functions %zu\n",
              shapes.loops, shapes.header_not_lowest, shapes.header_last, shapes.several_latches,
              shapes.several_exits, shapes.nested, shapes.nested_sharing_exit, shapes.in_callee);
  EXPECT_GT(shapes.header_not_lowest, 50u);
  EXPECT_GT(shapes.header_last, 50u);
  EXPECT_GT(shapes.several_latches, 50u);
  EXPECT_GT(shapes.several_exits, 50u);
  EXPECT_GT(shapes.nested_sharing_exit, 20u);
  EXPECT_GT(shapes.in_callee, 20u);
}

TEST(ProgramGenerator, SameSeedSameProgram) {
  for (uint64_t seed : {0u, 1u, 42u, 999u, 123456789u}) {
    GeneratorOptions options;
    options.target_instructions = 500;
    EXPECT_EQ(isa::encode(generate_lambda_program(seed, options)), isa::encode(generate_lambda_program(seed, options)))
        << "seed " << seed;
  }
  EXPECT_NE(isa::encode(generate_lambda_program(1)), isa::encode(generate_lambda_program(2)));
}

TEST(ProgramGenerator, ChoiceBytesDriveTheProgram) {
  // No bytes: a tiny program that returns.
  isa::Program empty = generate_lambda_program(std::span<const uint8_t>{});
  EXPECT_LE(empty.size(), 8u);
  for (uint64_t seed = 0; seed < 300; ++seed) {
    const std::vector<uint8_t> bytes = input_bytes(seed, seed * 3);
    isa::Program a = generate_lambda_program(bytes);
    isa::Program b = generate_lambda_program(bytes);
    ASSERT_EQ(isa::encode(a), isa::encode(b)) << "seed " << seed;
  }
  // More bytes, more program (up to the target).
  GeneratorOptions options;
  options.target_instructions = 100000;
  EXPECT_GT(generate_lambda_program(input_bytes(7, 4000), options).size(),
            generate_lambda_program(input_bytes(7, 100), options).size());
}

TEST(ProgramGenerator, OptionsAreHonoured) {
  GeneratorOptions options;
  options.allow_calls = false;
  options.allow_helpers = false;
  options.allow_atomics = false;
  options.violations_per_mille = 0;
  options.target_instructions = 300;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    GenerationReport report;
    isa::Program program = generate_lambda_program(seed, options, &report);
    EXPECT_TRUE(report.violations.empty()) << "seed " << seed;
    EXPECT_EQ(program.functions.size(), 1u) << "seed " << seed;
    for (size_t pc = 0; pc < program.size(); ++pc) {
      if (program.is_lddw_tail(pc)) continue;
      EXPECT_FALSE(program.insns[pc].opcode == isa::kOpCall) << "seed " << seed << " pc " << pc;
      EXPECT_FALSE(program.insns[pc].is_atomic()) << "seed " << seed << " pc " << pc;
    }
  }
}

TEST(ProgramGenerator, LargeProgramsGenerateQuickly) {
  for (size_t target : {10000u, 100000u}) {
    GeneratorOptions options;
    options.target_instructions = target;
    const auto start = std::chrono::steady_clock::now();
    isa::Program program = generate_lambda_program(uint64_t{target}, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%zu-slot target: %zu slots, %zu functions, in %.3f s\n", target, program.size(),
                program.functions.size(), seconds);
    EXPECT_GE(program.size(), target);
    EXPECT_LE(program.size(), target * 11 / 10);
    EXPECT_LT(seconds, 10.0);
  }
}

}  // namespace
}  // namespace sbpf::testing
