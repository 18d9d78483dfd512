// One NVMe I/O queue pair: a submission queue the host writes and the device
// reads, a completion queue the device writes and the host reads, each with
// its doorbell. One pair per modelled host thread, as Linux and SPDK give
// each CPU its own.
//
// Depth is NVMe's queue size: a ring of `depth` slots holds at most
// depth − 1 entries (a full ring would look empty). As Linux's driver does
// with its tags, the host keeps at most depth − 1 commands in flight — from
// submit() until their completion is reaped — so the completion queue can
// never overflow and submit() is where a full queue shows.
//
// A command written with submit() is invisible to the device until the
// host rings the submission doorbell; a completion stays in the queue until
// the host reaps it, which rings the completion doorbell.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "device_model/nvme_command.h"
#include "device_model/sim_time.h"

namespace sbpf::device_model {

enum class CompletionMode {
  interrupt,  // the device raises an interrupt; the host's handler runs after delivery
  polling,    // a host core spins on the completion queue (SPDK, io_uring's IOPOLL)
};

// NVMe allows queues of 2 to 65,536 entries (CAP.MQES is a 16-bit,
// zero-based count).
inline constexpr std::uint32_t kMinQueueDepth = 2;
inline constexpr std::uint32_t kMaxQueueDepth = 65536;

class QueuePair {
 public:
  // std::invalid_argument for a depth NVMe does not allow.
  QueuePair(std::uint16_t id, std::uint32_t depth, CompletionMode mode);

  std::uint16_t id() const { return id_; }
  std::uint32_t depth() const { return depth_; }
  CompletionMode mode() const { return mode_; }

  // --- host side ---
  // Writes the command at the submission tail. False, and nothing written,
  // when depth − 1 commands are already in flight.
  bool submit(const Command& command);
  // Makes every command written so far visible to the device.
  void ring_submission_doorbell();
  // Takes up to `max` completions off the completion queue, oldest first,
  // and rings the completion doorbell: their slots are free again.
  std::vector<Completion> reap(std::size_t max = SIZE_MAX);
  // Called when the host would notice a new completion: when its interrupt
  // handler runs, or when its polling loop sees the entry. Usually reaps.
  void on_completion(std::function<void(QueuePair&)> handler) { host_handler_ = std::move(handler); }

  std::uint32_t in_flight() const { return in_flight_; }
  std::size_t written_not_rung() const { return submission_.size() - visible_; }
  std::size_t completions_waiting() const { return completion_.size(); }
  std::uint64_t submission_doorbells() const { return submission_doorbells_; }
  std::uint64_t completion_doorbells() const { return completion_doorbells_; }

  // --- device side (NvmeDevice) ---
  struct Submitted {
    Command command;
    Nanoseconds rung_at;
  };
  // The oldest command the device may see, taken off the queue.
  std::optional<Submitted> fetch();
  void post(const Completion& completion) { completion_.push_back(completion); }
  void notify_host() {
    if (host_handler_) host_handler_(*this);
  }
  // The device learns of a doorbell through this (NvmeDevice sets it).
  void on_submission_doorbell(std::function<void(QueuePair&)> listener) { doorbell_listener_ = std::move(listener); }
  // The clock the doorbell's time comes from (NvmeDevice sets it).
  void set_clock(std::function<Nanoseconds()> clock) { clock_ = std::move(clock); }

 private:
  std::uint16_t id_;
  std::uint32_t depth_;
  CompletionMode mode_;
  std::deque<Submitted> submission_;  // the ring's occupied slots, oldest first
  std::size_t visible_ = 0;           // how many of them the last doorbell covered
  std::deque<Completion> completion_;
  std::uint32_t in_flight_ = 0;
  std::uint64_t submission_doorbells_ = 0;
  std::uint64_t completion_doorbells_ = 0;
  std::function<void(QueuePair&)> host_handler_;
  std::function<void(QueuePair&)> doorbell_listener_;
  std::function<Nanoseconds()> clock_;
};

}  // namespace sbpf::device_model
