// The λ samples on 64 MiB of their generated data (SBPF_BENCH_INPUT_BYTES
// says otherwise; the λ runtime's 2 MiB chunks): the native twin (clang -O2, the speed limit), the interpreter,
// the JIT with the verifier's annotations, and the JIT with every access
// guarded. Each row reports its throughput; ratios are measured in the same
// run, in this process:
//   x_native       the row's time over the twin's
//   x_unverified   (interpreter) over the unverified program's
//   x_interpreter  (JIT) the interpreter's time over the JIT's: the speedup
//   guard_cost     (JIT) the time over the JIT's with --prove's annotations
//                  (no guard left on the samples), minus one: what the
//                  guards the analysis could not remove cost
//   x_guarded      (JIT, every access guarded) over the annotated JIT's
// JitCompile rows: compile time per 1,000 instructions of generated programs.
//
// The device build runs it under qemu-aarch64 (make bench-device): the
// samples' images and aarch64 twins from the host build, the arm64 JIT and
// interpreter, on less data (SBPF_BENCH_INPUT_BYTES, 64 MiB by default), and
// no guard_cost (the device has no prover). Under qemu only ratios mean
// something.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frontend/native_twin.h"
#include "isa/program_image.h"
#include "jit/native_program.h"
#include "runtime/lambda_runtime.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/verifier.h"
#if SBPF_BENCH_PROVER
#include "verifier/z3_guard_prover.h"
#endif

namespace {

using sbpf::runtime::LambdaFunction;

const char* const kSamples[] = {"stats64", "stats32", "knn", "grep", "bitmap", "filter", "extract"};

uint64_t input_bytes() {
  const char* given = std::getenv("SBPF_BENCH_INPUT_BYTES");
  return given != nullptr && *given != '\0' ? std::strtoull(given, nullptr, 0) : uint64_t{64} << 20;
}

std::string sample_path(const std::string& name, const char* extension) {
  return std::string(SBPF_SAMPLES_BUILD_DIR) + "/lambda/" + name + extension;
}

// The program as the device receives it (the host makes both from one
// object), and the twin for the machine this runs on.
sbpf::isa::Program sample_program(const std::string& name) {
  std::ifstream in(sample_path(name, ".img"), std::ios::binary);
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return sbpf::isa::read_image(bytes).program;
}

std::string twin_path(const std::string& name) { return sample_path(name, SBPF_TWIN_SUFFIX); }

// The sample's generated data (sbpf-datagen, seed 1), made once per sample.
const std::vector<uint8_t>& sample_input(const std::string& name) {
  static std::map<std::string, std::vector<uint8_t>> made;
  if (auto it = made.find(name); it != made.end()) return it->second;
  auto path = std::filesystem::temp_directory_path() / ("sbpf-bench-" + name + ".in");
  std::string command = std::string(SBPF_DATAGEN) + " " + name + " --size " + std::to_string(input_bytes()) +
                        " --seed 1 -o " + path.string();
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::filesystem::remove(path);
  return made[name] = std::move(bytes);
}

// Seconds per run of each function over `input`, the best of several
// rounds. The functions take turns within a round, so that what disturbs
// the machine for a while (another tenant, the page cache) weighs on all of
// them alike and the ratios stay steady.
std::vector<double> best_seconds(const std::vector<LambdaFunction*>& functions, const std::vector<uint8_t>& input) {
  constexpr int kRounds = 7;
  std::vector<double> best(functions.size(), 1e9);
  std::vector<uint8_t> out;
  for (int round = 0; round < kRounds; ++round)
    for (size_t i = 0; i < functions.size(); ++i) {
      auto start = std::chrono::steady_clock::now();
      sbpf::runtime::run_lambda(*functions[i], input, out);
      best[i] = std::min(best[i], std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
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
  const std::vector<uint8_t>& input = sample_input(name);
  sbpf::frontend::NativeTwin twin(twin_path(name));
  sbpf::runtime::NativeLambda function(reinterpret_cast<sbpf::runtime::NativeLambda::Entry>(twin.entry()));
  run(state, function, input);
}

// A sample as the rows below compare it: the bytecode, its verification,
// and the native twin.
struct LoadedSample {
  explicit LoadedSample(const std::string& name)
      : program(sample_program(name)),
        verified(sbpf::verifier::verify(program, sbpf::verifier::lambda_program_type())),
        twin(twin_path(name)),
        native(reinterpret_cast<sbpf::runtime::NativeLambda::Entry>(twin.entry())) {}

  sbpf::isa::Program program;
  sbpf::verifier::VerificationResult verified;
  sbpf::frontend::NativeTwin twin;
  sbpf::runtime::NativeLambda native;
};

using sbpf::runtime::EngineKind;

// The sample loaded on one engine (the runtime's front door) over one of its
// verifications, or unverified (nullptr): every access checked, every
// backward jump counted.
struct SampleOn {
  SampleOn(const LoadedSample& sample, EngineKind engine, const sbpf::verifier::VerificationResult* verification)
      : loaded(verification != nullptr
                   ? sbpf::runtime::load(sample.program, sbpf::verifier::lambda_program_type(), *verification,
                                         {.engine = engine})
                   : sbpf::runtime::load(sample.program, sbpf::verifier::lambda_program_type(),
                                         {.verify = false, .engine = engine})),
        function(loaded) {}

  sbpf::runtime::LoadedProgram loaded;
  sbpf::runtime::BytecodeLambda function;
};

// The interpreter runs the verified program (what `sbpf run --engine
// interp` does); it also reports `x_unverified`, its time over the same
// program run unverified, with every access checked and every backward jump
// counted.
void BM_Interpreter(benchmark::State& state, const std::string& name) {
  const std::vector<uint8_t>& input = sample_input(name);
  LoadedSample sample(name);
  if (!sample.verified.accepted) return state.SkipWithError("the verifier rejects the sample");
  SampleOn verified(sample, EngineKind::kInterpreter, &sample.verified);
  SampleOn unverified(sample, EngineKind::kInterpreter, nullptr);
  const std::vector<double> t = best_seconds({&sample.native, &verified.function, &unverified.function}, input);
  const double native_seconds = t[0], interpreted_seconds = t[1], unverified_seconds = t[2];
  run(state, verified.function, input);
  state.counters["x_native"] = interpreted_seconds / native_seconds;
  state.counters["x_unverified"] = interpreted_seconds / unverified_seconds;
}

// The JIT on the verified program (what `sbpf run` does by default).
void BM_Jit(benchmark::State& state, const std::string& name) {
  const std::vector<uint8_t>& input = sample_input(name);
  LoadedSample sample(name);
  if (!sample.verified.accepted) return state.SkipWithError("the verifier rejects the sample");
  SampleOn jit(sample, EngineKind::kJit, &sample.verified);
  SampleOn interpreter(sample, EngineKind::kInterpreter, &sample.verified);
  std::vector<LambdaFunction*> functions{&sample.native, &jit.function, &interpreter.function};
#if SBPF_BENCH_PROVER
  sbpf::verifier::Options prove;
  prove.prover = sbpf::verifier::make_z3_guard_prover;
  const sbpf::verifier::VerificationResult proven =
      sbpf::verifier::verify(sample.program, sbpf::verifier::lambda_program_type(), prove);
  if (!proven.accepted) return state.SkipWithError("the verifier rejects the sample with --prove");
  SampleOn jit_proven(sample, EngineKind::kJit, &proven);
  functions.push_back(&jit_proven.function);
#endif
  const std::vector<double> t = best_seconds(functions, input);
  const double native_seconds = t[0], jit_seconds = t[1], interpreted_seconds = t[2];
  run(state, jit.function, input);
  state.counters["x_native"] = jit_seconds / native_seconds;
  state.counters["x_interpreter"] = interpreted_seconds / jit_seconds;
#if SBPF_BENCH_PROVER
  state.counters["guard_cost"] = jit_seconds / t[3] - 1;
#endif
}

// The JIT with every access guarded and every backward jump counted (the
// unverified program).
void BM_JitAllGuarded(benchmark::State& state, const std::string& name) {
  const std::vector<uint8_t>& input = sample_input(name);
  LoadedSample sample(name);
  if (!sample.verified.accepted) return state.SkipWithError("the verifier rejects the sample");
  SampleOn guarded(sample, EngineKind::kJit, nullptr);
  SampleOn jit(sample, EngineKind::kJit, &sample.verified);
  const std::vector<double> t = best_seconds({&sample.native, &guarded.function, &jit.function}, input);
  const double native_seconds = t[0], guarded_seconds = t[1], jit_seconds = t[2];
  run(state, guarded.function, input);
  state.counters["x_native"] = guarded_seconds / native_seconds;
  state.counters["x_guarded"] = guarded_seconds / jit_seconds;
}

// JIT compile time of generated λ programs (verified first, not timed),
// per 1,000 instructions, for either backend (arm64 cross-compiles on any
// host).
void BM_JitCompile(benchmark::State& state, sbpf::jit::Arch arch) {
  sbpf::testing::GeneratorOptions generator;
  generator.target_instructions = static_cast<size_t>(state.range(0));
  generator.violations_per_mille = 0;
  generator.allow_endless_loops = false;
  const sbpf::isa::Program program = sbpf::testing::generate_lambda_program(1, generator);
  const sbpf::verifier::VerificationResult verified = sbpf::verifier::verify(program, sbpf::verifier::lambda_program_type());
  if (!verified.accepted) {
    state.SkipWithError("the verifier rejects the generated program");
    return;
  }
  sbpf::jit::CompileOptions options;
  options.section_addresses.assign(program.sections.size(), 0);
  for (auto _ : state) {
    sbpf::jit::NativeProgram native = sbpf::jit::compile(arch, program, verified.annotations, options);
    benchmark::DoNotOptimize(native.code());
  }
  state.counters["us_per_1000_insns"] = benchmark::Counter(
      static_cast<double>(program.size()) / 1000, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["insns"] = static_cast<double>(program.size());
}

[[maybe_unused]] const bool registered = [] {
  for (const char* name : kSamples) {
    benchmark::RegisterBenchmark((std::string("Native/") + name).c_str(), BM_Native, name)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("Interpreter/") + name).c_str(), BM_Interpreter, name)
        ->Unit(benchmark::kMillisecond);
    if (!sbpf::runtime::jit_available()) continue;
    benchmark::RegisterBenchmark((std::string("Jit/") + name).c_str(), BM_Jit, name)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("JitAllGuarded/") + name).c_str(), BM_JitAllGuarded, name)
        ->Unit(benchmark::kMillisecond);
  }
  for (sbpf::jit::Arch arch : {sbpf::jit::Arch::kX86_64, sbpf::jit::Arch::kArm64})
    benchmark::RegisterBenchmark((std::string("JitCompile/") + sbpf::jit::arch_name(arch)).c_str(), BM_JitCompile, arch)
        ->Arg(1000)
        ->Arg(10000)
        ->Arg(100000)
        ->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
