#include "tests/csmith/native_checksum.h"

#include <span>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "runtime/lambda_runtime.h"
#include "tests/csmith/child_process.h"
#include "tests/csmith/csmith_corpus.h"

namespace sbpf::csmith {

namespace {

constexpr char kOutputLine[] = "output ";

}  // namespace

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
        write(kOutputLine + hex(output) + "\n");
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
    if (auto output = from_hex(child.output.substr(start, child.output.find('\n', start) - start))) {
      run.status = NativeRun::Status::kOk;
      run.output = std::move(*output);
      return run;
    }
  }
  run.detail = child.describe() + ": " + child.output;
  return run;
}

}  // namespace sbpf::csmith
