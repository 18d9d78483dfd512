#include "xrp_abi/uring_xrp_queue.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <system_error>

namespace sbpf::xrp {
namespace {

uint64_t monotonic_ns() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(now.tv_nsec);
}

// An SQE's user_data: the slot, and the read's index in its batch.
constexpr unsigned kIndexBits = 8;
static_assert(kMaxFanout <= (1u << kIndexBits));
uint64_t read_tag(uint32_t slot, uint32_t index) { return (static_cast<uint64_t>(slot) << kIndexBits) | index; }

std::string describe(const BlockRead& read) {
  return "read of " + std::to_string(read.size) + " bytes at offset " + std::to_string(read.offset);
}

unsigned round_up_to_power_of_two(size_t n) {
  unsigned p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

UringXrpQueue::UringXrpQueue(const std::string& path, const UringXrpOptions& options)
    : file_(path), options_(options) {
  if (options.capacity == 0) throw std::invalid_argument("an XRP queue holds at least one request");
  if (options.capacity > (size_t{1} << 24)) throw std::invalid_argument("an XRP queue holds at most 2^24 requests");
  // io_uring takes at most 32768 submission entries.
  ring_depth_ = options.ring_depth != 0 ? options.ring_depth
                                        : round_up_to_power_of_two(std::min<size_t>(options.capacity * kMaxFanout, 4096));
  if (int error = io_uring_queue_init(ring_depth_, &ring_, 0); error < 0)
    throw std::runtime_error(std::string("io_uring_queue_init: ") + std::strerror(-error));
  slots_.resize(options.capacity);
  for (size_t i = 0; i < slots_.size(); ++i) {
    void* buffers = nullptr;
    if (posix_memalign(&buffers, 4096, kMaxFanout * kMaxReadBytes) != 0) {
      for (size_t j = 0; j < i; ++j) std::free(slots_[j].buffers);
      io_uring_queue_exit(&ring_);
      throw std::bad_alloc();
    }
    slots_[i].buffers = static_cast<uint8_t*>(buffers);
    slots_[i].batch.reserve(kMaxFanout);
  }
  free_slots_.reserve(slots_.size());
  for (size_t i = slots_.size(); i-- > 0;) free_slots_.push_back(static_cast<uint32_t>(i));
  pending_.resize(slots_.size() * kMaxFanout);
  ended_.reserve(slots_.size());
  digest_ = take_fiemap_digest(file_.fd());
  digests_taken_ = 1;
}

UringXrpQueue::~UringXrpQueue() {
  // The kernel may still write into the buffers: wait for every read on the
  // ring before freeing them.
  while (reads_in_kernel_ > 0) {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe(&ring_, &cqe) < 0) break;
    io_uring_cqe_seen(&ring_, cqe);
    --reads_in_kernel_;
  }
  io_uring_queue_exit(&ring_);
  for (Slot& slot : slots_) std::free(slot.buffers);
}

void UringXrpQueue::refresh_digest_if_moved(const FileVersion& now) {
  if (now == digest_.version) return;
  digest_ = take_fiemap_digest(file_.fd());
  ++digests_taken_;
}

bool UringXrpQueue::submit(const XrpSubmission& submission) {
  if (submission.function == nullptr) throw std::invalid_argument("an XRP submission without a function");
  if (free_slots_.empty()) return false;
  const FileVersion now = file_.version();
  refresh_digest_if_moved(now);
  const uint32_t index = free_slots_.back();
  Slot& slot = slots_[index];
  slot.state.emplace(*submission.function, submission.request);  // throws before the slot is taken
  free_slots_.pop_back();
  ++in_flight_;
  slot.submission = submission;
  slot.version = now;
  slot.started_ns = monotonic_ns();
  slot.batch.clear();
  slot.reads_outstanding = 0;
  slot.end.reset();
  XrpStep step = slot.state->start();
  if (step.kind == XrpStep::Kind::kRead && changed_recently(now, realtime_now_ns(), options_.settle_ns))
    step = slot.state->read_failed(0, XrpFailure::Kind::kStale,
                                   "the file changed too recently to trust its version (within " +
                                       std::to_string(options_.settle_ns / 1'000'000) + " ms)");
  follow(index, std::move(step));
  return true;
}

// What the state machine said next, done.
void UringXrpQueue::follow(uint32_t index, XrpStep step) {
  Slot& slot = slots_[index];
  if (step.kind == XrpStep::Kind::kWaiting) return;
  if (step.kind == XrpStep::Kind::kRead) {
    // The digest refuses what XRP's kernel could not translate. It is
    // consulted only when it describes the request's version; when it does
    // not, the file has changed and the first completion fails as stale.
    // A read past the end of the file is left to fail as such.
    if (digest_.extents && digest_.version == slot.version) {
      for (size_t i = 0; i < step.reads.size(); ++i) {
        const BlockRead& read = step.reads[i];
        if (read.offset >= digest_.version.size || digest_.version.size - read.offset < read.size) continue;
        if (digest_.extents->translate(read.offset, read.size)) continue;
        return follow(index, slot.state->read_failed(
                                 i, XrpFailure::Kind::kStale,
                                 "the " + describe(step.reads[i]) +
                                     " is not on the device by the file's extents (a hole, or an extent "
                                     "not yet written or placed)"));
      }
    }
    slot.batch.assign(step.reads.begin(), step.reads.end());
    for (uint32_t i = 0; i < slot.batch.size(); ++i) {
      pending_[(pending_head_ + pending_count_) % pending_.size()] = {index, i};
      ++pending_count_;
      ++slot.reads_outstanding;
    }
    push_pending();
    return;
  }
  slot.ended_ns = monotonic_ns();
  slot.end = std::move(step);
  finish_if_quiet(index);
}

// Moves waiting reads onto the ring while it has room, and while the
// completion queue could take their answers.
void UringXrpQueue::push_pending() {
  const unsigned cq_entries = ring_.cq.ring_entries;
  while (pending_count_ > 0) {
    const PendingRead read = pending_[pending_head_];
    Slot& slot = slots_[read.slot];
    if (slot.end) {  // the request failed while this read waited
      pending_head_ = (pending_head_ + 1) % pending_.size();
      --pending_count_;
      --slot.reads_outstanding;
      finish_if_quiet(read.slot);
      continue;
    }
    if (reads_in_kernel_ >= cq_entries) return;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) return;
    pending_head_ = (pending_head_ + 1) % pending_.size();
    --pending_count_;
    const BlockRead& block = slot.batch[read.index];
    io_uring_prep_read(sqe, file_.fd(), slot.buffers + read.index * kMaxReadBytes, static_cast<unsigned>(block.size),
                       block.offset);
    io_uring_sqe_set_data64(sqe, read_tag(read.slot, read.index));
    ++reads_in_kernel_;
    if (observer_) observer_(slot.submission.user_data, block);
  }
}

void UringXrpQueue::reap(const io_uring_cqe& cqe) {
  --reads_in_kernel_;
  const uint32_t index = static_cast<uint32_t>(cqe.user_data >> kIndexBits);
  const uint32_t read = static_cast<uint32_t>(cqe.user_data & ((1u << kIndexBits) - 1));
  Slot& slot = slots_[index];
  --slot.reads_outstanding;
  if (slot.end) return finish_if_quiet(index);
  const BlockRead& block = slot.batch[read];
  // The version is checked first: when the file changed, a short read or a
  // function that trips on the data says nothing about the request.
  XrpStep step;
  if (file_.version() != slot.version) {
    step = slot.state->read_failed(read, XrpFailure::Kind::kStale,
                                   "the file changed while the " + describe(block) + " was in flight");
  } else if (cqe.res < 0) {
    step = slot.state->read_failed(read, XrpFailure::Kind::kBadNextRead,
                                   describe(block) + " failed: " + std::strerror(-cqe.res));
  } else if (static_cast<uint64_t>(cqe.res) < block.size) {
    step = slot.state->read_failed(read, XrpFailure::Kind::kBadNextRead,
                                   describe(block) + " is past the end of the file");
  } else {
    step = slot.state->complete(read, std::span<const uint8_t>(slot.buffers + read * kMaxReadBytes, block.size));
  }
  follow(index, std::move(step));
}

void UringXrpQueue::finish_if_quiet(uint32_t index) {
  Slot& slot = slots_[index];
  if (!slot.end || slot.reads_outstanding != 0) return;
  XrpCompletion completion;
  completion.user_data = slot.submission.user_data;
  completion.outcome.reads = slot.state->reads_issued();
  completion.outcome.failure = std::move(slot.end->failure);
  completion.latency_ns = slot.ended_ns - slot.started_ns;
  if (completion.outcome.ok() && !slot.submission.buffer.empty()) {
    std::span<const uint8_t> last = slot.state->last_data();
    std::memcpy(slot.submission.buffer.data(), last.data(), std::min(last.size(), slot.submission.buffer.size()));
  }
  ended_.push_back(std::move(completion));
  slot.state.reset();
  slot.end.reset();
  free_slots_.push_back(index);
  --in_flight_;
}

std::vector<XrpCompletion> UringXrpQueue::wait(size_t min) {
  const size_t target = std::min(min, ended_.size() + in_flight_);
  while (ended_.size() < target) {
    push_pending();
    int submitted = io_uring_submit_and_wait(&ring_, 1);
    if (submitted < 0 && submitted != -EINTR)
      throw std::system_error(-submitted, std::generic_category(), "io_uring_submit_and_wait");
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      // Copied: reaping puts new reads on the ring.
      const io_uring_cqe entry = *cqe;
      ++seen;
      reap(entry);
    }
    io_uring_cq_advance(&ring_, seen);
  }
  // Reads resubmitted by the last completions go to the kernel now, not at
  // the next wait.
  push_pending();
  if (io_uring_sq_ready(&ring_) > 0) io_uring_submit(&ring_);
  std::vector<XrpCompletion> ended;
  ended.swap(ended_);
  ended_.reserve(slots_.size());
  return ended;
}

FallbackOutcome run_xrp_with_fallback(UringXrpQueue& queue, XrpFunction& function, const XrpRequest& request,
                                      std::span<uint8_t> buffer) {
  if (queue.in_flight() != 0) throw std::logic_error("run_xrp_with_fallback on a queue with requests in flight");
  const std::vector<uint8_t> initial(request.scratch.begin(), request.scratch.end());
  XrpSubmission submission;
  submission.function = &function;
  submission.request = request;
  submission.buffer = buffer;
  if (!queue.submit(submission)) throw std::logic_error("run_xrp_with_fallback: the queue takes no request");
  std::vector<XrpCompletion> done = queue.wait(1);
  FallbackOutcome result;
  result.outcome = std::move(done.front().outcome);
  if (result.outcome.ok() || result.outcome.failure->kind != XrpFailure::Kind::kStale) return result;
  result.fell_back = true;
  result.stale = std::move(result.outcome.failure);
  std::memcpy(request.scratch.data(), initial.data(), initial.size());
  const uint64_t xrp_reads = result.outcome.reads;
  // The retries span twice the settle window, so that a file that stops
  // changing is read.
  PreadValidation validation;
  validation.settle_ns = queue.options().settle_ns;
  validation.retry_pause_ns = std::max(validation.retry_pause_ns, validation.settle_ns / 4);
  result.outcome = run_xrp_by_pread(queue.file(), function, request, validation, buffer);
  result.outcome.reads += xrp_reads;
  return result;
}

}  // namespace sbpf::xrp
