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

}  // namespace sbpf::verifier
