// The verifier against the paranoid interpreter. The fuzzer's bytes choose a
// λ program (tests/program_generator: each byte is a decision, so mutations
// change the program's structure, not its encoding); when the verifier accepts
// it, the program runs in paranoid mode on a few inputs. A proven access that
// is out of bounds, or a loop proven bounded that outruns the budget, ends a
// run with kVerifierBug: a soundness bug, reported with the program's
// disassembly before the target traps.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <vector>

#include "isa/disassembler.h"
#include "runtime/heap_arena.h"
#include "runtime/interpreter.h"
#include "runtime/lambda_context.h"
#include "runtime/lambda_io_helpers.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/verifier.h"

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
std::vector<uint8_t> input_bytes(std::span<const uint8_t> choices, size_t size, size_t run) {
  uint64_t x = 0xcbf29ce484222325u ^ run;
  for (uint8_t b : choices) x = (x ^ b) * 0x100000001b3u;
  std::vector<uint8_t> bytes(size);
  for (auto& b : bytes) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<uint8_t>(x);
  }
  return bytes;
}

const runtime::HelperRegistry& lambda_helpers() {
  static const runtime::HelperRegistry helpers = [] {
    runtime::HelperRegistry registry;
    runtime::add_lambda_io_helpers(registry);
    return registry;
  }();
  return helpers;
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

  verifier::Options verify_options;
  verify_options.loop_budget = kLoopBudget;
  const verifier::VerificationResult verdict =
      verifier::verify(program, verifier::lambda_program_type(), verify_options);
  if (!verdict.accepted) return 0;

  static runtime::HeapArena heap(64 * 1024);
  runtime::Interpreter interpreter(program, lambda_helpers(),
                                   runtime::InterpreterOptions{&verdict.annotations, /*paranoid=*/true});
  for (size_t i = 0; i < std::size(kRuns); ++i) {
    const RunShape& shape = kRuns[i];
    // The input region spans size_i rounded up to 8 bytes, the padding zeroed,
    // as the λ runtime lays it out; buffers of u64 keep both regions aligned.
    const std::vector<uint8_t> bytes = input_bytes(choices, shape.input_bytes, i);
    std::vector<uint64_t> input((shape.input_bytes + 7) / 8);
    std::vector<uint64_t> output((shape.output_capacity + 7) / 8);
    if (!bytes.empty()) std::memcpy(input.data(), bytes.data(), bytes.size());
    runtime::LambdaContext ctx{reinterpret_cast<uintptr_t>(output.data()), reinterpret_cast<uintptr_t>(input.data()),
                               shape.input_bytes, shape.output_capacity};
    heap.reset();
    runtime::Invocation invocation;
    invocation.heap = &heap;
    invocation.loop_budget = kLoopBudget;
    invocation.regions.add({runtime::RegionKind::kCtx, reinterpret_cast<uint8_t*>(&ctx), sizeof ctx, false});
    invocation.regions.add(
        {runtime::RegionKind::kInput, reinterpret_cast<uint8_t*>(input.data()), input.size() * 8, false});
    invocation.regions.add(
        {runtime::RegionKind::kOutput, reinterpret_cast<uint8_t*>(output.data()), shape.output_capacity, true});
    invocation.args[0] = reinterpret_cast<uintptr_t>(&ctx);
    const runtime::ExecutionResult result = interpreter.run(invocation);
    if (result.abort && result.abort->kind == runtime::AbortKind::kVerifierBug)
      report_soundness_bug(program, shape, *result.abort);
  }
  return 0;
}
