#include "runtime/lambda_scheduler.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>

namespace sbpf::runtime {

namespace {

// λ-IO's window figure: the sum, without the minimum and the maximum once
// there are three samples or more. A side with no samples of this kind
// (reads only, say) has no figure.
double trimmed_sum(std::vector<double> samples) {
  double sum = std::accumulate(samples.begin(), samples.end(), 0.0);
  if (samples.size() >= 3) {
    const auto [low, high] = std::minmax_element(samples.begin(), samples.end());
    sum -= *low + *high;
  }
  return sum;
}

unsigned uncached_percent(unsigned cached_percent) { return std::max(100u - std::min(cached_percent, 100u), 1u); }

}  // namespace

const char* side_name(LambdaSide side) { return side == LambdaSide::kHost ? "host" : "device"; }

LambdaScheduler::LambdaScheduler(SchedulerOptions options) : options_(options) {
  if (options.interval == 0 || options.interval > 1000)
    throw std::invalid_argument("the profiling interval must be 1 to 1000 requests");
  if (options.samples == 0 || options.samples > options.interval)
    throw std::invalid_argument("the profiled requests per window must be 1 to the interval (" +
                                std::to_string(options.interval) + ")");
}

LambdaScheduler::Stream& LambdaScheduler::stream(uint32_t id) {
  if (id >= streams_.size()) streams_.resize(id + 1);
  return streams_[id];
}

LambdaScheduler::Decision LambdaScheduler::decide(uint32_t stream_id, unsigned cached_percent, bool is_write) {
  Stream& s = stream(stream_id);
  Decision decision;
  decision.request = s.next_request++;
  const std::optional<Figures>* figures = nullptr;
  if (s.estimate) figures = is_write ? &s.estimate->write : &s.estimate->read;
  decision.profile = decision.request % options_.interval < options_.samples || figures == nullptr || !*figures;
  if (decision.profile) return decision;
  const Figures& f = **figures;
  decision.host_ns = f.calc_ns + (is_write ? f.pre_ns : f.pre_ns * uncached_percent(cached_percent) / 100.0);
  decision.device_ns = f.device_ns;
  decision.side = decision.host_ns <= decision.device_ns ? LambdaSide::kHost : LambdaSide::kDevice;
  return decision;
}

void LambdaScheduler::report(uint32_t stream_id, const HostMeasurement& host, uint64_t device_ns, bool is_write) {
  Stream& s = stream(stream_id);
  Samples& samples = is_write ? s.writes : s.reads;
  samples.calc.push_back(static_cast<double>(host.calc_ns));
  const double pre = static_cast<double>(host.pre_ns);
  samples.pre.push_back(is_write ? pre : pre * 100.0 / uncached_percent(host.cached_percent));
  samples.device.push_back(static_cast<double>(device_ns));
  if (s.reads.calc.size() + s.writes.calc.size() < options_.samples) return;
  // The window's samples are in: its figures replace the last window's. A
  // kind the window did not see keeps its old figures.
  Estimate e = s.estimate.value_or(Estimate{});
  for (auto [window, figures] : {std::pair{&s.reads, &e.read}, std::pair{&s.writes, &e.write}}) {
    if (window->calc.empty()) continue;
    *figures = Figures{trimmed_sum(window->calc), trimmed_sum(window->pre), trimmed_sum(window->device)};
    *window = Samples{};
  }
  s.estimate = e;
}

std::optional<LambdaScheduler::Estimate> LambdaScheduler::estimate(uint32_t stream_id) const {
  if (stream_id >= streams_.size()) return std::nullopt;
  return streams_[stream_id].estimate;
}

std::string LambdaScheduler::trace_line(uint32_t stream_id, unsigned cached_percent, const Decision& decision) {
  nlohmann::ordered_json line;
  line["stream"] = stream_id;
  line["request"] = decision.request;
  line["c"] = cached_percent;
  if (decision.profile) {
    line["side"] = "both";
  } else {
    line["host_ns"] = decision.host_ns;
    line["device_ns"] = decision.device_ns;
    line["side"] = side_name(decision.side);
  }
  return line.dump();
}

}  // namespace sbpf::runtime
