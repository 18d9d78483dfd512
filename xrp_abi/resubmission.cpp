#include "xrp_abi/resubmission.h"

#include <cstring>
#include <stdexcept>

namespace sbpf::xrp {

std::string XrpFailure::describe() const {
  std::string where = " (at hop " + std::to_string(hop + 1) + ")";
  if (kind == Kind::kAbort) return std::string(runtime::abort_kind_name(abort->kind)) + ": " + abort->message + where;
  return message + where;
}

namespace {

std::string describe_read(const std::string& what, const BlockRead& read) {
  return what + " (" + std::to_string(read.size) + " bytes at offset " + std::to_string(read.offset) + ")";
}

// Why `read` may not be issued, if it may not.
std::optional<std::string> check_read(const std::string& what, const BlockRead& read,
                                      const std::optional<uint64_t>& file_size) {
  // A function's empty slot is no read at all; only the request's own first
  // read can reach here empty, and a request that reads nothing has no block
  // to run the function on.
  if (read.size == 0) return describe_read(what, read) + " is empty";
  if (read.offset % kBlockBytes != 0 || read.size % kBlockBytes != 0 || read.size > kMaxReadBytes)
    return describe_read(what, read) + " is not whole " + std::to_string(kBlockBytes) + "-byte blocks of at most " +
           std::to_string(kMaxReadBytes) + " bytes";
  if (file_size && (read.offset > *file_size || *file_size - read.offset < read.size))
    return describe_read(what, read) + " is past the end of the file (" + std::to_string(*file_size) + " bytes)";
  return std::nullopt;
}

}  // namespace

XrpRequestState::XrpRequestState(XrpFunction& function, const XrpRequest& request)
    : function_(function), request_(request) {
  if (request.scratch.size() != kScratchBytes)
    throw std::invalid_argument("XRP scratch must be " + std::to_string(kScratchBytes) + " bytes");
}

XrpStep XrpRequestState::fail(XrpFailure::Kind kind, std::string message) {
  finished_ = true;
  return {XrpStep::Kind::kFailed, {}, XrpFailure{kind, hop_, std::nullopt, std::move(message)}};
}

XrpStep XrpRequestState::start() {
  if (reads_issued_ != 0 || finished_) throw std::logic_error("an XRP request starts once");
  BlockRead first{request_.offset, request_.size};
  if (auto problem = check_read("the request's read", first, request_.file_size))
    return fail(XrpFailure::Kind::kBadNextRead, *problem);
  return issue({first});
}

XrpStep XrpRequestState::issue(std::vector<BlockRead> batch) {
  if (reads_issued_ + batch.size() > request_.max_reads)
    return fail(XrpFailure::Kind::kTooManyReads,
                "more than " + std::to_string(request_.max_reads) + " reads for one request");
  reads_issued_ += batch.size();
  batch_ = batch;
  batch_offsets_.clear();
  size_t total = 0;
  for (const BlockRead& read : batch_) {
    batch_offsets_.push_back(total);
    total += read.size;
  }
  data_.assign(total, 0);
  completed_.assign(batch_.size(), false);
  outstanding_ = batch_.size();
  return {XrpStep::Kind::kRead, std::move(batch), std::nullopt};
}

XrpStep XrpRequestState::complete(size_t index, std::span<const uint8_t> data) {
  if (finished_ || index >= batch_.size() || completed_[index])
    throw std::logic_error("completion of a read the XRP request is not waiting for");
  if (data.size() != batch_[index].size) throw std::invalid_argument("a completed read's size differs from the read's");
  std::memcpy(data_.data() + batch_offsets_[index], data.data(), data.size());
  completed_[index] = true;
  if (--outstanding_ != 0) return {};
  return run_function();
}

XrpStep XrpRequestState::read_failed(size_t index, XrpFailure::Kind kind, const std::string& reason) {
  if (finished_ || index >= batch_.size() || completed_[index])
    throw std::logic_error("failure of a read the XRP request is not waiting for");
  if (kind != XrpFailure::Kind::kBadNextRead && kind != XrpFailure::Kind::kStale)
    throw std::invalid_argument("a read fails as a bad read or a stale one");
  return fail(kind, reason);
}

XrpStep XrpRequestState::run_function() {
  Context context{};
  context.data = reinterpret_cast<char*>(data_.data());
  context.scratch = reinterpret_cast<char*>(request_.scratch.data());
  runtime::ExecutionResult result = function_.invoke(context, data_, request_.scratch);
  last_data_.swap(data_);
  if (result.abort) {
    finished_ = true;
    return {XrpStep::Kind::kFailed, {}, XrpFailure{XrpFailure::Kind::kAbort, hop_, result.abort, ""}};
  }
  // XRP functions return a 32-bit status.
  if (static_cast<uint32_t>(result.r0) != 0)
    return fail(XrpFailure::Kind::kErrorReturn,
                "the function aborted the request with status " + std::to_string(static_cast<uint32_t>(result.r0)));
  if (context.done != 0) {
    finished_ = true;
    ++hop_;
    return {XrpStep::Kind::kDone, {}, std::nullopt};
  }
  std::vector<BlockRead> next;
  for (uint64_t slot = 0; slot < kMaxFanout; ++slot) {
    if (context.size[slot] == 0) continue;
    BlockRead read{context.next_addr[slot], context.size[slot]};
    if (auto problem = check_read("the read in slot " + std::to_string(slot), read, request_.file_size))
      return fail(XrpFailure::Kind::kBadNextRead, *problem);
    next.push_back(read);
  }
  if (next.empty()) return fail(XrpFailure::Kind::kBadNextRead, "the function neither set done nor asked for a read");
  XrpStep step = issue(std::move(next));
  if (step.kind != XrpStep::Kind::kFailed) ++hop_;
  return step;
}

}  // namespace sbpf::xrp
