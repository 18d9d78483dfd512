// What `sbpf run` does around a λ run, with or without --on: its chunking
// options, where the output goes, and how a failure is reported.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "isa/program.h"
#include "runtime/lambda_runtime.h"
#include "tools/command_line.h"

namespace sbpf::tools {

// --chunk-size and --output-size, checked against what the verifier assumes.
runtime::LambdaRunOptions lambda_run_options(const CommandLine& cl);

// The output: to --out, or kept for a hex dump on stdout.
class LambdaOutput {
 public:
  explicit LambdaOutput(std::optional<std::string> path);
  void write(std::span<const uint8_t> bytes);
  // Flushes the file and prints the summary line, or prints the hex dump.
  void finish(uint64_t chunks, uint64_t input_bytes, uint64_t output_bytes);

 private:
  std::optional<std::string> path_;
  std::unique_ptr<FILE, int (*)(FILE*)> file_;
  std::vector<uint8_t> shown_;
};

// A failed λ run on stderr: the abort as a diagnostic at its source line when
// `program` is known, else one line.
void report_lambda_failure(const std::string& path, const runtime::LambdaFailure& failure, const isa::Program* program);

}  // namespace sbpf::tools
