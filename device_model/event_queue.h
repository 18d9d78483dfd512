// The model's one clock: a discrete-event queue.
//
// Events run in order of (time, sequence), where the sequence number is the
// order in which they were scheduled. Two events at the same nanosecond
// therefore always run in the order the model asked for them, never in an
// order that depends on a heap's layout or a pointer's value: that is what
// makes a run repeatable.
//
// Every component takes the queue by reference and asks it for `now()`;
// nothing in the model reads a wall clock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "device_model/sim_time.h"

namespace sbpf::device_model {

// One line of a run's trace: what ran, when, in which order.
struct TraceEntry {
  Nanoseconds time;
  std::uint64_t sequence;
  std::string label;

  bool operator==(const TraceEntry&) const = default;
};

class EventQueue {
 public:
  using Action = std::function<void()>;

  Nanoseconds now() const { return now_; }

  // Schedules `action` at `time` (not before now(): std::logic_error).
  // `label` names the event in the trace; it may be empty.
  std::uint64_t schedule_at(Nanoseconds time, Action action, std::string label = {});
  std::uint64_t schedule_after(Nanoseconds delay, Action action, std::string label = {}) {
    return schedule_at(now_ + delay, std::move(action), std::move(label));
  }

  bool empty() const { return pending_.empty(); }
  std::size_t pending() const { return pending_.size(); }

  // Runs the earliest event; false when there is none.
  bool step();
  // Runs events until none is left.
  void run();
  // Runs every event at or before `time`, then sets the clock to `time`.
  void run_until(Nanoseconds time);

  // With tracing on, each event's (time, sequence, label) is appended to
  // trace() as it runs: the determinism tests compare two runs' traces.
  void set_tracing(bool on) { tracing_ = on; }
  const std::vector<TraceEntry>& trace() const { return trace_; }

 private:
  struct Event {
    Nanoseconds time;
    std::uint64_t sequence;
    Action action;
    std::string label;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
    }
  };

  Nanoseconds now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::vector<Event> pending_;  // a heap under Later: the earliest event at the front
  bool tracing_ = false;
  std::vector<TraceEntry> trace_;
};

}  // namespace sbpf::device_model
