// The host's cores as its modelled threads see them: when a thread's CPU
// work (a software layer, a function run) ends, and when a thread that
// spins on a completion queue is on a core to see an entry land.
//
// Threads either sleep while their I/O is in flight (read, io_uring, XRP:
// woken by the interrupt) or spin on it (SPDK). Sleeping threads use the
// cores only for their work: a burst takes the core that frees first (as
// CorePool does), so with more threads than cores bursts queue. Spinning
// threads hold their core all the time: each is pinned to core
// `thread % cores`, and the threads sharing a core take turns in slices, as
// Linux's CFS shares a core between runnable tasks: the scheduling period is
// `latency_ns` split evenly between them, each slice at least
// `min_granularity_ns`. A spinning thread does its work and sees its
// completions only during its own slices — which is how SPDK's latency
// tail grows once threads outnumber cores.
#pragma once

#include <cstdint>

#include "device_model/core_pool.h"
#include "device_model/sim_time.h"

namespace sbpf::device_model {

// CFS's own numbers (kernel/sched/fair.c, before EEVDF): a period of 6 ms
// and a minimum slice of 0.75 ms, each scaled by 1 + log2(CPUs) for up to 8
// CPUs.
struct SchedulerConfig {
  Nanoseconds latency_ns = 0;
  Nanoseconds min_granularity_ns = 0;

  bool operator==(const SchedulerConfig&) const = default;
};

class HostCpu {
 public:
  enum class Waiting { sleeps, spins };

  // std::invalid_argument without cores or threads, or with spinning threads
  // sharing cores under a scheduler without a period.
  HostCpu(std::uint32_t cores, const SchedulerConfig& scheduler, std::uint32_t threads, Waiting waiting);

  Waiting waiting() const { return waiting_; }
  std::uint32_t threads() const { return threads_; }

  // When `thread` has done `work` of CPU time, starting no earlier than
  // `ready`.
  Nanoseconds run(std::uint32_t thread, Nanoseconds ready, Nanoseconds work);
  // When `thread` first runs at or after `time`: `time` itself for a
  // sleeping thread (its wake-up is the interrupt model's) and for a
  // spinning thread with a core of its own.
  Nanoseconds on_cpu(std::uint32_t thread, Nanoseconds time) const;

  // A spinning thread's slice, and how many threads share its core.
  Nanoseconds slice(std::uint32_t thread) const;
  std::uint32_t sharing(std::uint32_t thread) const;

 private:
  // A spinning thread's turns: [k · period + turn · slice, … + slice).
  struct Turns {
    Nanoseconds period;
    Nanoseconds offset;
    Nanoseconds slice;
  };
  Turns turns(std::uint32_t thread) const;

  std::uint32_t cores_;
  SchedulerConfig scheduler_;
  std::uint32_t threads_;
  Waiting waiting_;
  CorePool sleepers_;  // sleeping threads' bursts take its cores
};

}  // namespace sbpf::device_model
