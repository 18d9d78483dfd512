#include "runtime/lambda_runtime.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

#include "verifier/program_type.h"

namespace sbpf::runtime {

BytecodeLambda::BytecodeLambda(LoadedProgram& program) : program_(program) {
  if (!program.ok()) throw std::invalid_argument("a λ function runs a program that loaded");
  program.engine();  // one was built
}

Invocation lambda_invocation(LambdaContext& context, std::span<const uint8_t> input, std::span<uint8_t> output,
                             HeapArena* heap, uint64_t loop_budget) {
  Invocation invocation;
  invocation.heap = heap;
  invocation.loop_budget = loop_budget;
  invocation.regions.add({RegionKind::kCtx, reinterpret_cast<uint8_t*>(&context), sizeof context, false});
  invocation.regions.add({RegionKind::kInput, const_cast<uint8_t*>(input.data()), input.size(), false});
  invocation.regions.add({RegionKind::kOutput, output.data(), output.size(), true});
  invocation.args[0] = reinterpret_cast<uintptr_t>(&context);
  return invocation;
}

ExecutionResult BytecodeLambda::invoke(LambdaContext& context, std::span<const uint8_t> input,
                                       std::span<uint8_t> output) {
  heap_.reset();
  Invocation invocation = lambda_invocation(context, input, output, &heap_, program_.loop_budget());
  return program_.run(invocation);
}

ExecutionResult NativeLambda::invoke(LambdaContext& context, std::span<const uint8_t>, std::span<uint8_t>) {
  return ExecutionResult{static_cast<uint64_t>(entry_(&context)), std::nullopt};
}

std::string LambdaFailure::describe() const {
  std::string where = " (chunk at input offset " + std::to_string(chunk_offset) + ", " +
                      std::to_string(chunk_bytes) + " bytes)";
  switch (kind) {
    case Kind::kAbort:
      return std::string(abort_kind_name(abort->kind)) + ": " + abort->message + where;
    case Kind::kErrorReturn:
      return "the λ function returned error " + std::to_string(returned) + where;
    case Kind::kOutputOverrun:
      return "the λ function reports " + std::to_string(returned) +
             " output bytes, more than the output buffer's capacity" + where;
  }
  return "";
}

namespace {

// The output buffer: anonymous memory that reads as zeroes before each
// invocation. Clearing gives the pages back to the kernel instead of writing
// them, so it costs what the last invocation touched, not the capacity (a
// 16 MiB memset per 2 MiB chunk would cost more than most λ functions).
class ZeroedBuffer {
 public:
  explicit ZeroedBuffer(uint64_t size) : size_(size) {
    if (size_ == 0) return;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<uint8_t*>(p);
  }
  ~ZeroedBuffer() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  ZeroedBuffer(const ZeroedBuffer&) = delete;
  ZeroedBuffer& operator=(const ZeroedBuffer&) = delete;

  std::span<uint8_t> span() { return {data_, size_}; }
  void clear() {
    if (data_ != nullptr && madvise(data_, size_, MADV_DONTNEED) != 0) std::memset(data_, 0, size_);
  }

 private:
  uint8_t* data_ = nullptr;
  uint64_t size_;
};

}  // namespace

LambdaRunResult run_lambda(LambdaFunction& function, uint64_t input_bytes, const ChunkReader& read,
                           const OutputSink& write, const LambdaRunOptions& options) {
  // The verifier's λ program type promises these bounds to its proofs.
  if (options.chunk_bytes > verifier::kLambdaMaxInputBytes || options.output_capacity > verifier::kLambdaMaxOutputBytes)
    throw std::invalid_argument("λ chunks are at most " + std::to_string(verifier::kLambdaMaxInputBytes >> 20) +
                                " MiB and outputs at most " + std::to_string(verifier::kLambdaMaxOutputBytes >> 20) +
                                " MiB per invocation");
  LambdaRunResult result;
  const uint64_t chunk_bytes = std::max<uint64_t>(options.chunk_bytes, 1);
  // The input region spans each chunk rounded up to 8 bytes, the padding
  // zeroed: the verifier relies on it to prove 8-byte loads while i < size_i.
  auto padded = [](uint64_t n) { return (n + 7) & ~uint64_t{7}; };
  std::vector<uint8_t> input(padded(std::min(chunk_bytes, input_bytes)));
  ZeroedBuffer output_buffer(options.output_capacity);
  std::span<uint8_t> output = output_buffer.span();
  uint64_t offset = 0;
  do {
    const uint64_t size = std::min(chunk_bytes, input_bytes - offset);
    std::span<uint8_t> chunk(input.data(), size);
    read(offset, chunk);
    std::fill(input.begin() + static_cast<ptrdiff_t>(size), input.begin() + static_cast<ptrdiff_t>(padded(size)), 0);
    // A zeroed output buffer per invocation: what one chunk left behind
    // never shows through in the next one's output.
    if (result.chunks != 0) output_buffer.clear();
    LambdaContext context{reinterpret_cast<uintptr_t>(output.data()), reinterpret_cast<uintptr_t>(chunk.data()),
                          size, output.size()};
    ExecutionResult run = function.invoke(context, std::span<const uint8_t>(input.data(), padded(size)), output);
    ++result.chunks;
    const auto produced = static_cast<int64_t>(run.r0);
    const bool overrun = produced >= 0 && static_cast<uint64_t>(produced) > output.size();
    if (run.abort || produced < 0 || overrun) {
      const auto kind = run.abort   ? LambdaFailure::Kind::kAbort
                        : overrun   ? LambdaFailure::Kind::kOutputOverrun
                                    : LambdaFailure::Kind::kErrorReturn;
      result.failure = LambdaFailure{kind, offset, size, std::move(run.abort), produced};
      return result;
    }
    write(std::span<const uint8_t>(output.data(), static_cast<size_t>(produced)));
    result.output_bytes += static_cast<uint64_t>(produced);
    offset += size;
  } while (offset < input_bytes);
  return result;
}

LambdaRunResult run_lambda(LambdaFunction& function, std::span<const uint8_t> input, std::vector<uint8_t>& output,
                           const LambdaRunOptions& options) {
  output.clear();
  return run_lambda(
      function, input.size(),
      [&](uint64_t offset, std::span<uint8_t> chunk) {
        if (!chunk.empty()) std::memcpy(chunk.data(), input.data() + offset, chunk.size());
      },
      [&](std::span<const uint8_t> bytes) { output.insert(output.end(), bytes.begin(), bytes.end()); }, options);
}

}  // namespace sbpf::runtime
