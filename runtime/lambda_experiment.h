// λ-IO's experiment on the device model: N read requests of S bytes each,
// from T closed-loop threads (each issues its next request when its last
// one ends), through one mode, and what they cost — requests per second,
// mean and 99th-percentile latency, bytes over the link, the share the
// device ran. Everything is model time, so the same inputs and seed give
// the same figures.
//
// The input is a file of whole requests; request i reads the
// (i mod requests-in-the-file)-th of them. The host's cache holds a steady
// share `c` of the file's pages (modelled_page_cache), so every request
// sees about the same c whichever requests came before.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "device_model/device_profile.h"
#include "runtime/lambda_io.h"

namespace sbpf::runtime {

struct LambdaExperiment {
  LambdaMode mode = LambdaMode::kAuto;
  uint64_t requests = 200;
  uint64_t request_bytes = kLambdaChunkBytes;
  uint32_t threads = 1;
  double cached_share = 0;
  uint64_t seed = 1;
  SchedulerOptions scheduler;
  // 2 MiB chunks, λ-IO's; outputs up to the λ runtime's capacity (bitmap's
  // decoding outgrows λ-IO's 8 MiB λ-write buffer).
  LambdaRunOptions run;
  // Called as requests end, with how many have.
  std::function<void(uint64_t done)> progress;
};

struct LambdaFigures {
  uint64_t requests = 0;
  double requests_per_second = 0;
  double mean_ns = 0;
  uint64_t p99_ns = 0;
  uint64_t link_bytes = 0;
  double device_share = 0;  // requests whose result the device computed (profiled ones count for the host)
};

// std::runtime_error when the program does not load or a request fails
// (a sample's function never should).
LambdaFigures run_lambda_experiment(const device_model::DeviceProfile& profile, std::span<const uint8_t> image,
                                    const std::string& input_path, const LambdaExperiment& experiment);

}  // namespace sbpf::runtime
