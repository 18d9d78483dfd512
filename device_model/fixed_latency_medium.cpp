#include "device_model/fixed_latency_medium.h"

#include <algorithm>

namespace sbpf::device_model {

Nanoseconds FixedLatencyMedium::start(Nanoseconds arrival) {
  Nanoseconds begin = std::max(arrival, next_start_);
  next_start_ = begin + config_.min_command_interval_ns;
  return begin;
}

Nanoseconds FixedLatencyMedium::read(Nanoseconds arrival, std::uint64_t, std::uint64_t) {
  return start(arrival) + config_.read_latency_ns;
}

Nanoseconds FixedLatencyMedium::write(Nanoseconds arrival, std::uint64_t, std::uint64_t) {
  Nanoseconds done = start(arrival) + config_.write_latency_ns;
  last_write_done_ = std::max(last_write_done_, done);
  return done;
}

Nanoseconds FixedLatencyMedium::flush(Nanoseconds arrival) {
  return std::max(arrival, last_write_done_) + config_.flush_latency_ns;
}

}  // namespace sbpf::device_model
