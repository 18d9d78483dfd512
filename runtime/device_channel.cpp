#include "runtime/device_channel.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace sbpf::runtime {

namespace {

constexpr char kMagic[8] = {'S', 'B', 'P', 'F', 'C', 'H', 'N', '1'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kSubmissionOffset = 4096;
constexpr uint64_t kCompletionOffset = kSubmissionOffset + kChannelEntries * sizeof(ChannelCommand);
static_assert(kCompletionOffset + kChannelEntries * sizeof(ChannelCompletion) <= kChannelInputOffset);

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void ring(int fd) {
  const uint64_t one = 1;
  while (::write(fd, &one, sizeof one) < 0) {
    if (errno != EINTR) fail("device channel doorbell");
  }
}

}  // namespace

// The indices are free-running counts; an entry's slot is its count modulo
// the ring's size. Each is written by one end only.
struct DeviceChannel::Header {
  char magic[8];
  uint32_t version;
  uint32_t entries;
  std::atomic<uint32_t> submission_tail;  // host
  std::atomic<uint32_t> submission_head;  // device
  std::atomic<uint32_t> completion_tail;  // device
  std::atomic<uint32_t> completion_head;  // host
};
static_assert(std::atomic<uint32_t>::is_always_lock_free, "the rings' indices are shared between processes");

DeviceChannel::DeviceChannel(int memory_fd, int submit_fd, int complete_fd)
    : memory_fd_(memory_fd), submit_fd_(submit_fd), complete_fd_(complete_fd) {
  void* base = ::mmap(nullptr, kChannelBytes, PROT_READ | PROT_WRITE, MAP_SHARED, memory_fd_, 0);
  if (base == MAP_FAILED) fail("device channel mmap");
  base_ = static_cast<uint8_t*>(base);
}

DeviceChannel::DeviceChannel(DeviceChannel&& other) noexcept
    : memory_fd_(std::exchange(other.memory_fd_, -1)),
      submit_fd_(std::exchange(other.submit_fd_, -1)),
      complete_fd_(std::exchange(other.complete_fd_, -1)),
      base_(std::exchange(other.base_, nullptr)) {}

DeviceChannel::~DeviceChannel() {
  if (base_ != nullptr) ::munmap(base_, kChannelBytes);
  for (int fd : {memory_fd_, submit_fd_, complete_fd_})
    if (fd >= 0) ::close(fd);
}

DeviceChannel DeviceChannel::create() {
  const int memory = ::memfd_create("sbpf-device-channel", MFD_CLOEXEC);
  if (memory < 0) fail("memfd_create");
  if (::ftruncate(memory, static_cast<off_t>(kChannelBytes)) != 0) {
    ::close(memory);
    fail("device channel ftruncate");
  }
  const int submit = ::eventfd(0, EFD_CLOEXEC);
  const int complete = ::eventfd(0, EFD_CLOEXEC);
  if (submit < 0 || complete < 0) fail("eventfd");
  DeviceChannel channel(memory, submit, complete);
  Header& h = channel.header();
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.entries = kChannelEntries;
  return channel;
}

DeviceChannel DeviceChannel::attach(int memory_fd, int submit_fd, int complete_fd) {
  DeviceChannel channel(memory_fd, submit_fd, complete_fd);
  const Header& h = channel.header();
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.version != kVersion || h.entries != kChannelEntries)
    throw std::runtime_error("the memory handed over is not an sbpf device channel (version " +
                             std::to_string(kVersion) + ")");
  return channel;
}

DeviceChannel::Header& DeviceChannel::header() { return *reinterpret_cast<Header*>(base_); }
ChannelCommand* DeviceChannel::submissions() { return reinterpret_cast<ChannelCommand*>(base_ + kSubmissionOffset); }
ChannelCompletion* DeviceChannel::completions() {
  return reinterpret_cast<ChannelCompletion*>(base_ + kCompletionOffset);
}

void DeviceChannel::clear_output(uint64_t bytes) {
  // Punching the pages out of the memfd gives them back as zeros without
  // writing them (a λ output buffer is as large as 16 MiB).
  const uint64_t length = (std::min(bytes, kChannelOutputBytes) + 4095) & ~uint64_t{4095};
  if (length != 0 && ::fallocate(memory_fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                 static_cast<off_t>(kChannelOutputOffset), static_cast<off_t>(length)) != 0)
    std::memset(output().data(), 0, length);
}

void DeviceChannel::submit(const ChannelCommand& command) {
  Header& h = header();
  const uint32_t tail = h.submission_tail.load(std::memory_order_relaxed);
  if (tail - h.submission_head.load(std::memory_order_acquire) >= kChannelEntries)
    throw std::logic_error("the device channel's submission queue is full");
  submissions()[tail % kChannelEntries] = command;
  h.submission_tail.store(tail + 1, std::memory_order_release);
  ring(submit_fd_);
}

std::optional<ChannelCompletion> DeviceChannel::wait_completion(int timeout_ms) {
  Header& h = header();
  while (true) {
    const uint32_t head = h.completion_head.load(std::memory_order_relaxed);
    if (head != h.completion_tail.load(std::memory_order_acquire)) {
      const ChannelCompletion completion = completions()[head % kChannelEntries];
      h.completion_head.store(head + 1, std::memory_order_release);
      return completion;
    }
    pollfd doorbell{complete_fd_, POLLIN, 0};
    const int ready = ::poll(&doorbell, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail("device channel poll");
    if (ready == 0) return std::nullopt;
    uint64_t rings = 0;
    if (::read(complete_fd_, &rings, sizeof rings) < 0 && errno != EINTR) fail("device channel doorbell");
  }
}

ChannelCommand DeviceChannel::next_command() {
  Header& h = header();
  while (true) {
    const uint32_t head = h.submission_head.load(std::memory_order_relaxed);
    if (head != h.submission_tail.load(std::memory_order_acquire)) {
      const ChannelCommand command = submissions()[head % kChannelEntries];
      h.submission_head.store(head + 1, std::memory_order_release);
      return command;
    }
    uint64_t rings = 0;
    if (::read(submit_fd_, &rings, sizeof rings) < 0 && errno != EINTR) fail("device channel doorbell");
  }
}

void DeviceChannel::complete(const ChannelCompletion& completion) {
  Header& h = header();
  const uint32_t tail = h.completion_tail.load(std::memory_order_relaxed);
  completions()[tail % kChannelEntries] = completion;
  h.completion_tail.store(tail + 1, std::memory_order_release);
  ring(complete_fd_);
}

}  // namespace sbpf::runtime
