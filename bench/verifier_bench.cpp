// Verification time: the samples, and generated λ programs of 1,000,
// 10,000 and 100,000 instructions (tests/program_generator, fixed seeds).
// Each row reports the program's size and what the verifier proved
// (`Sample/NAME/prove` with --prove, whose Z3 queries remove guards:
// `removed`); the generated rows also report `x_decode`, the verification time over the
// time to decode and validate the same bytecode (a linear pass over it),
// measured in the same run.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "frontend/elf_loader.h"
#include "isa/program.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/verifier.h"
#include "verifier/z3_guard_prover.h"

namespace {

using sbpf::verifier::VerificationResult;

const char* const kLambdaSamples[] = {"stats64", "stats32", "knn", "grep", "bitmap", "filter", "extract"};
const char* const kXrpSamples[] = {"bpfkv_get", "bpfkv_range"};

void report(benchmark::State& state, const VerificationResult& r) {
  const auto& s = r.statistics;
  state.counters["insns"] = static_cast<double>(s.instructions);
  state.counters["proven"] = static_cast<double>(s.accesses_proven);
  state.counters["guarded"] = static_cast<double>(s.accesses_guarded);
  state.counters["free"] = static_cast<double>(s.back_edges_free);
  state.counters["counted"] = static_cast<double>(s.back_edges_counted);
  if (s.guards_removed) state.counters["removed"] = static_cast<double>(s.guards_removed);
  state.counters["insns_per_s"] =
      benchmark::Counter(static_cast<double>(s.instructions), benchmark::Counter::kIsIterationInvariantRate);
}

// Verifies `program` once per iteration; returns the mean seconds per
// verification, or a negative number when the verifier rejects it.
double verify_loop(benchmark::State& state, const sbpf::isa::Program& program,
                   const sbpf::verifier::ProgramType& type, const sbpf::verifier::Options& options = {}) {
  VerificationResult result;
  double seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    result = sbpf::verifier::verify(program, type, options);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    benchmark::DoNotOptimize(result.accepted);
  }
  if (!result.accepted) {
    state.SkipWithError(("rejected: " + (result.diagnostics.empty() ? std::string("?") : result.diagnostics[0].message))
                            .c_str());
    return -1;
  }
  report(state, result);
  return seconds / static_cast<double>(state.iterations());
}

void BM_Sample(benchmark::State& state, const std::string& path, bool prove) {
  const sbpf::isa::Program program = sbpf::frontend::load_elf_program(path);
  const auto type = sbpf::verifier::program_type_for(program);
  if (!type) {
    state.SkipWithError("no program type");
    return;
  }
  sbpf::verifier::Options options;
  if (prove) options.prover = sbpf::verifier::make_z3_guard_prover;
  verify_loop(state, program, *type, options);
}

// Seconds to decode and validate `program`'s bytecode, the best of a few.
double decode_seconds(const sbpf::isa::Program& program) {
  const std::vector<uint8_t> bytes = sbpf::isa::encode(program);
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(sbpf::isa::decode(bytes).size());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// state.range(0): target size; state.range(1): bpf-to-bpf calls allowed;
// state.range(2): the generator's seed.
// state.range(3): with --prove.
void BM_Generated(benchmark::State& state) {
  sbpf::testing::GeneratorOptions options;
  options.target_instructions = static_cast<size_t>(state.range(0));
  options.allow_calls = state.range(1) != 0;
  options.violations_per_mille = 0;
  options.allow_endless_loops = false;  // they leave the code after them dead
  const sbpf::isa::Program program =
      sbpf::testing::generate_lambda_program(static_cast<uint64_t>(state.range(2)), options);
  sbpf::verifier::Options verify_options;
  if (state.range(3) != 0) verify_options.prover = sbpf::verifier::make_z3_guard_prover;
  const double seconds = verify_loop(state, program, sbpf::verifier::lambda_program_type(), verify_options);
  if (seconds >= 0) state.counters["x_decode"] = seconds / decode_seconds(program);
}

[[maybe_unused]] const bool registered = [] {
  for (bool prove : {false, true}) {
    const std::string suffix = prove ? "/prove" : "";
    for (const char* name : kLambdaSamples)
      benchmark::RegisterBenchmark((std::string("Sample/") + name + suffix).c_str(), BM_Sample,
                                   std::string(SBPF_SAMPLES_BUILD_DIR) + "/lambda/" + name + ".o", prove)
          ->Unit(benchmark::kMillisecond);
    for (const char* name : kXrpSamples)
      benchmark::RegisterBenchmark((std::string("Sample/") + name + suffix).c_str(), BM_Sample,
                                   std::string(SBPF_SAMPLES_BUILD_DIR) + "/xrp/" + name + ".o", prove)
          ->Unit(benchmark::kMillisecond);
  }
  // Five seeds at 10,000 instructions with calls: their times spread over
  // an order of magnitude. At 100,000 instructions the generator gives
  // callees of 8,000 instructions with hundreds of call sites each, which
  // share contexts once a callee has a few (fixpoint.cpp,
  // kContextInstructionsBeforeSharing); one verification of that row takes
  // most of a minute.
  auto* generated = benchmark::RegisterBenchmark("Generated", BM_Generated);
  generated->ArgNames({"insns", "calls", "seed", "prove"})->Args({1000, 1, 1, 0})->Args({1000, 1, 1, 1});
  for (int seed = 1; seed <= 5; ++seed) generated->Args({10000, 1, seed, 0});
  generated->Args({10000, 0, 1, 0})->Args({100000, 0, 1, 0})->Args({100000, 1, 1, 0})->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
