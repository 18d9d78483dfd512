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

std::string XrpFailure::describe() const {
  std::string where = " (after read " + std::to_string(read + 1) + ")";
  if (kind == Kind::kAbort) return std::string(runtime::abort_kind_name(abort->kind)) + ": " + abort->message + where;
  return message + where;
}

namespace {

// The one read the function asks for next, or a reason why it is not valid.
std::optional<std::string> next_read(const Context& context, uint64_t& offset, uint64_t& size) {
  int slots = 0;
  for (uint64_t i = 0; i < kMaxFanout; ++i) {
    if (context.size[i] == 0) continue;
    if (++slots > 1) return "the function asked for more than one read at once (XRP resubmits one per completion)";
    offset = context.next_addr[i];
    size = context.size[i];
  }
  if (slots == 0) return "the function neither set done nor asked for a read";
  if (offset % kBlockBytes != 0 || size % kBlockBytes != 0 || size > kMaxReadBytes)
    return "the next read (" + std::to_string(size) + " bytes at offset " + std::to_string(offset) +
           ") is not whole 512-byte blocks of at most " + std::to_string(kMaxReadBytes) + " bytes";
  return std::nullopt;
}

}  // namespace

XrpOutcome run_xrp_request(XrpFunction& function, const BlockReader& read, const XrpRequest& request) {
  XrpOutcome outcome;
  auto fail = [&](XrpFailure::Kind kind, std::string message) {
    outcome.failure = XrpFailure{kind, outcome.reads - 1, std::nullopt, std::move(message)};
    return outcome;
  };
  if (request.scratch.size() != kScratchBytes)
    throw std::invalid_argument("XRP scratch must be " + std::to_string(kScratchBytes) + " bytes");
  uint64_t offset = request.offset;
  uint64_t size = request.size;
  std::vector<uint8_t> data;
  while (true) {
    if (outcome.reads == request.max_reads)
      return fail(XrpFailure::Kind::kTooManyReads,
                  "more than " + std::to_string(request.max_reads) + " reads for one request");
    data.assign(size, 0);
    ++outcome.reads;
    if (!read(offset, data))
      return fail(XrpFailure::Kind::kBadNextRead,
                  "read of " + std::to_string(size) + " bytes at offset " + std::to_string(offset) +
                      " is past the end of the file");
    Context context{};
    context.data = reinterpret_cast<char*>(data.data());
    context.scratch = reinterpret_cast<char*>(request.scratch.data());
    runtime::ExecutionResult result = function.invoke(context, data, request.scratch);
    if (result.abort) {
      outcome.failure = XrpFailure{XrpFailure::Kind::kAbort, outcome.reads - 1, result.abort, ""};
      return outcome;
    }
    // XRP functions return a 32-bit status.
    if (static_cast<uint32_t>(result.r0) != 0)
      return fail(XrpFailure::Kind::kErrorReturn,
                  "the function aborted the request with status " + std::to_string(static_cast<uint32_t>(result.r0)));
    if (context.done != 0) return outcome;
    if (auto problem = next_read(context, offset, size)) return fail(XrpFailure::Kind::kBadNextRead, *problem);
  }
}

BlockReader file_block_reader(const std::string& path) {
  auto file = std::make_shared<runtime::HostFile>(path);
  return [file](uint64_t offset, std::span<uint8_t> bytes) { return file->read_at(offset, bytes); };
}

}  // namespace sbpf::xrp
