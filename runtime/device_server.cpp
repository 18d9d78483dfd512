#include "runtime/device_server.h"

#include <algorithm>
#include <string>

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

}  // namespace

void serve_device(DeviceChannel& channel, DeviceExecutionPort& port) {
  while (true) {
    const ChannelCommand command = channel.next_command();
    ChannelCompletion completion;
    completion.command_id = command.command_id;
    const bool fits = command.input_bytes <= kChannelInputBytes && command.output_bytes <= kChannelOutputBytes;
    switch (static_cast<ChannelOpcode>(command.opcode)) {
      case ChannelOpcode::kShutdown: channel.complete(completion); return;
      case ChannelOpcode::kDownload: {
        if (!fits) {
          completion = failed(channel, completion, ChannelStatus::kInvalid, "the image is larger than the channel");
          break;
        }
        const device_model::ExecutionPort::Download download = port.download(channel.input().first(command.input_bytes));
        if (download.slot) {
          completion.slot = *download.slot;
        } else {
          completion = failed(channel, completion, ChannelStatus::kRejected, download.error);
        }
        break;
      }
      case ChannelOpcode::kExecute: {
        if (!fits) {
          completion = failed(channel, completion, ChannelStatus::kInvalid, "buffers larger than the channel");
          break;
        }
        const device_model::ExecutionOutcome outcome =
            port.execute(command.slot, {channel.input().first(command.input_bytes),
                                        channel.output().first(command.output_bytes), {}});
        completion.return_value = outcome.return_value;
        completion.instructions = outcome.instructions;
        completion.helper_bytes = outcome.helper_bytes;
        if (outcome.abort) completion = failed(channel, completion, ChannelStatus::kAborted, *outcome.abort);
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
