#include "device_model/host_cpu.h"

#include <algorithm>
#include <stdexcept>

namespace sbpf::device_model {

HostCpu::HostCpu(std::uint32_t cores, const SchedulerConfig& scheduler, std::uint32_t threads, Waiting waiting)
    : cores_(cores), scheduler_(scheduler), threads_(threads), waiting_(waiting), sleepers_(CorePool::Config{cores, 0, 0}) {
  if (cores == 0) throw std::invalid_argument("the host has no cores");
  if (threads == 0) throw std::invalid_argument("no host threads to run");
  if (waiting == Waiting::spins && threads > cores && scheduler.latency_ns == 0 && scheduler.min_granularity_ns == 0)
    throw std::invalid_argument("spinning threads share cores, but the scheduler gives them no slices");
}

std::uint32_t HostCpu::sharing(std::uint32_t thread) const {
  // Threads are dealt to cores in turn: core c has every thread t with t % cores == c.
  const std::uint32_t core = thread % cores_;
  return threads_ / cores_ + (core < threads_ % cores_ ? 1 : 0);
}

Nanoseconds HostCpu::slice(std::uint32_t thread) const {
  const std::uint32_t n = sharing(thread);
  return std::max<Nanoseconds>(scheduler_.latency_ns / n, scheduler_.min_granularity_ns);
}

HostCpu::Turns HostCpu::turns(std::uint32_t thread) const {
  const Nanoseconds length = slice(thread);
  return Turns{length * sharing(thread), length * (thread / cores_), length};
}

Nanoseconds HostCpu::on_cpu(std::uint32_t thread, Nanoseconds time) const {
  if (thread >= threads_) throw std::out_of_range("no host thread " + std::to_string(thread));
  if (waiting_ == Waiting::sleeps || sharing(thread) == 1) return time;
  const Turns t = turns(thread);
  // Where `time` falls in the period, measured from this thread's turn.
  const Nanoseconds since_turn = (time + t.period - t.offset) % t.period;
  if (since_turn < t.slice) return time;
  return time + (t.period - since_turn);
}

Nanoseconds HostCpu::run(std::uint32_t thread, Nanoseconds ready, Nanoseconds work) {
  if (thread >= threads_) throw std::out_of_range("no host thread " + std::to_string(thread));
  if (waiting_ == Waiting::sleeps) return sleepers_.reserve(ready, work).end;
  if (sharing(thread) == 1) return ready + work;
  // Work advances only in this thread's turns.
  const Turns t = turns(thread);
  Nanoseconds now = on_cpu(thread, ready);
  while (true) {
    const Nanoseconds since_turn = (now + t.period - t.offset) % t.period;
    const Nanoseconds left_in_turn = t.slice - since_turn;
    if (work <= left_in_turn) return now + work;
    work -= left_in_turn;
    now = on_cpu(thread, now + left_in_turn);
  }
}

}  // namespace sbpf::device_model
