// How the host learns that a command completed, and what it costs.
//
// With interrupts, the device's message reaches the CPU and the NVMe
// driver's handler runs `delivery_ns` after the completion is posted (XRP's
// functions run there); a thread blocked on the I/O then runs `wakeup_ns`
// later (the scheduler's context switch). With polling, a core that spins on
// the completion queue sees the entry `poll_ns` after it is posted — no
// interrupt, no wake-up, but that core does nothing else meanwhile.
#pragma once

#include "device_model/queue_pair.h"
#include "device_model/sim_time.h"

namespace sbpf::device_model {

class InterruptModel {
 public:
  struct Config {
    Nanoseconds delivery_ns = 0;
    Nanoseconds wakeup_ns = 0;
    Nanoseconds poll_ns = 0;

    bool operator==(const Config&) const = default;
  };

  explicit InterruptModel(const Config& config) : config_(config) {}

  // When the host's completion path (interrupt handler or polling loop)
  // sees a completion posted at `posted`.
  Nanoseconds completion_seen(Nanoseconds posted, CompletionMode mode) const {
    return posted + (mode == CompletionMode::interrupt ? config_.delivery_ns : config_.poll_ns);
  }
  // When the thread waiting for it runs again, from that moment: only an
  // interrupt-driven thread sleeps.
  Nanoseconds thread_resumes(Nanoseconds seen, CompletionMode mode) const {
    return seen + (mode == CompletionMode::interrupt ? config_.wakeup_ns : 0);
  }

  const Config& config() const { return config_; }

 private:
  Config config_;
};

}  // namespace sbpf::device_model
