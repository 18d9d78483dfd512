#include "xrp_abi/bpfkv_queries.h"

#include <algorithm>
#include <cstring>

#include <sbpf/bpfkv.h>

namespace sbpf::xrp {
namespace {

static_assert(sizeof(bpfkv_scatter_gather_query) <= kScratchBytes);
static_assert(sizeof(bpfkv_range_query) <= kScratchBytes);

// One request with `query` at the start of a zeroed scratch buffer, as
// BPF-KV's user space sends it; the query comes back in `query`.
template <typename Query>
XrpOutcome run_query(XrpFunction& function, const XrpRequestRunner& run, Query& query, uint64_t first_read,
                     uint64_t max_reads) {
  std::vector<uint8_t> scratch(kScratchBytes, 0);
  std::memcpy(scratch.data(), &query, sizeof query);
  XrpRequest request{.offset = first_read, .scratch = scratch, .max_reads = max_reads, .file_size = std::nullopt};
  XrpOutcome outcome = run(function, request);
  std::memcpy(&query, scratch.data(), sizeof query);
  return outcome;
}

BpfkvQueryFailure request_failed(uint64_t request, const XrpFailure& failure) {
  return BpfkvQueryFailure{request, failure, ""};
}

BpfkvQueryFailure protocol_broken(uint64_t request, std::string what) {
  return BpfkvQueryFailure{request, std::nullopt, std::move(what)};
}

}  // namespace

std::string BpfkvQueryFailure::describe() const {
  if (xrp) return xrp->describe() + " in request " + std::to_string(request + 1);
  return protocol + " (request " + std::to_string(request + 1) + ")";
}

XrpRequestRunner synchronous_runner(const BlockReader& read) {
  return [read](XrpFunction& function, const XrpRequest& request) { return run_xrp_request(function, read, request); };
}

BpfkvGetOutcome bpfkv_xrp_get(XrpFunction& function, const BlockReader& read, std::span<const uint64_t> keys,
                              uint64_t max_reads) {
  return bpfkv_xrp_get(function, synchronous_runner(read), keys, max_reads);
}

BpfkvGetOutcome bpfkv_xrp_get(XrpFunction& function, const XrpRequestRunner& run, std::span<const uint64_t> keys,
                              uint64_t max_reads) {
  BpfkvGetOutcome outcome;
  for (size_t first = 0; first < keys.size(); first += BPFKV_SG_KEYS) {
    const size_t count = std::min<size_t>(BPFKV_SG_KEYS, keys.size() - first);
    bpfkv_scatter_gather_query query{};
    query.root_pointer = 0;
    query.n_keys = static_cast<int32_t>(count);
    std::copy_n(keys.begin() + first, count, query.keys);
    XrpOutcome request = run_query(function, run, query, query.root_pointer, max_reads);
    outcome.reads += request.reads;
    if (!request.ok()) {
      outcome.failure = request_failed(outcome.requests, *request.failure);
      return outcome;
    }
    ++outcome.requests;
    for (size_t i = 0; i < count; ++i) {
      const bpfkv_maybe_value& answer = query.values[i];
      if (answer.found == 0) {
        outcome.values.emplace_back(std::nullopt);
        continue;
      }
      BpfkvValue value;
      std::memcpy(value.data(), answer.value, value.size());
      outcome.values.emplace_back(value);
    }
  }
  return outcome;
}

bool BpfkvRange::contains(uint64_t key) const {
  if (begin_exclusive ? key <= begin : key < begin) return false;
  return end_inclusive ? key <= end : key < end;
}

BpfkvRangeOutcome bpfkv_xrp_range(XrpFunction& function, const BlockReader& read, const BpfkvRange& range,
                                  uint64_t max_reads) {
  return bpfkv_xrp_range(function, synchronous_runner(read), range, max_reads);
}

BpfkvRangeOutcome bpfkv_xrp_range(XrpFunction& function, const XrpRequestRunner& run, const BpfkvRange& range,
                                  uint64_t max_reads) {
  BpfkvRangeOutcome outcome;
  bpfkv_range_query query{};
  query.range_begin = range.begin;
  query.range_end = range.end;
  query.flags = (range.begin_exclusive ? BPFKV_RANGE_BEGIN_EXCLUSIVE : 0) |
                (range.end_inclusive ? BPFKV_RANGE_END_INCLUSIVE : 0);
  query.agg_op = range.sum ? BPFKV_AGG_SUM : BPFKV_AGG_NONE;
  query._state = BPFKV_RANGE_TRAVERSE;
  query._resume_from_leaf = 0;
  std::optional<uint64_t> last_key;

  while (!bpfkv_range_is_empty(&query)) {
    if (query._resume_from_leaf % kBlockBytes != 0) {
      outcome.failure = protocol_broken(outcome.requests, "the range function asks to go on at offset " +
                                                              std::to_string(query._resume_from_leaf) +
                                                              ", which is not a block's");
      return outcome;
    }
    const bpfkv_range_query before = query;
    XrpOutcome request = run_query(function, run, query, query._resume_from_leaf, max_reads);
    outcome.reads += request.reads;
    if (!request.ok()) {
      outcome.failure = request_failed(outcome.requests, *request.failure);
      return outcome;
    }
    const uint64_t this_request = outcome.requests++;

    if (query.len < 0 || query.len > BPFKV_RANGE_KEYS) {
      outcome.failure = protocol_broken(this_request, "the range function reports " + std::to_string(query.len) +
                                                          " pairs; kv[] holds 0 to " +
                                                          std::to_string(BPFKV_RANGE_KEYS));
      return outcome;
    }
    if (!range.sum) {
      for (int32_t i = 0; i < query.len; ++i) {
        const bpfkv_key_value& pair = query.kv[i];
        if (!range.contains(pair.key) || (last_key && pair.key <= *last_key)) {
          outcome.failure = protocol_broken(
              this_request, "the range function returned key " + std::to_string(pair.key) +
                                (range.contains(pair.key) ? ", not after the key before it (" +
                                                                std::to_string(*last_key) + ")"
                                                          : ", outside the range"));
          return outcome;
        }
        last_key = pair.key;
        BpfkvValue value;
        std::memcpy(value.data(), pair.value, value.size());
        outcome.pairs.emplace_back(pair.key, value);
      }
    }
    outcome.sum = query.agg_value;

    // A request that took nothing must at least have moved the scan on, or
    // asking again would get the same answer forever.
    const bool moved = query.len > 0 || query.range_begin != before.range_begin || query.flags != before.flags ||
                       query._resume_from_leaf != before._resume_from_leaf ||
                       query._node_key_ix != before._node_key_ix;
    query.len = 0;
    query._state = BPFKV_RANGE_RESUME;
    if (!moved && !bpfkv_range_is_empty(&query)) {
      outcome.failure = protocol_broken(this_request, "the range function neither returned a pair nor moved on");
      return outcome;
    }
  }
  return outcome;
}

}  // namespace sbpf::xrp
