// The XRP context ABI, shared with programs: `struct bpf_xrp` comes from the
// SDK header itself, so the runtime and the programs cannot disagree on it.
#pragma once

#include <cstdint>

#include "frontend/sdk/include/sbpf/xrp.h"

namespace sbpf::xrp {

using Context = ::bpf_xrp;

inline constexpr uint64_t kScratchBytes = SBPF_XRP_SCRATCH_SIZE;
inline constexpr uint64_t kMaxFanout = SBPF_XRP_MAX_FANOUT;
inline constexpr uint64_t kBlockBytes = SBPF_XRP_BLOCK_SIZE;

}  // namespace sbpf::xrp
