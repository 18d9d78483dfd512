#include "xrp_abi/lookup_experiment.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "xrp_abi/bpfkv_database.h"
#include "xrp_abi/bpfkv_queries.h"

namespace sbpf::xrp {

namespace dm = device_model;

double LookupFigures::kops() const {
  if (elapsed_ns == 0) return 0;
  return static_cast<double>(requests) * 1e6 / static_cast<double>(elapsed_ns);
}

namespace {

// The nearest-rank percentile of sorted `values`: the smallest value with
// at least `per_mille`/1000 of them at or below it.
uint64_t percentile(const std::vector<uint64_t>& sorted, uint64_t per_mille) {
  const uint64_t rank = (sorted.size() * per_mille + 999) / 1000;
  return sorted[std::max<uint64_t>(rank, 1) - 1];
}

}  // namespace

LookupFigures run_lookup_experiment(const dm::DeviceProfile& profile, const LookupDatabase& database,
                                    XrpFunction& function, const LookupExperiment& experiment,
                                    const std::function<void(uint64_t done)>& progress) {
  if (experiment.threads == 0) throw std::invalid_argument("the experiment needs a thread");
  if (experiment.requests == 0) throw std::invalid_argument("the experiment needs a lookup");
  if (database.keys == 0) throw std::invalid_argument("the experiment needs a database with keys");

  dm::EventQueue clock;
  dm::NvmeDevice device(profile, clock, experiment.seed);
  const ModelFile file = attach_whole_file(device, 1, database.path);
  ModelHost host(device, file, {.path = experiment.path, .threads = experiment.threads});

  // The keys, drawn up front so that every path asks for the same ones.
  std::mt19937_64 random(experiment.seed);
  std::vector<uint64_t> keys(experiment.requests);
  for (uint64_t& key : keys) key = (random() % database.keys) * database.stride;

  struct ThreadState {
    std::vector<uint8_t> scratch = std::vector<uint8_t>(kScratchBytes);
    uint64_t key = 0;
  };
  std::vector<ThreadState> threads(experiment.threads);
  LookupFigures figures;
  std::vector<uint64_t> latencies;
  latencies.reserve(experiment.requests);
  uint64_t next = 0;

  auto submit = [&](uint32_t t) {
    ThreadState& thread = threads[t];
    thread.key = keys[next++];
    const uint64_t one[] = {thread.key};
    bpfkv_get_scratch(one, thread.scratch);
    XrpSubmission submission;
    submission.function = &function;
    submission.request.offset = 0;
    submission.request.scratch = thread.scratch;
    if (!host.thread(t).submit(submission)) throw std::logic_error("a closed-loop thread found its queue full");
  };
  host.on_complete([&](uint32_t t, XrpCompletion&& done) {
    latencies.push_back(done.latency_ns);
    figures.reads += done.outcome.reads;
    const ThreadState& thread = threads[t];
    std::string problem;
    if (!done.outcome.ok()) {
      problem = "the lookup of key " + std::to_string(thread.key) + " failed: " + done.outcome.failure->describe();
    } else if (bpfkv_get_answers(thread.scratch, 1)[0] != bpfkv_value_for_key(thread.key)) {
      problem = "the lookup of key " + std::to_string(thread.key) + " answered a wrong value";
    }
    if (!problem.empty() && figures.wrong_answers++ == 0) figures.first_problem = problem;
    if (progress) progress(latencies.size());
    if (next < keys.size()) submit(t);
  });
  for (uint32_t t = 0; t < experiment.threads && next < keys.size(); ++t) submit(t);
  clock.run();

  figures.requests = latencies.size();
  figures.elapsed_ns = clock.now();
  uint64_t total = 0;
  for (uint64_t latency : latencies) total += latency;
  figures.mean_ns = total / figures.requests;
  std::sort(latencies.begin(), latencies.end());
  figures.p50_ns = percentile(latencies, 500);
  figures.p99_ns = percentile(latencies, 990);
  figures.p999_ns = percentile(latencies, 999);
  return figures;
}

}  // namespace sbpf::xrp
