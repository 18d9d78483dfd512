// The device's execution port in another process: the device runtime of the
// device build, under qemu-aarch64 with the arm64 JIT (`sbpf device serve`),
// reached through a DeviceChannel. The model on the host keeps the time;
// the far process verifies the images and computes the outputs.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "device_model/execution_port.h"
#include "runtime/device_channel.h"

namespace sbpf::runtime {

class RemoteExecutionPort : public device_model::ExecutionPort {
 public:
  // Starts `command` (a program and its arguments: the device's sbpf, under
  // its emulator) with `device serve --memory-fd M --submit-fd S
  // --complete-fd C` appended, and waits until it answers.
  // std::runtime_error when it does not start or answer.
  explicit RemoteExecutionPort(const std::vector<std::string>& command);
  ~RemoteExecutionPort() override;
  RemoteExecutionPort(const RemoteExecutionPort&) = delete;
  RemoteExecutionPort& operator=(const RemoteExecutionPort&) = delete;

  Download download(std::span<const uint8_t> image) override;
  device_model::ExecutionOutcome execute(uint32_t slot, const device_model::Invocation& invocation) override;

 private:
  // One command there and its completion back; std::runtime_error when the
  // device process has gone.
  ChannelCompletion call(ChannelCommand command);
  std::string detail(const ChannelCompletion& completion);

  DeviceChannel channel_;
  pid_t pid_ = -1;
  uint16_t next_id_ = 0;
  std::string description_;  // the command, for messages
};

}  // namespace sbpf::runtime
