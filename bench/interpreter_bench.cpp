// Interpreter throughput on loop-heavy programs, next to the same work in
// native code run in this process: compare `insn/s` across runs and the
// native/interpreter time ratio between rows.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "runtime/loaded_program.h"

namespace {

using sbpf::runtime::Invocation;

// The program unverified, on the interpreter, through the runtime's front
// door: every access checked and every backward jump counted.
sbpf::runtime::LoadedProgram unverified(const std::string& text) {
  return sbpf::runtime::load(sbpf::isa::assemble(text), sbpf::verifier::memory_program_type(), {.verify = false});
}

constexpr size_t kMemoryBytes = 1 << 20;
constexpr uint64_t kXorshiftRounds = 1 << 20;

// samples/asm/sum_words.s: the sum of the 64-bit words of r1[0..r2).
std::string read_sample(const char* name) {
  std::ifstream in(std::string(SBPF_SOURCE_DIR) + "/samples/asm/" + name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
// Its loop is 7 instructions a word; 3 before, 4 after.
constexpr uint64_t kSumWordsInsns = 3 + 7 * (kMemoryBytes / 8) + 4;

// r1 rounds of xorshift64: pure ALU and one branch per round.
constexpr const char* kXorshift = R"(
mov %r0, 88172645
mov %r2, %r1
loop:
mov %r3, %r0
lsh %r3, 13
xor %r0, %r3
mov %r3, %r0
rsh %r3, 7
xor %r0, %r3
mov %r3, %r0
lsh %r3, 17
xor %r0, %r3
add %r2, -1
jne %r2, 0, loop
exit
)";
constexpr uint64_t kXorshiftInsns = 2 + 11 * kXorshiftRounds + 1;

void set_rate(benchmark::State& state, uint64_t insns_per_run) {
  state.counters["insn/s"] =
      benchmark::Counter(static_cast<double>(insns_per_run), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Interpreter_SumWords(benchmark::State& state) {
  sbpf::runtime::LoadedProgram interpreter = unverified(read_sample("sum_words.s"));
  std::vector<uint8_t> memory(kMemoryBytes, 1);
  Invocation inv;
  inv.pass_memory(memory);
  for (auto _ : state) benchmark::DoNotOptimize(interpreter.run(inv).r0);
  set_rate(state, kSumWordsInsns);
}
BENCHMARK(BM_Interpreter_SumWords);

void BM_Native_SumWords(benchmark::State& state) {
  std::vector<uint8_t> memory(kMemoryBytes, 1);
  for (auto _ : state) {
    uint64_t sum = 0;
    const uint8_t* p = memory.data();
    benchmark::DoNotOptimize(p);
    for (size_t off = 0; off + 8 <= memory.size(); off += 8) {
      uint64_t word;
      std::memcpy(&word, p + off, 8);
      sum += word;
    }
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_Native_SumWords);

void BM_Interpreter_Xorshift(benchmark::State& state) {
  sbpf::runtime::LoadedProgram interpreter = unverified(kXorshift);
  Invocation inv;
  inv.args[0] = kXorshiftRounds;
  for (auto _ : state) benchmark::DoNotOptimize(interpreter.run(inv).r0);
  set_rate(state, kXorshiftInsns);
}
BENCHMARK(BM_Interpreter_Xorshift);

void BM_Native_Xorshift(benchmark::State& state) {
  for (auto _ : state) {
    uint64_t rounds = kXorshiftRounds;
    benchmark::DoNotOptimize(rounds);
    uint64_t x = 88172645;
    for (uint64_t i = 0; i < rounds; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    benchmark::DoNotOptimize(x);
  }
}
BENCHMARK(BM_Native_Xorshift);

}  // namespace

BENCHMARK_MAIN();
