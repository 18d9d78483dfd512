#include "device_model/event_queue.h"

#include <algorithm>
#include <stdexcept>

namespace sbpf::device_model {

std::uint64_t EventQueue::schedule_at(Nanoseconds time, Action action, std::string label) {
  if (time < now_) {
    throw std::logic_error("event '" + label + "' scheduled at " + std::to_string(time) + " ns, before now (" +
                           std::to_string(now_) + " ns)");
  }
  std::uint64_t sequence = next_sequence_++;
  pending_.push_back(Event{time, sequence, std::move(action), std::move(label)});
  std::push_heap(pending_.begin(), pending_.end(), Later{});
  return sequence;
}

bool EventQueue::step() {
  if (pending_.empty()) return false;
  // Taken off the heap before it runs: the action may schedule more events.
  std::pop_heap(pending_.begin(), pending_.end(), Later{});
  Event event = std::move(pending_.back());
  pending_.pop_back();
  now_ = event.time;
  if (tracing_) trace_.push_back(TraceEntry{event.time, event.sequence, event.label});
  event.action();
  return true;
}

void EventQueue::run() {
  while (step()) {
  }
}

void EventQueue::run_until(Nanoseconds time) {
  while (!pending_.empty() && pending_.front().time <= time) step();
  if (time > now_) now_ = time;
}

}  // namespace sbpf::device_model
