// BPF-KV's two queries through an XRP function, asked the way BPF-KV's user
// space asks them: point lookups BPFKV_SG_KEYS to a request (its
// ScatterGatherQuery) and range scans resumed request after request (its
// RangeQuery), with the scratch layouts of <sbpf/bpfkv.h>. Any function that
// speaks those layouts answers the same: sbpf's samples and BPF-KV's own
// programs alike.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "xrp_abi/bpfkv_database.h"
#include "xrp_abi/sync_resubmission.h"

namespace sbpf::xrp {

// A query that could not be answered: one of its requests failed, or the
// function's answer broke the query's protocol.
struct BpfkvQueryFailure {
  uint64_t request = 0;            // which request (0 = the first)
  std::optional<XrpFailure> xrp;   // the request itself failed
  std::string protocol;            // else: what was wrong with the answer

  std::string describe() const;
};

struct BpfkvGetOutcome {
  // One per key asked, in the order asked (nullopt: not found); on a
  // failure, the keys of the requests before it.
  std::vector<std::optional<BpfkvValue>> values;
  uint64_t requests = 0;
  uint64_t reads = 0;
  std::optional<BpfkvQueryFailure> failure;
};

// How a query's requests run: to their end, the scratch buffer updated.
// The overloads taking a BlockReader run them with run_xrp_request.
using XrpRequestRunner = std::function<XrpOutcome(XrpFunction& function, const XrpRequest& request)>;
XrpRequestRunner synchronous_runner(const BlockReader& read);

// Looks `keys` up, BPFKV_SG_KEYS per request, each request's first read at
// the root (offset 0). `max_reads` bounds each request.
BpfkvGetOutcome bpfkv_xrp_get(XrpFunction& function, const BlockReader& read, std::span<const uint64_t> keys,
                              uint64_t max_reads = kDefaultMaxReads);
BpfkvGetOutcome bpfkv_xrp_get(XrpFunction& function, const XrpRequestRunner& run, std::span<const uint64_t> keys,
                              uint64_t max_reads = kDefaultMaxReads);

// A range as BPF-KV's RangeQuery states it: [begin, end) unless the flags
// say otherwise.
struct BpfkvRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool begin_exclusive = false;
  bool end_inclusive = false;
  // BPFKV_AGG_SUM: no pairs, only the sum of the values' first 8 bytes as
  // little-endian signed 64-bit numbers, wrapping.
  bool sum = false;

  bool contains(uint64_t key) const;
};

struct BpfkvRangeOutcome {
  std::vector<std::pair<uint64_t, BpfkvValue>> pairs;  // in key order
  int64_t sum = 0;
  uint64_t requests = 0;
  uint64_t reads = 0;
  std::optional<BpfkvQueryFailure> failure;  // the pairs before it are kept
};

// Scans `range`: the first request reads the root, each next one the leaf
// the function names in _resume_from_leaf, until the function empties the
// range. Each request's pairs must come in increasing key order, inside the
// range, and each request must take a pair or move the scan on: a function
// that does not fails the scan instead of looping. `max_reads` bounds each
// request (a sum is a single request).
BpfkvRangeOutcome bpfkv_xrp_range(XrpFunction& function, const BlockReader& read, const BpfkvRange& range,
                                  uint64_t max_reads = kDefaultMaxReads);
BpfkvRangeOutcome bpfkv_xrp_range(XrpFunction& function, const XrpRequestRunner& run, const BpfkvRange& range,
                                  uint64_t max_reads = kDefaultMaxReads);

}  // namespace sbpf::xrp
