#include "verifier/region_kind.h"

namespace sbpf::verifier {

const char* region_name(RegionKind kind) {
  switch (kind) {
    case RegionKind::kCtx: return "ctx";
    case RegionKind::kInput: return "input";
    case RegionKind::kOutput: return "output";
    case RegionKind::kStack: return "stack";
    case RegionKind::kScratch: return "scratch";
    case RegionKind::kRodata: return "rodata";
    case RegionKind::kData: return "data";
    case RegionKind::kHeap: return "heap";
    case RegionKind::kMemory: return "memory";
  }
  return "?";
}

std::string region_set_name(RegionSet set) {
  if ((set & ~kPointerSlotAccess) == kAllRegionKinds) return "any region";
  std::string out;
  for (int k = 0; k < kNumRegionKinds; ++k)
    if (set & (1u << k)) out += (out.empty() ? "" : "|") + std::string(region_name(static_cast<RegionKind>(k)));
  if (set & kPointerSlotAccess) out += " (an address slot)";
  return out;
}

}  // namespace sbpf::verifier
