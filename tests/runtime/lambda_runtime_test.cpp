// The host λ runtime's contract with programs: how input is cut into chunks,
// what each invocation sees, and how a failing chunk ends the run.
#include "runtime/lambda_runtime.h"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "isa/assembler.h"
#include "tests/runtime/lambda_test_programs.h"

namespace sbpf::runtime {
namespace {

using testing::kCopy;

// Writes {size_i, size_o_cap, first output byte before writing} as three u64.
constexpr const char* kDescribe =
    "ldxdw %r2, [%r1+0]\n"
    "ldxdw %r3, [%r1+16]\n"
    "ldxdw %r4, [%r1+24]\n"
    "ldxb %r5, [%r2+0]\n"
    "stxdw [%r2+0], %r3\n"
    "stxdw [%r2+8], %r4\n"
    "stxdw [%r2+16], %r5\n"
    "mov %r0, 24\n"
    "exit\n";

// Unverified: these programs test the runtime's chunking, not the verifier.
struct Fixture {
  LoadedProgram program;
  BytecodeLambda function;
  explicit Fixture(const char* text)
      : program(load(isa::assemble(text, "test.s"), verifier::lambda_program_type(), {.verify = false})),
        function(program) {}
};

std::vector<uint8_t> bytes(size_t n) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), uint8_t{1});
  return v;
}

std::vector<uint64_t> words(const std::vector<uint8_t>& b) {
  std::vector<uint64_t> w(b.size() / 8);
  std::memcpy(w.data(), b.data(), w.size() * 8);
  return w;
}

TEST(LambdaRuntime, AnEmptyInputIsOneEmptyChunk) {
  Fixture f(kDescribe);
  std::vector<uint8_t> out;
  LambdaRunResult r = run_lambda(f.function, std::span<const uint8_t>(), out, {.chunk_bytes = 16, .output_capacity = 32});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.chunks, 1u);
  EXPECT_EQ(words(out), (std::vector<uint64_t>{0, 32, 0}));
}

TEST(LambdaRuntime, ChunksAreWholeMultiplesWithAShortLastOne) {
  Fixture f(kDescribe);
  std::vector<uint8_t> input = bytes(40), out;
  LambdaRunResult r = run_lambda(f.function, input, out, {.chunk_bytes = 16, .output_capacity = 32});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.chunks, 3u);
  EXPECT_EQ(r.output_bytes, 72u);
  // Sizes 16, 16, 8; every invocation finds its output buffer zeroed, even
  // though the previous one wrote to the same buffer.
  EXPECT_EQ(words(out), (std::vector<uint64_t>{16, 32, 0, 16, 32, 0, 8, 32, 0}));
}

TEST(LambdaRuntime, OutputsAreConcatenatedInOrder) {
  Fixture f(kCopy);
  std::vector<uint8_t> input = bytes(1000), out;
  LambdaRunResult r = run_lambda(f.function, input, out, {.chunk_bytes = 64, .output_capacity = 64});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.chunks, 16u);
  EXPECT_EQ(out, input);
}

TEST(LambdaRuntime, AnAbortNamesTheChunk) {
  Fixture f(kCopy);  // copies 16 bytes into an 8-byte output buffer
  std::vector<uint8_t> input = bytes(40), out;
  LambdaRunResult r = run_lambda(f.function, input, out, {.chunk_bytes = 16, .output_capacity = 8});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.chunks, 1u);
  ASSERT_TRUE(r.failure->abort.has_value());
  EXPECT_EQ(r.failure->abort->kind, AbortKind::kBounds);
  EXPECT_EQ(r.failure->chunk_offset, 0u);
  EXPECT_NE(r.failure->describe().find("(chunk at input offset 0, 16 bytes)"), std::string::npos);
  EXPECT_TRUE(out.empty());
}

TEST(LambdaRuntime, ANegativeReturnIsAnError) {
  Fixture f("mov %r0, -28\nexit\n");
  std::vector<uint8_t> input = bytes(10), out;
  LambdaRunResult r = run_lambda(f.function, input, out, {.chunk_bytes = 4, .output_capacity = 8});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->kind, LambdaFailure::Kind::kErrorReturn);
  EXPECT_EQ(r.failure->returned, -28);
  EXPECT_EQ(r.failure->describe(), "the λ function returned error -28 (chunk at input offset 0, 4 bytes)");
}

TEST(LambdaRuntime, ClaimingMoreOutputThanTheBufferHoldsIsAnError) {
  Fixture f("mov %r0, 9\nexit\n");
  std::vector<uint8_t> input = bytes(10), out;
  LambdaRunResult r = run_lambda(f.function, input, out, {.chunk_bytes = 4, .output_capacity = 8});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->kind, LambdaFailure::Kind::kOutputOverrun);
  EXPECT_EQ(r.failure->returned, 9);
}

TEST(LambdaRuntime, TheFailingChunkIsTheOneReported) {
  // Fails (returns -1) on the chunk whose first byte is 33, the third one.
  Fixture f(
      "ldxdw %r3, [%r1+8]\n"
      "ldxb %r4, [%r3+0]\n"
      "mov %r0, 0\n"
      "jne %r4, 33, exit\n"
      "mov %r0, -1\n"
      "exit\n");
  std::vector<uint8_t> input = bytes(64), out;
  LambdaRunResult r = run_lambda(f.function, input, out, {.chunk_bytes = 16, .output_capacity = 8});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.chunks, 3u);
  EXPECT_EQ(r.failure->chunk_offset, 32u);
}

long native_length(LambdaContext* context) { return static_cast<long>(context->size_i); }

TEST(LambdaRuntime, NativeFunctionsRunUnderTheSameContract) {
  NativeLambda function(native_length);
  std::vector<uint8_t> input = bytes(5), out;
  LambdaRunResult r = run_lambda(function, input, out, {.chunk_bytes = 2, .output_capacity = 8});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.chunks, 3u);
  EXPECT_EQ(r.output_bytes, 5u);  // 2 + 2 + 1 (zeroed) bytes
  EXPECT_EQ(out, std::vector<uint8_t>(5, 0));
}

}  // namespace
}  // namespace sbpf::runtime
