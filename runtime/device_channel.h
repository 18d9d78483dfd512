// The channel between the host and a device runtime running as its own
// process (`sbpf device serve`, the device build under qemu-aarch64): a
// submission queue and a completion queue in shared memory (a memfd), each
// with an eventfd doorbell, in the manner of an NVMe queue pair, and a data
// area the commands' buffers live in.
//
// The host's device model still decides when everything happens; what
// crosses the channel is the device firmware's side of a command — attach
// this namespace, download this image, λ-read these extents with this
// program (the device reads them itself), run this program on this input —
// and what it did: the output, the return value, the instructions and
// helper bytes the model turns into the device cores' time.
//
// Memory layout (little-endian, both ends of one machine):
//   [0, 4096)          Header: magic, version, ring indices
//   [4096, +16·64)     submission ring (ChannelCommand)
//   [+16·64, +16·64)   completion ring (ChannelCompletion)
//   kInputOffset       input area: an image to download, or a chunk's input
//   kOutputOffset      output area: a run's output, or a failure's text
// The memory is sparse: only the pages a command touches are ever backed.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>

namespace sbpf::runtime {

inline constexpr uint32_t kChannelEntries = 16;
inline constexpr uint64_t kChannelInputOffset = 64 << 10;
inline constexpr uint64_t kChannelInputBytes = 64u << 20;  // the largest image (isa::kMaxImageBytes)
inline constexpr uint64_t kChannelOutputOffset = kChannelInputOffset + kChannelInputBytes;
inline constexpr uint64_t kChannelOutputBytes = 256u << 20;  // the largest λ output
inline constexpr uint64_t kChannelBytes = kChannelOutputOffset + kChannelOutputBytes;

enum class ChannelOpcode : uint8_t {
  kLambdaRead = 0x22,  // λ-read: the metadata buffer in the input area, `extent_count` extents of
                       // namespace `namespace_id`, run `slot` on them into output_bytes of zeroed output
  kDownload = 0x81,    // verify the image in the input area into `slot`
  kExecute = 0x8b,     // run `slot` on input_bytes of input, output_bytes of zeroed output
  kAttach = 0x8c,      // namespace `namespace_id` is the file whose path is in the input area
  kShutdown = 0xff,
};

enum class ChannelStatus : uint16_t {
  kSuccess = 0,
  kRejected = 1,  // download: the device's verifier said no (the text in the output area)
  kAborted = 2,   // execute: the run ended early (the text in the output area)
  kInvalid = 3,   // a command the device does not take
};

struct ChannelCommand {
  uint8_t opcode = 0;
  uint8_t reserved = 0;
  uint16_t command_id = 0;
  uint32_t slot = 0;
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  uint32_t namespace_id = 0;
  uint32_t extent_count = 0;
  uint8_t unused[32] = {};
};
static_assert(sizeof(ChannelCommand) == 64, "a submission entry is 64 bytes, as NVMe's");

struct ChannelCompletion {
  uint16_t command_id = 0;
  uint16_t status = 0;
  uint32_t slot = 0;  // download: the slot the program went to
  int64_t return_value = 0;
  uint64_t instructions = 0;
  uint64_t helper_bytes = 0;
  uint64_t detail_bytes = 0;  // the failure's text, at the output area's start
  uint8_t unused[24] = {};
};
static_assert(sizeof(ChannelCompletion) == 64, "a completion entry is 64 bytes");

class DeviceChannel {
 public:
  // The host's end: new memory and doorbells. std::system_error when the
  // kernel refuses them.
  static DeviceChannel create();
  // The device's end, over the descriptors the host passed: checks the
  // header (std::runtime_error when it is not a channel).
  static DeviceChannel attach(int memory_fd, int submit_fd, int complete_fd);

  DeviceChannel(DeviceChannel&& other) noexcept;
  DeviceChannel& operator=(DeviceChannel&&) = delete;
  DeviceChannel(const DeviceChannel&) = delete;
  ~DeviceChannel();

  int memory_fd() const { return memory_fd_; }
  int submit_fd() const { return submit_fd_; }
  int complete_fd() const { return complete_fd_; }
  std::span<uint8_t> input() { return {base_ + kChannelInputOffset, kChannelInputBytes}; }
  std::span<uint8_t> output() { return {base_ + kChannelOutputOffset, kChannelOutputBytes}; }
  // Gives the first `bytes` of the output area back as zeros.
  void clear_output(uint64_t bytes);

  // Host: a command on the submission queue, and the doorbell rung.
  void submit(const ChannelCommand& command);
  // Host: the next completion, waiting up to `timeout_ms` for one.
  std::optional<ChannelCompletion> wait_completion(int timeout_ms);
  // Device: the next command, waiting for the doorbell.
  ChannelCommand next_command();
  // Device: a completion on its queue, and the host's doorbell rung.
  void complete(const ChannelCompletion& completion);

 private:
  struct Header;
  DeviceChannel(int memory_fd, int submit_fd, int complete_fd);
  Header& header();
  ChannelCommand* submissions();
  ChannelCompletion* completions();

  int memory_fd_ = -1;
  int submit_fd_ = -1;
  int complete_fd_ = -1;
  uint8_t* base_ = nullptr;
};

}  // namespace sbpf::runtime
