// The λ samples through the interpreter, next to their native twins (the
// speed limit) on the same 2 MiB chunk in this process. Each row reports its
// throughput; the interpreter rows also report `x_native`, their time over
// the twin's, and `x_unverified`, over the unverified program's, measured in
// the same run.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "runtime/lambda_runtime.h"
#include "verifier/verifier.h"

namespace {

using sbpf::runtime::LambdaFunction;

constexpr uint64_t kChunk = sbpf::runtime::kLambdaChunkBytes;
const char* const kSamples[] = {"stats64", "stats32", "knn", "grep", "bitmap", "filter", "extract"};

std::string sample_path(const std::string& name, const char* extension) {
  return std::string(SBPF_SAMPLES_BUILD_DIR) + "/lambda/" + name + extension;
}

// One chunk of the sample's generated data (sbpf-datagen, seed 1).
std::vector<uint8_t> sample_input(const std::string& name) {
  auto path = std::filesystem::temp_directory_path() / ("sbpf-bench-" + name + ".in");
  std::string command = std::string(SBPF_DATAGEN) + " " + name + " --size " + std::to_string(kChunk) +
                        " --seed 1 -o " + path.string();
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::filesystem::remove(path);
  return bytes;
}

// Seconds per run of `function` over `input`, the best of a few.
double seconds_per_run(LambdaFunction& function, const std::vector<uint8_t>& input, std::vector<uint8_t>& out) {
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    sbpf::runtime::run_lambda(function, input, out);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

void run(benchmark::State& state, LambdaFunction& function, const std::vector<uint8_t>& input) {
  std::vector<uint8_t> out;
  for (auto _ : state) {
    auto result = sbpf::runtime::run_lambda(function, input, out);
    if (!result.ok()) {
      state.SkipWithError(result.failure->describe().c_str());
      return;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}

void BM_Native(benchmark::State& state, const std::string& name) {
  std::vector<uint8_t> input = sample_input(name);
  sbpf::frontend::NativeTwin twin(sample_path(name, ".so"));
  sbpf::runtime::NativeLambda function(reinterpret_cast<sbpf::runtime::NativeLambda::Entry>(twin.entry()));
  run(state, function, input);
}

// The interpreter runs the verified program (what `sbpf run` does); it also
// reports `x_unverified`, its time over the same program run unverified,
// with every access checked and every backward jump counted.
void BM_Interpreter(benchmark::State& state, const std::string& name) {
  std::vector<uint8_t> input = sample_input(name);
  sbpf::isa::Program program = sbpf::frontend::load_elf_program(sample_path(name, ".o"));
  const sbpf::verifier::VerificationResult verified = sbpf::verifier::verify(program, sbpf::verifier::lambda_program_type());
  if (!verified.accepted) {
    state.SkipWithError("the verifier rejects the sample");
    return;
  }
  sbpf::runtime::BytecodeLambda function(program, sbpf::runtime::kDefaultLoopBudget, {&verified.annotations, false});
  sbpf::runtime::BytecodeLambda unverified(program);
  sbpf::frontend::NativeTwin twin(sample_path(name, ".so"));
  sbpf::runtime::NativeLambda native(reinterpret_cast<sbpf::runtime::NativeLambda::Entry>(twin.entry()));
  std::vector<uint8_t> out;
  const double native_seconds = seconds_per_run(native, input, out);
  const double interpreted_seconds = seconds_per_run(function, input, out);
  const double unverified_seconds = seconds_per_run(unverified, input, out);
  run(state, function, input);
  state.counters["x_native"] = interpreted_seconds / native_seconds;
  state.counters["x_unverified"] = interpreted_seconds / unverified_seconds;
}

[[maybe_unused]] const bool registered = [] {
  for (const char* name : kSamples) {
    benchmark::RegisterBenchmark((std::string("Native/") + name).c_str(), BM_Native, name)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("Interpreter/") + name).c_str(), BM_Interpreter, name)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
