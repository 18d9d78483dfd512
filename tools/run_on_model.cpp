#include "tools/run_on_model.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <vector>

#include "isa/program_image.h"
#include "runtime/execution_result.h"
#include "runtime/remote_execution_port.h"
#include "tools/commands.h"
#include "tools/device_profile_option.h"
#include "tools/lambda_run_output.h"

namespace sbpf::tools {

const char* const kRunOnModelHelp =
    "  --on SIDE           run through the λ API on the device model: host (the host\n"
    "                      λ runtime over the page cache), device (λ-read commands\n"
    "                      to the computational storage device) or auto (λ-IO's\n"
    "                      scheduler picks per request). The output is the same\n"
    "                      bytes whichever side runs; time is the model's.\n"
    "  --profile P         the device (default daisy-csd; see `sbpf device profiles`)\n"
    "  --request-size N    bytes per read request, a multiple of --chunk-size\n"
    "                      (default: the chunk size, λ-IO's 2 MiB)\n"
    "  --interval N        auto: requests per profiling window (default 200)\n"
    "  --samples K         auto: requests profiled on both sides per window (default 5)\n"
    "  --cache-ratio C     the host's page cache holds this share (0 to 1) of the\n"
    "                      input's pages, drawn from --seed, instead of what the\n"
    "                      kernel holds (mincore)\n"
    "  --trace FILE        auto: each decision as a JSON line\n"
    "  --seed N            the model's random draws (default 1)\n"
    "  --host-time model|clock\n"
    "                      the host side's times from the model (the default), or\n"
    "                      measured on this machine (its reads of the file and the\n"
    "                      function on this host's JIT) against the modelled device\n"
    "  --device model|qemu where the device's programs run: in this process (model,\n"
    "                      the default), or in the device build's own process\n"
    "                      under qemu-aarch64 with the arm64 JIT (`sbpf device\n"
    "                      serve`, started by --device-command); the model keeps\n"
    "                      the time either way, so the figures are the same\n"
    "  --device-command C  how to start the device's sbpf (words split at spaces;\n"
    "                      default $SBPF_DEVICE_COMMAND, else this tree's\n"
    "                      cmake/qemu-aarch64.sh build-aarch64/tools/sbpf)\n";

namespace {

double parse_ratio(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !(value >= 0 && value <= 1))
    throw UsageError("--cache-ratio must be a number from 0 to 1, not '" + text + "'");
  return value;
}

runtime::LambdaIoOptions model_options(const CommandLine& cl, const runtime::LambdaRunOptions& run) {
  runtime::LambdaIoOptions options;
  options.run = run;
  options.seed = cl.get_number("--seed").value_or(1);
  if (auto interval = cl.get_number("--interval")) options.scheduler.interval = static_cast<uint32_t>(*interval);
  if (auto samples = cl.get_number("--samples")) options.scheduler.samples = static_cast<uint32_t>(*samples);
  const std::string host_time = cl.get_choice("--host-time", {"model", "clock"}, "model");
  options.host_on_the_clock = host_time == "clock";
  if (options.host_on_the_clock && cl.has("--cache-ratio"))
    throw UsageError("--host-time clock reads the file through the kernel's page cache: no --cache-ratio");
  if (auto ratio = cl.get("--cache-ratio")) {
    options.modelled_cache = true;
    options.cached_share = parse_ratio(*ratio);
  }
  return options;
}

// The words that start the device's own process.
std::vector<std::string> device_command(const CommandLine& cl) {
  std::string text;
  if (auto given = cl.get("--device-command")) {
    text = *given;
  } else if (const char* environment = std::getenv("SBPF_DEVICE_COMMAND")) {
    text = environment;
  } else {
    text = std::string(SBPF_SOURCE_DIR) + "/cmake/qemu-aarch64.sh " + SBPF_SOURCE_DIR + "/build-aarch64/tools/sbpf";
  }
  std::vector<std::string> words;
  std::istringstream split(text);
  for (std::string word; split >> word;) words.push_back(word);
  if (words.empty()) throw UsageError("--device-command is empty");
  return words;
}

}  // namespace

int run_on_model(const CommandLine& cl, const std::string& path, const isa::Program& program, uint64_t loop_budget,
                 runtime::LambdaMode mode) {
  if (cl.has("--engine"))
    throw UsageError("--engine applies to runs without --on: on the model both sides meter the interpreter");
  const std::string input_path = *cl.get("--input");  // run_command checked
  const runtime::LambdaRunOptions run = lambda_run_options(cl);
  const uint64_t request_bytes = cl.get_byte_size("--request-size").value_or(run.chunk_bytes);
  if (request_bytes == 0 || request_bytes % run.chunk_bytes != 0)
    throw UsageError("--request-size must be a positive multiple of --chunk-size (" + std::to_string(run.chunk_bytes) +
                     "), so that requests cut the input where one run would");
  const device_model::DeviceProfile profile = profile_or_usage_error(cl.get_or("--profile", "daisy-csd"));
  runtime::LambdaIoOptions options = model_options(cl, run);
  std::unique_ptr<std::ofstream> trace;
  if (auto trace_path = cl.get("--trace")) {
    trace = std::make_unique<std::ofstream>(*trace_path);
    if (!*trace) throw UsageError("cannot write " + *trace_path + ": " + std::strerror(errno));
    options.trace = [&trace](const std::string& line) { *trace << line << '\n'; };
  }
  const std::string device = cl.get_or("--device", "model");
  if (device != "model" && device != "qemu") throw UsageError("--device takes model or qemu, not '" + device + "'");
  if (device == "model" && cl.has("--device-command")) throw UsageError("--device-command applies to --device qemu");
  std::unique_ptr<runtime::RemoteExecutionPort> remote;
  if (device == "qemu") {
    try {
      remote = std::make_unique<runtime::RemoteExecutionPort>(device_command(cl));
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    options.device_port = remote.get();
  }
  std::unique_ptr<runtime::LambdaIo> io;
  try {
    io = std::make_unique<runtime::LambdaIo>(profile, options);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  uint32_t file = 0;
  try {
    file = io->open(input_path);
  } catch (const std::system_error& e) {
    throw UsageError(std::string("cannot open ") + e.what());
  }
  const runtime::LambdaIo::Loaded loaded = io->load(isa::write_image({program, "lambda", loop_budget}));
  if (!loaded.id) {
    std::fprintf(stderr, "%s: error: %s\n", path.c_str(), loaded.error.c_str());
    return kExitRejected;
  }

  LambdaOutput sink(cl.get("--out"));
  const uint64_t input_bytes = std::filesystem::file_size(input_path);
  uint64_t requests = 0, on_host = 0, on_device = 0, profiled = 0, chunks = 0, output_bytes = 0, link_bytes = 0;
  const uint64_t start_ns = io->now_ns();
  std::vector<uint8_t> out;
  uint64_t offset = 0;
  do {
    const runtime::LambdaRequest request = io->read(file, offset, request_bytes, *loaded.id, out, mode);
    ++requests;
    chunks += request.run.chunks;
    link_bytes += request.link_bytes;
    (request.profiled ? profiled : request.side == runtime::LambdaSide::kHost ? on_host : on_device) += 1;
    if (!request.run.ok()) {
      runtime::LambdaFailure failure = *request.run.failure;
      failure.chunk_offset += offset;
      report_lambda_failure(path, failure, &program);
      return kExitRejected;
    }
    sink.write(out);
    output_bytes += request.run.output_bytes;
    offset += request_bytes;
  } while (offset < input_bytes);
  sink.finish(chunks, input_bytes, output_bytes);
  std::printf("on the model (%s), %s: %" PRIu64 " request%s — %" PRIu64 " on the host, %" PRIu64
              " on the device, %" PRIu64 " on both (profiled); %.1f us, %" PRIu64 " bytes over the link\n",
              profile.name.c_str(), runtime::mode_name(mode), requests, requests == 1 ? "" : "s", on_host, on_device,
              profiled, static_cast<double>(io->now_ns() - start_ns) / 1000.0, link_bytes);
  return kExitOk;
}

}  // namespace sbpf::tools
