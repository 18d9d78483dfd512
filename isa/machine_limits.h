// The limits of the machine every sBPF engine implements, host and device
// alike, defined once: everything else names these.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sbpf::isa {

// The stack: 512 bytes per frame (r10 points one past the current frame's
// top), at most 8 frames, so bpf-to-bpf calls nest at most 7 deep.
inline constexpr size_t kStackFrameBytes = 512;
inline constexpr size_t kMaxFrames = 8;

// Backward jumps an invocation may take through loops the verifier could
// not bound: λ-IO's threshold, 16,777,215 ((16 << 20) - 1).
inline constexpr uint64_t kDefaultLoopBudget = (uint64_t{16} << 20) - 1;

// XRP: the scratch buffer shared by caller and program, and the reads one
// completion may ask for next (struct bpf_xrp's next_addr[] and size[]);
// a read is whole 512-byte blocks (XRP reads with O_DIRECT), at most 1 MiB.
inline constexpr size_t kXrpScratchBytes = 4096;
inline constexpr size_t kXrpMaxFanout = 16;
inline constexpr size_t kXrpBlockBytes = 512;
inline constexpr size_t kXrpMaxReadBytes = size_t{1} << 20;

}  // namespace sbpf::isa
