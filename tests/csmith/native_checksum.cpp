#include "tests/csmith/native_checksum.h"

#include <span>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "runtime/lambda_runtime.h"
#include "tests/csmith/child_process.h"

namespace sbpf::csmith {

namespace {

std::vector<uint8_t> unhex(const std::string& text) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < text.size(); i += 2) bytes.push_back(static_cast<uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
  return bytes;
}

constexpr char kOutputLine[] = "output ";

}  // namespace

std::string hex_bytes(std::span<const uint8_t> bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t b : bytes) {
    text += kDigits[b >> 4];
    text += kDigits[b & 15];
  }
  return text;
}

NativeRun run_native_twin(const std::string& twin_path, std::chrono::milliseconds limit) {
  const ChildResult child = run_in_child(
      [&](const ChildWriter& write) {
        frontend::NativeTwin twin(twin_path, "lambda/csmith");
        runtime::NativeLambda function(reinterpret_cast<runtime::NativeLambda::Entry>(twin.entry()));
        std::vector<uint8_t> output;
        runtime::LambdaRunOptions options;
        options.output_capacity = kOutputCapacity;
        const runtime::LambdaRunResult result = runtime::run_lambda(function, {}, output, options);
        if (!result.ok()) {
          write("failed: " + result.failure->describe() + "\n");
          return;
        }
        write(kOutputLine + hex_bytes(output) + "\n");
      },
      limit);
  NativeRun run;
  if (child.status == ChildResult::Status::kTimedOut) {
    run.status = NativeRun::Status::kTimedOut;
    return run;
  }
  const size_t at = child.output.find(kOutputLine);
  if (child.succeeded() && at != std::string::npos) {
    const size_t start = at + sizeof kOutputLine - 1;
    run.status = NativeRun::Status::kOk;
    run.output = unhex(child.output.substr(start, child.output.find('\n', start) - start));
    return run;
  }
  run.detail = child.describe() + ": " + child.output;
  return run;
}

}  // namespace sbpf::csmith
