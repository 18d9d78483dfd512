#include "tools/lambda_run_output.h"

#include <cerrno>
#include <cinttypes>
#include <cstring>

#include "runtime/execution_result.h"
#include "verifier/program_type.h"

namespace sbpf::tools {

namespace {

void print_hex_dump(const uint8_t* bytes, size_t size) {
  for (size_t row = 0; row < size; row += 16) {
    std::printf("%08zx ", row);
    for (size_t i = row; i < row + 16 && i < size; ++i) std::printf(" %02x", bytes[i]);
    std::printf("\n");
  }
}

}  // namespace

runtime::LambdaRunOptions lambda_run_options(const CommandLine& cl) {
  runtime::LambdaRunOptions options;
  options.chunk_bytes = cl.get_byte_size("--chunk-size").value_or(runtime::kLambdaChunkBytes);
  options.output_capacity = cl.get_byte_size("--output-size").value_or(runtime::kLambdaOutputCapacity);
  if (options.chunk_bytes == 0) throw UsageError("--chunk-size must be at least 1");
  if (options.chunk_bytes > verifier::kLambdaMaxInputBytes)
    throw UsageError("--chunk-size is at most 8M: the verifier's proofs assume λ chunks no larger");
  if (options.output_capacity > verifier::kLambdaMaxOutputBytes)
    throw UsageError("--output-size is at most 256M: the verifier's proofs assume λ outputs no larger");
  return options;
}

LambdaOutput::LambdaOutput(std::optional<std::string> path) : path_(std::move(path)), file_(nullptr, fclose) {
  if (!path_) return;
  file_.reset(std::fopen(path_->c_str(), "wb"));
  if (!file_) throw UsageError("cannot write " + *path_ + ": " + std::strerror(errno));
}

void LambdaOutput::write(std::span<const uint8_t> bytes) {
  if (!file_) {
    shown_.insert(shown_.end(), bytes.begin(), bytes.end());
  } else if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
    throw UsageError("cannot write " + *path_ + ": " + std::strerror(errno));
  }
}

void LambdaOutput::finish(uint64_t chunks, uint64_t input_bytes, uint64_t output_bytes) {
  if (!file_) {
    print_hex_dump(shown_.data(), shown_.size());
    return;
  }
  if (std::fflush(file_.get()) != 0) throw UsageError("cannot write " + *path_ + ": " + std::strerror(errno));
  std::printf("%" PRIu64 " chunk%s, %" PRIu64 " input bytes, %" PRIu64 " output bytes\n", chunks,
              chunks == 1 ? "" : "s", input_bytes, output_bytes);
}

void report_lambda_failure(const std::string& path, const runtime::LambdaFailure& failure,
                           const isa::Program* program) {
  if (failure.abort && program != nullptr) {
    std::fputs(runtime::format_abort(*program, *failure.abort, path).c_str(), stderr);
    std::fprintf(stderr, "note: in the chunk at input offset %" PRIu64 " (%" PRIu64 " bytes)\n", failure.chunk_offset,
                 failure.chunk_bytes);
  } else {
    std::fprintf(stderr, "%s: error: %s\n", path.c_str(), failure.describe().c_str());
  }
}

}  // namespace sbpf::tools
