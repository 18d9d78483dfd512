// An Optane-like medium: every read (or write) takes the same time wherever
// it lands, with no erase, no garbage collection and no page structure —
// 3D XPoint is written in place. What limits it is how many commands the
// device starts per second (the P5800X tops out near 5 M IOPS for 512-byte
// reads, XRP's paper): commands start at least `min_command_interval_ns`
// apart, and past that rate they queue.
#pragma once

#include "device_model/medium.h"

namespace sbpf::device_model {

class FixedLatencyMedium : public Medium {
 public:
  struct Config {
    Nanoseconds read_latency_ns = 0;
    Nanoseconds write_latency_ns = 0;
    Nanoseconds flush_latency_ns = 0;
    Nanoseconds min_command_interval_ns = 0;

    bool operator==(const Config&) const = default;
  };

  explicit FixedLatencyMedium(const Config& config) : config_(config) {}

  Nanoseconds read(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) override;
  Nanoseconds write(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) override;
  Nanoseconds flush(Nanoseconds arrival) override;

 private:
  Nanoseconds start(Nanoseconds arrival);

  Config config_;
  Nanoseconds next_start_ = 0;
  Nanoseconds last_write_done_ = 0;
};

}  // namespace sbpf::device_model
