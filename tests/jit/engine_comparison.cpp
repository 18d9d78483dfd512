#include "tests/jit/engine_comparison.h"

#include <algorithm>
#include <array>
#include <vector>

#include "runtime/heap_arena.h"
#include "runtime/interpreter.h"
#include "runtime/lambda_runtime.h"
#include "runtime/lambda_io_helpers.h"
#include "tests/program_generator/program_generator.h"

namespace sbpf::testing {

namespace {

// The memory of one λ invocation, laid out once and reset before each run.
struct SharedMemory {
  runtime::LambdaContext context{};
  std::vector<uint8_t> input;
  std::vector<uint8_t> output;
  // Smaller than the λ runtime's arena: it is zeroed before every run, and
  // the generated programs allocate a few hundred bytes.
  runtime::HeapArena heap{64u << 10};
  std::array<uint8_t, runtime::kMaxFrames * runtime::kStackFrameBytes> stack{};
};

struct Outcome {
  runtime::ExecutionResult result;
  std::vector<uint8_t> output;
};

Outcome run_on(runtime::Engine& engine, SharedMemory& m, uint64_t loop_budget) {
  std::fill(m.output.begin(), m.output.end(), 0);
  m.heap.clear();
  runtime::Invocation invocation = runtime::lambda_invocation(m.context, m.input, m.output, &m.heap, loop_budget);
  invocation.stack = m.stack;
  Outcome outcome{engine.run(invocation), {}};
  outcome.output = m.output;
  return outcome;
}

std::string describe(const runtime::ExecutionResult& r) {
  if (r.ok()) return "r0 = " + std::to_string(r.r0);
  return std::string(runtime::abort_kind_name(r.abort->kind)) + " at pc " + std::to_string(r.abort->pc) + ": " +
         r.abort->message;
}

bool same(const runtime::ExecutionResult& a, const runtime::ExecutionResult& b) {
  if (a.ok() != b.ok()) return false;
  if (a.ok()) return a.r0 == b.r0;
  return a.abort->kind == b.abort->kind && a.abort->pc == b.abort->pc && a.abort->message == b.abort->message;
}

}  // namespace

std::optional<std::string> compare_engines(const isa::Program& program, const verifier::Annotations* annotations,
                                           uint64_t loop_budget, uint64_t input_seed,
                                           runtime::JitEngine::VersionedLoopRuns* versioned, bool blind_constants) {
  runtime::HelperRegistry helpers;
  runtime::add_lambda_io_helpers(helpers);
  runtime::EngineOptions options;
  options.annotations = annotations;
  const auto interpreter = runtime::make_engine(program, helpers, options);
  options.kind = runtime::EngineKind::kJit;
  options.count_versioned_trips = versioned != nullptr;
  options.blind_constants = blind_constants;
  const auto jit = runtime::make_engine(program, helpers, options);
  struct AddRuns {  // on every way out
    const runtime::Engine& jit;
    runtime::JitEngine::VersionedLoopRuns* to;
    ~AddRuns() {
      if (to == nullptr) return;
      const auto& runs = dynamic_cast<const runtime::JitEngine&>(jit).versioned_loop_runs();
      to->entries += runs.entries;
      to->trips += runs.trips;
    }
  } add_runs{*jit, versioned};

  SharedMemory memory;
  for (size_t i = 0; i < std::size(kEngineRunShapes); ++i) {
    const EngineRunShape& shape = kEngineRunShapes[i];
    // As the λ runtime lays it out: the input region rounded up to 8 bytes,
    // the padding zeroed.
    memory.input = input_bytes(input_seed + i, shape.input_bytes);
    memory.input.resize((shape.input_bytes + 7) & ~size_t{7}, 0);
    memory.output.assign(shape.output_capacity, 0);
    memory.context = {reinterpret_cast<uintptr_t>(memory.output.data()),
                      reinterpret_cast<uintptr_t>(memory.input.data()), shape.input_bytes, shape.output_capacity};
    const Outcome expected = run_on(*interpreter, memory, loop_budget);
    const Outcome actual = run_on(*jit, memory, loop_budget);
    const std::string where = "input " + std::to_string(shape.input_bytes) + " bytes, output capacity " +
                              std::to_string(shape.output_capacity) + ": ";
    if (!same(expected.result, actual.result))
      return where + "interpreter: " + describe(expected.result) + "; jit: " + describe(actual.result);
    if (expected.output != actual.output) return where + "the output buffers differ";
  }
  return std::nullopt;
}

}  // namespace sbpf::testing
