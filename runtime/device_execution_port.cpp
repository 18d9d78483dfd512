#include "runtime/device_execution_port.h"

#include <algorithm>
#include <cstring>

namespace sbpf::runtime {

DeviceExecutionPort::DeviceExecutionPort(EngineKind engine) : engine_(engine) {}
DeviceExecutionPort::~DeviceExecutionPort() = default;

device_model::ExecutionPort::Download DeviceExecutionPort::download(std::span<const uint8_t> image) {
  LoadedLambdaImage loaded = load_lambda_image(image, engine_ == EngineKind::kJit);
  if (!loaded.program) return {std::nullopt, loaded.error};
  slots_.push_back(std::move(*loaded.program));
  return {static_cast<uint32_t>(slots_.size() - 1), ""};
}

device_model::ExecutionOutcome DeviceExecutionPort::execute(uint32_t slot, const device_model::Invocation& invocation) {
  device_model::ExecutionOutcome outcome;
  if (slot >= slots_.size()) {
    outcome.abort = "no program in slot " + std::to_string(slot);
    return outcome;
  }
  // The λ input region spans the input rounded up to 8 bytes, the padding
  // zeroed (lambda_runtime.h), as on the host.
  const size_t size = invocation.input.size();
  padded_input_.assign((size + 7) & ~size_t{7}, 0);
  std::copy(invocation.input.begin(), invocation.input.end(), padded_input_.begin());
  LambdaImageProgram& program = slots_[slot];
  std::span<uint8_t> metered_output = invocation.output;
  if (program.native_function) {
    // The JIT's run makes the output; the metered one, into a zeroed buffer
    // of the same size, the cost — and the check that they agree.
    metered_output_.assign(invocation.output.size(), 0);
    metered_output = metered_output_;
  }
  auto invoke = [&](BytecodeLambda& function, std::span<uint8_t> output) {
    LambdaContext context{reinterpret_cast<uintptr_t>(output.data()), reinterpret_cast<uintptr_t>(padded_input_.data()),
                          size, output.size()};
    return function.invoke(context, padded_input_, output);
  };
  ExecutionResult result = invoke(*program.function, metered_output);
  if (program.native_function) {
    const ExecutionResult native = invoke(*program.native_function, invocation.output);
    const bool agree = native.r0 == result.r0 && native.abort.has_value() == result.abort.has_value() &&
                       std::equal(metered_output.begin(), metered_output.end(), invocation.output.begin());
    if (!agree) {
      outcome.abort = "internal: the JIT and the interpreter disagree on slot " + std::to_string(slot);
      return outcome;
    }
  }
  outcome.return_value = static_cast<int64_t>(result.r0);
  outcome.instructions = result.instructions;
  outcome.helper_bytes = result.helper_bytes;
  if (result.abort) {
    outcome.abort = std::string(abort_kind_name(result.abort->kind)) + ": " + result.abort->message + " (pc " +
                    std::to_string(result.abort->pc) + ")";
  }
  return outcome;
}

}  // namespace sbpf::runtime
