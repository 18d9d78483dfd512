// A set of identical cores that run programs: the device's (λ-IO's four
// Cortex-A53 workers) and, later, the host's completion path.
//
// A program's time comes from what it executed, not from a clock: the
// instructions it retired and the bytes its helpers moved (memcpy, memset,
// memcmp, mem_read, mem_write), each at a fixed cost. The same program on
// the same input therefore always costs the same, on any machine.
//
// A run takes the lowest-numbered core idle when it is ready, else the core
// that frees first, and holds it until it ends: with every core busy, runs
// queue.
#pragma once

#include <cstdint>
#include <vector>

#include "device_model/sim_time.h"

namespace sbpf::device_model {

class CorePool {
 public:
  struct Config {
    std::uint32_t count = 0;
    Picoseconds ps_per_instruction = 0;
    Picoseconds ps_per_helper_byte = 0;

    bool operator==(const Config&) const = default;
  };

  struct Reservation {
    std::uint32_t core;
    Nanoseconds start;
    Nanoseconds end;
  };

  explicit CorePool(const Config& config) : config_(config), free_at_(config.count, 0) {}

  std::uint32_t count() const { return config_.count; }
  // What executing this much costs on one core, rounded up to a nanosecond.
  Nanoseconds cost(std::uint64_t instructions, std::uint64_t helper_bytes) const;
  // Runs that much work as soon as a core is free at or after `ready`.
  // std::logic_error on a pool without cores.
  Reservation run(Nanoseconds ready, std::uint64_t instructions, std::uint64_t helper_bytes) {
    return reserve(ready, cost(instructions, helper_bytes));
  }
  // Holds a core for `duration` as soon as one is free at or after `ready`.
  Reservation reserve(Nanoseconds ready, Nanoseconds duration);

 private:
  Config config_;
  std::vector<Nanoseconds> free_at_;
};

}  // namespace sbpf::device_model
