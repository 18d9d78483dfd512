// Time in the model: integer nanoseconds since the simulation began.
//
// Integers, never floating point: a sum of doubles can round differently
// with another compiler or flag, and the model promises byte-identical
// results for the same seed and profile on any machine.
#pragma once

#include <cstdint>

namespace sbpf::device_model {

using Nanoseconds = std::uint64_t;

// Picoseconds, for per-instruction and per-byte costs below a nanosecond
// (a 1.2 GHz core spends 833 ps a cycle); converted to nanoseconds once per
// operation, rounding up, so a cost never vanishes.
using Picoseconds = std::uint64_t;

inline constexpr Nanoseconds picoseconds_to_ns(Picoseconds ps) { return (ps + 999) / 1000; }

// Time to move `bytes` at `bytes_per_second`, rounded up to the next
// nanosecond. A rate of 0 means "instant" (a component left out).
Nanoseconds transfer_time(std::uint64_t bytes, std::uint64_t bytes_per_second);

}  // namespace sbpf::device_model
