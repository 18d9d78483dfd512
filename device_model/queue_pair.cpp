#include "device_model/queue_pair.h"

#include <stdexcept>
#include <string>

namespace sbpf::device_model {

QueuePair::QueuePair(std::uint16_t id, std::uint32_t depth, CompletionMode mode) : id_(id), depth_(depth), mode_(mode) {
  if (depth < kMinQueueDepth || depth > kMaxQueueDepth) {
    throw std::invalid_argument("queue depth " + std::to_string(depth) + " is outside NVMe's " +
                                std::to_string(kMinQueueDepth) + "–" + std::to_string(kMaxQueueDepth));
  }
}

bool QueuePair::submit(const Command& command) {
  if (in_flight_ + 1 >= depth_) return false;
  submission_.push_back(Submitted{command, 0});
  ++in_flight_;
  return true;
}

void QueuePair::ring_submission_doorbell() {
  ++submission_doorbells_;
  const Nanoseconds now = clock_ ? clock_() : 0;
  for (std::size_t i = visible_; i < submission_.size(); ++i) submission_[i].rung_at = now;
  visible_ = submission_.size();
  if (doorbell_listener_) doorbell_listener_(*this);
}

std::optional<QueuePair::Submitted> QueuePair::fetch() {
  if (visible_ == 0) return std::nullopt;
  Submitted next = submission_.front();
  submission_.pop_front();
  --visible_;
  return next;
}

std::vector<Completion> QueuePair::reap(std::size_t max) {
  std::vector<Completion> taken;
  while (!completion_.empty() && taken.size() < max) {
    taken.push_back(completion_.front());
    completion_.pop_front();
  }
  if (!taken.empty()) {
    ++completion_doorbells_;
    in_flight_ -= static_cast<std::uint32_t>(taken.size());
  }
  return taken;
}

}  // namespace sbpf::device_model
