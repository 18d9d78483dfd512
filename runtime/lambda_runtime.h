// The host λ runtime: runs a λ function over an input range, chunk by chunk,
// the way the SDK (<sbpf/lambda.h>) promises programs.
//
// The range is cut into chunks of `chunk_bytes` at multiples of that size
// (the last shorter; an empty range is one empty chunk), the function runs
// once per chunk with a fresh output buffer, and the outputs are appended in
// order. The device runtime cuts the same way, so a result never depends on
// where it was computed. Engines plug in behind LambdaFunction: the
// interpreter, the JITs, or a native twin as the reference.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "isa/program.h"
#include "runtime/execution_result.h"
#include "runtime/heap_arena.h"
#include "runtime/helper_registry.h"
#include "runtime/invocation.h"
#include "runtime/lambda_context.h"
#include "runtime/loaded_program.h"

namespace sbpf::runtime {

inline constexpr uint64_t kLambdaChunkBytes = 2u << 20;        // λ-IO's device data buffer
inline constexpr uint64_t kLambdaOutputCapacity = 16u << 20;  // per invocation

// One engine's way of calling a λ function once.
class LambdaFunction {
 public:
  virtual ~LambdaFunction() = default;
  // Runs the function on `input`, writing into `output`; `context` is already
  // filled and points at both. `input` spans context.size_i rounded up to 8
  // bytes, the padding zeroed (the λ input region of verifier/program_type.h).
  virtual ExecutionResult invoke(LambdaContext& context, std::span<const uint8_t> input,
                                 std::span<uint8_t> output) = 0;
};

// One λ invocation as the SDK promises it: r1 = `context`, which is the
// read-only `ctx` region, `input` read-only, `output` writable, and `heap`
// (may be nullptr) for malloc.
Invocation lambda_invocation(LambdaContext& context, std::span<const uint8_t> input, std::span<uint8_t> output,
                             HeapArena* heap, uint64_t loop_budget);

// A loaded program (loaded_program.h) on its engine, with a heap arena
// reset per call. The program's helpers are the λ type's unless it was
// loaded with others.
class BytecodeLambda : public LambdaFunction {
 public:
  // `program` must have loaded with an engine (ok()) and outlive this.
  explicit BytecodeLambda(LoadedProgram& program);

  ExecutionResult invoke(LambdaContext& context, std::span<const uint8_t> input, std::span<uint8_t> output) override;

 private:
  LoadedProgram& program_;
  HeapArena heap_;
};

// A function compiled for the host (a native twin): called directly, with no
// checks. It is the reference for results and the speed limit, not a
// sandbox.
class NativeLambda : public LambdaFunction {
 public:
  using Entry = long (*)(LambdaContext*);
  explicit NativeLambda(Entry entry) : entry_(entry) {}

  ExecutionResult invoke(LambdaContext& context, std::span<const uint8_t> input, std::span<uint8_t> output) override;

 private:
  Entry entry_;
};

struct LambdaRunOptions {
  uint64_t chunk_bytes = kLambdaChunkBytes;
  uint64_t output_capacity = kLambdaOutputCapacity;
};

// Why a run stopped early: the chunk, and what its invocation did.
struct LambdaFailure {
  enum class Kind { kAbort, kErrorReturn, kOutputOverrun };
  Kind kind = Kind::kAbort;
  uint64_t chunk_offset = 0;
  uint64_t chunk_bytes = 0;
  std::optional<Abort> abort;  // kAbort
  int64_t returned = 0;        // kErrorReturn, kOutputOverrun: the return value

  std::string describe() const;  // one line, without the source location
};

struct LambdaRunResult {
  uint64_t chunks = 0;        // invocations made (the failing one included)
  uint64_t output_bytes = 0;  // bytes handed to the output sink
  std::optional<LambdaFailure> failure;

  bool ok() const { return !failure.has_value(); }
  // Paranoid mode's finding that the verifier was wrong, or nullptr.
  const Abort* verifier_bug() const {
    return failure && failure->abort && failure->abort->kind == AbortKind::kVerifierBug ? &*failure->abort : nullptr;
  }
};

// Fills `chunk` with the input bytes at `offset`; throws on I/O errors.
using ChunkReader = std::function<void(uint64_t offset, std::span<uint8_t> chunk)>;
// Receives each invocation's output, in order.
using OutputSink = std::function<void(std::span<const uint8_t> bytes)>;

LambdaRunResult run_lambda(LambdaFunction& function, uint64_t input_bytes, const ChunkReader& read,
                           const OutputSink& write, const LambdaRunOptions& options = {});

// The whole input in memory, the whole output returned: for tests and small runs.
LambdaRunResult run_lambda(LambdaFunction& function, std::span<const uint8_t> input, std::vector<uint8_t>& output,
                           const LambdaRunOptions& options = {});

}  // namespace sbpf::runtime
