// The XRP context ABI, shared with programs: `struct bpf_xrp` comes from the
// SDK header itself, so the runtime and the programs cannot disagree on it.
#pragma once

#include <cstdint>

#include "frontend/sdk/include/sbpf/xrp.h"
#include "isa/machine_limits.h"

namespace sbpf::xrp {

using Context = ::bpf_xrp;

inline constexpr uint64_t kScratchBytes = isa::kXrpScratchBytes;
inline constexpr uint64_t kMaxFanout = isa::kXrpMaxFanout;
inline constexpr uint64_t kBlockBytes = isa::kXrpBlockBytes;
inline constexpr uint64_t kMaxReadBytes = isa::kXrpMaxReadBytes;
// The SDK's C header states the same limits to programs.
static_assert(SBPF_XRP_SCRATCH_SIZE == kScratchBytes && SBPF_XRP_MAX_FANOUT == kMaxFanout &&
              SBPF_XRP_BLOCK_SIZE == kBlockBytes);

}  // namespace sbpf::xrp
