// The kinds of memory an invocation may touch. The verifier reasons about
// them, the engines map them to host address ranges (runtime/region.h).
#pragma once

#include <cstdint>
#include <string>

namespace sbpf::verifier {

enum class RegionKind : uint8_t {
  kCtx,      // the program's context structure
  kInput,    // λ input buffer, XRP data block (read-only)
  kOutput,   // λ output buffer
  kStack,    // 512 bytes per frame, the current frame and its callers
  kScratch,  // XRP scratch page shared with the caller
  kRodata,
  kData,     // .data and .bss
  kHeap,     // λ-IO malloc arena (helpers 157/158)
  kMemory,   // raw memory given on the command line or by the conformance suite
};
inline constexpr int kNumRegionKinds = 9;

const char* region_name(RegionKind kind);

// A set of region kinds, as a bit mask: what a pointer may point into.
using RegionSet = uint16_t;
inline constexpr RegionSet region_bit(RegionKind kind) { return static_cast<RegionSet>(1u << static_cast<int>(kind)); }
inline constexpr RegionSet kAllRegionKinds = (1u << kNumRegionKinds) - 1;

// Not a kind: in a guarded access's set, the access reads or writes one
// whole address slot of global data (isa::DataPointer), which the verifier
// proved is one of a few, some of them plain data: the run-time check then
// passes only for an 8-byte access at the start of a slot.
inline constexpr RegionSet kPointerSlotAccess = RegionSet{1} << 15;
static_assert(kNumRegionKinds < 15);

// "input|output", "any region" for kAllRegionKinds.
std::string region_set_name(RegionSet set);

}  // namespace sbpf::verifier
