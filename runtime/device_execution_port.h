// The device's side of running λ functions: the execution port the device
// model declares (device_model/execution_port.h), implemented with the
// runtime's own pipeline, as the device's firmware would run it.
//
// A download is a program image; the port reads it, verifies it again
// (whatever the host did, the device trusts only its own verifier) and
// loads it on the metered interpreter, whose instruction and helper-byte
// counts the model turns into the device cores' time. Only λ programs run
// here: λ-read and λ-write are the commands that execute programs.
//
// With the JIT (the device's own process, `sbpf device serve`: the arm64
// JIT), the output is the native code's; the metered interpreter still runs
// each invocation, for its cost, and the two must agree byte for byte.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "device_model/execution_port.h"
#include "runtime/lambda_image.h"

namespace sbpf::runtime {

class DeviceExecutionPort : public device_model::ExecutionPort {
 public:
  // `engine`: what computes the output (the JIT needs one for this host).
  explicit DeviceExecutionPort(EngineKind engine = EngineKind::kInterpreter);
  ~DeviceExecutionPort() override;

  Download download(std::span<const uint8_t> image) override;
  // Runs a λ invocation: `input` is the function's input (padded here as
  // the λ input region wants), `output` its zeroed output buffer.
  device_model::ExecutionOutcome execute(uint32_t slot, const device_model::Invocation& invocation) override;

  size_t programs() const { return slots_.size(); }

 private:
  EngineKind engine_;
  std::vector<LambdaImageProgram> slots_;
  std::vector<uint8_t> padded_input_;
  std::vector<uint8_t> metered_output_;
};

}  // namespace sbpf::runtime
