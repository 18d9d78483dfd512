#include "xrp_abi/xrp_queue.h"

#include <stdexcept>

namespace sbpf::xrp {

XrpOutcome read_xrp(XrpQueue& queue, std::span<uint8_t> buffer, uint64_t offset, XrpFunction& function,
                    std::span<uint8_t> scratch, uint64_t max_reads) {
  if (queue.in_flight() != 0) throw std::logic_error("read_xrp on a queue with requests in flight");
  XrpSubmission submission;
  submission.function = &function;
  submission.request.offset = offset;
  submission.request.size = buffer.size();
  submission.request.scratch = scratch;
  submission.request.max_reads = max_reads;
  submission.buffer = buffer;
  if (!queue.submit(submission)) throw std::logic_error("read_xrp: the queue takes no request");
  std::vector<XrpCompletion> done = queue.wait(1);
  if (done.size() != 1) throw std::logic_error("read_xrp: the queue returned " + std::to_string(done.size()) + " requests for one");
  return std::move(done.front().outcome);
}

}  // namespace sbpf::xrp
