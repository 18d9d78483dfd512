#include "runtime/lambda_experiment.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace sbpf::runtime {

LambdaFigures run_lambda_experiment(const device_model::DeviceProfile& profile, std::span<const uint8_t> image,
                                    const std::string& input_path, const LambdaExperiment& experiment) {
  if (experiment.threads == 0 || experiment.requests == 0 || experiment.request_bytes == 0)
    throw std::invalid_argument("an experiment needs threads, requests and bytes per request");
  LambdaIoOptions options;
  options.seed = experiment.seed;
  options.scheduler = experiment.scheduler;
  options.run = experiment.run;
  options.modelled_cache = true;
  options.steady_cache = true;
  options.cached_share = experiment.cached_share;
  options.threads = experiment.threads;
  LambdaIo io(profile, options);
  const uint32_t file = io.open(input_path);
  const LambdaIo::Loaded loaded = io.load(image);
  if (!loaded.id) throw std::runtime_error("the λ function did not load: " + loaded.error);
  const uint64_t slots = std::max<uint64_t>(std::filesystem::file_size(input_path) / experiment.request_bytes, 1);

  std::vector<uint64_t> latencies;
  latencies.reserve(experiment.requests);
  LambdaFigures figures;
  uint64_t issued = 0;
  uint64_t on_device = 0;
  std::vector<std::vector<uint8_t>> outputs(experiment.threads);
  const uint64_t start = io.now_ns();
  // Each thread's loop: its next request as soon as its last one ends.
  std::function<void(uint32_t)> next = [&](uint32_t thread) {
    if (issued == experiment.requests) return;
    const uint64_t offset = (issued++ % slots) * experiment.request_bytes;
    io.submit_read(thread, file, offset, experiment.request_bytes, *loaded.id, outputs[thread], experiment.mode, 0,
                   [&, thread](LambdaRequest&& request) {
                     if (!request.run.ok())
                       throw std::runtime_error("a λ request failed: " + request.run.failure->describe());
                     latencies.push_back(request.latency_ns);
                     figures.link_bytes += request.link_bytes;
                     on_device += !request.profiled && request.side == LambdaSide::kDevice;
                     if (experiment.progress) experiment.progress(latencies.size());
                     next(thread);
                   });
  };
  for (uint32_t thread = 0; thread < experiment.threads; ++thread) next(thread);
  io.run();

  figures.requests = latencies.size();
  const double seconds = static_cast<double>(io.now_ns() - start) / 1e9;
  figures.requests_per_second = seconds > 0 ? static_cast<double>(figures.requests) / seconds : 0;
  double sum = 0;
  for (uint64_t latency : latencies) sum += static_cast<double>(latency);
  figures.mean_ns = sum / static_cast<double>(figures.requests);
  std::sort(latencies.begin(), latencies.end());
  // Nearest rank: the smallest latency at or above 99 % of the requests.
  const uint64_t rank = (99 * figures.requests + 99) / 100;
  figures.p99_ns = latencies[std::max<uint64_t>(rank, 1) - 1];
  figures.device_share = static_cast<double>(on_device) / static_cast<double>(figures.requests);
  return figures;
}

}  // namespace sbpf::runtime
