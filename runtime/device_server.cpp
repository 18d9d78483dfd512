#include "runtime/device_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "device_model/lambda_command_format.h"

namespace sbpf::runtime {

namespace {

// A failure's text where the host reads it: the output area's start.
ChannelCompletion failed(DeviceChannel& channel, ChannelCompletion completion, ChannelStatus status,
                         const std::string& text) {
  const size_t bytes = std::min<size_t>(text.size(), channel.output().size());
  std::copy_n(text.begin(), bytes, channel.output().begin());
  completion.status = static_cast<uint16_t>(status);
  completion.detail_bytes = bytes;
  return completion;
}

// A run's figures into its completion, or its abort's text.
ChannelCompletion ran(DeviceChannel& channel, ChannelCompletion completion,
                      const device_model::ExecutionOutcome& outcome) {
  completion.return_value = outcome.return_value;
  completion.instructions = outcome.instructions;
  completion.helper_bytes = outcome.helper_bytes;
  return outcome.abort ? failed(channel, completion, ChannelStatus::kAborted, *outcome.abort) : completion;
}

// The namespaces the host attached: each a file the device reads itself.
class Namespaces {
 public:
  ~Namespaces() {
    for (auto& [id, fd] : fds_) ::close(fd);
  }
  std::string attach(uint32_t id, const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
    if (auto old = fds_.find(id); old != fds_.end()) ::close(old->second);
    fds_[id] = fd;
    return "";
  }
  // The extents' bytes, one after the other; the reason when they cannot be read.
  std::string read(uint32_t id, const std::vector<device_model::LambdaExtent>& extents, std::vector<uint8_t>& bytes) {
    auto it = fds_.find(id);
    if (it == fds_.end()) return "no namespace " + std::to_string(id) + " attached";
    bytes.clear();
    for (const device_model::LambdaExtent& extent : extents) {
      const size_t at = bytes.size();
      bytes.resize(at + extent.bytes, 0);  // past the file's end: zeros, as the model's namespace reads
      size_t done = 0;
      while (done < extent.bytes) {
        const ssize_t n = ::pread(it->second, bytes.data() + at + done, extent.bytes - done,
                                  static_cast<off_t>(extent.address + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::string("cannot read namespace ") + std::to_string(id) + ": " + std::strerror(errno);
        if (n == 0) break;
        done += static_cast<size_t>(n);
      }
    }
    return "";
  }

 private:
  std::map<uint32_t, int> fds_;
};

}  // namespace

void serve_device(DeviceChannel& channel, DeviceExecutionPort& port) {
  Namespaces namespaces;
  std::vector<uint8_t> input;
  while (true) {
    const ChannelCommand command = channel.next_command();
    ChannelCompletion completion;
    completion.command_id = command.command_id;
    const bool fits = command.input_bytes <= kChannelInputBytes && command.output_bytes <= kChannelOutputBytes;
    switch (static_cast<ChannelOpcode>(command.opcode)) {
      case ChannelOpcode::kShutdown:
        channel.complete(completion);
        return;
      case ChannelOpcode::kDownload: {
        if (!fits) {
          completion = failed(channel, completion, ChannelStatus::kInvalid, "the image is larger than the channel");
          break;
        }
        const device_model::ExecutionPort::Download download =
            port.download(channel.input().first(command.input_bytes));
        if (download.slot) {
          completion.slot = *download.slot;
        } else {
          completion = failed(channel, completion, ChannelStatus::kRejected, download.error);
        }
        break;
      }
      case ChannelOpcode::kAttach: {
        if (!fits) {
          completion = failed(channel, completion, ChannelStatus::kInvalid, "the path is longer than the channel");
          break;
        }
        const std::span<uint8_t> path = channel.input().first(command.input_bytes);
        const std::string error = namespaces.attach(command.namespace_id, std::string(path.begin(), path.end()));
        if (!error.empty()) completion = failed(channel, completion, ChannelStatus::kInvalid, error);
        break;
      }
      case ChannelOpcode::kLambdaRead: {
        const device_model::DecodedMetadata metadata = device_model::decode_lambda_metadata(
            channel.input().first(device_model::kLambdaMetadataBytes), command.extent_count);
        std::string error = metadata.error;
        if (error.empty() && !fits) error = "an output larger than the channel";
        if (error.empty()) error = namespaces.read(command.namespace_id, metadata.extents, input);
        if (!error.empty()) {
          completion = failed(channel, completion, ChannelStatus::kInvalid, error);
          break;
        }
        completion = ran(channel, completion,
                         port.execute(command.slot, {input, channel.output().first(command.output_bytes), {}}));
        break;
      }
      case ChannelOpcode::kExecute: {
        if (!fits) {
          completion = failed(channel, completion, ChannelStatus::kInvalid, "buffers larger than the channel");
          break;
        }
        completion = ran(channel, completion,
                         port.execute(command.slot, {channel.input().first(command.input_bytes),
                                                     channel.output().first(command.output_bytes),
                                                     {}}));
        break;
      }
      default:
        completion = failed(channel, completion, ChannelStatus::kInvalid,
                            "opcode " + std::to_string(command.opcode) + " is not a device channel command");
    }
    channel.complete(completion);
  }
}

}  // namespace sbpf::runtime
