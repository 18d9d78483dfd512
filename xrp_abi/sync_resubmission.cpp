#include "xrp_abi/sync_resubmission.h"

#include <stdexcept>
#include <vector>

#include "runtime/host_file.h"

namespace sbpf::xrp {

BytecodeXrp::BytecodeXrp(runtime::LoadedProgram& program) : program_(program) {
  if (!program.ok()) throw std::invalid_argument("an XRP function runs a program that loaded");
  program.engine();  // one was built
}

runtime::ExecutionResult BytecodeXrp::invoke(Context& context, std::span<const uint8_t> data,
                                                std::span<uint8_t> scratch) {
  runtime::Invocation invocation;
  // The context is writable as a whole: a program that overwrites `data` or
  // `scratch` only loses its own way, since every access is checked against
  // the regions and the engine resets both pointers before each call.
  invocation.regions.add({runtime::RegionKind::kCtx, reinterpret_cast<uint8_t*>(&context), sizeof context, true});
  invocation.regions.add({runtime::RegionKind::kInput, const_cast<uint8_t*>(data.data()), data.size(), false});
  invocation.regions.add({runtime::RegionKind::kScratch, scratch.data(), scratch.size(), true});
  invocation.args[0] = reinterpret_cast<uintptr_t>(&context);
  return program_.run(invocation);
}

runtime::ExecutionResult NativeXrp::invoke(Context& context, std::span<const uint8_t>, std::span<uint8_t>) {
  return runtime::ExecutionResult{entry_(&context), std::nullopt};
}

XrpOutcome run_xrp_request(XrpFunction& function, const BlockReader& read, const XrpRequest& request) {
  XrpRequestState state(function, request);
  XrpStep step = state.start();
  std::vector<uint8_t> data;
  while (step.kind == XrpStep::Kind::kRead) {
    const std::vector<BlockRead> batch = std::move(step.reads);
    for (size_t i = 0; i < batch.size(); ++i) {
      data.assign(batch[i].size, 0);
      if (read(batch[i].offset, data)) {
        step = state.complete(i, data);
      } else {
        step = state.read_failed(i, XrpFailure::Kind::kBadNextRead,
                                 "read of " + std::to_string(batch[i].size) + " bytes at offset " +
                                     std::to_string(batch[i].offset) + " is past the end of the file");
      }
      if (step.kind == XrpStep::Kind::kFailed) break;
    }
  }
  return XrpOutcome{state.reads_issued(), std::move(step.failure)};
}

BlockReader file_block_reader(const std::string& path) {
  auto file = std::make_shared<runtime::HostFile>(path);
  return [file](uint64_t offset, std::span<uint8_t> bytes) { return file->read_at(offset, bytes); };
}

}  // namespace sbpf::xrp
