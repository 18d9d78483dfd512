// The device's execution port in another process: the device runtime of the
// device build, under qemu-aarch64 with the arm64 JIT (`sbpf device serve`),
// reached through a DeviceChannel. The model on the host keeps the time;
// the far process verifies the images and computes the outputs.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
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
  // λ-reads go whole: the device process reads the extents from the
  // namespace's file itself (attached the first time it is named).
  std::optional<device_model::ExecutionOutcome> execute_lambda_read(uint32_t slot, const std::string& namespace_path,
                                                                    std::span<const uint8_t> metadata,
                                                                    uint32_t extent_count,
                                                                    std::span<uint8_t> output) override;

 private:
  // One command there and its completion back; std::runtime_error when the
  // device process has gone.
  ChannelCompletion call(ChannelCommand command);
  std::string detail(const ChannelCompletion& completion);
  // The run's figures, and its output copied out of the channel.
  device_model::ExecutionOutcome outcome(const ChannelCompletion& completion, std::span<uint8_t> output);

  DeviceChannel channel_;
  pid_t pid_ = -1;
  uint16_t next_id_ = 0;
  std::map<std::string, uint32_t> namespaces_;  // path → the id the device knows it by
  std::string description_;                     // the command, for messages
};

}  // namespace sbpf::runtime
