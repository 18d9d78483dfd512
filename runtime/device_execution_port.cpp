#include "runtime/device_execution_port.h"

#include <algorithm>
#include <cstring>

#include "isa/program_image.h"
#include "verifier/program_type.h"

namespace sbpf::runtime {

DeviceExecutionPort::DeviceExecutionPort() = default;
DeviceExecutionPort::~DeviceExecutionPort() = default;

device_model::ExecutionPort::Download DeviceExecutionPort::download(std::span<const uint8_t> image_bytes) {
  isa::ProgramImage image;
  try {
    image = isa::read_image(image_bytes);
  } catch (const isa::ImageError& error) {
    return {std::nullopt, std::string("not a program image: ") + error.what()};
  }
  if (image.program_type != "lambda") {
    return {std::nullopt, "a " + image.program_type + " program; the device runs λ programs"};
  }
  LoadOptions options;
  options.loop_budget = image.loop_budget;
  options.engine = EngineKind::kInterpreter;
  options.metered = true;
  auto program = std::make_unique<LoadedProgram>(
      load(std::move(image.program), *verifier::program_type_named("lambda"), options));
  if (!program->ok()) return {std::nullopt, program->failure()->reason};
  auto function = std::make_unique<BytecodeLambda>(*program);
  slots_.push_back(Slot{std::move(program), std::move(function)});
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
  LambdaContext context{reinterpret_cast<uintptr_t>(invocation.output.data()),
                        reinterpret_cast<uintptr_t>(padded_input_.data()), size, invocation.output.size()};
  ExecutionResult result = slots_[slot].function->invoke(context, padded_input_, invocation.output);
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
