// The distance a guarded access's address keeps from another register
// (annotations.h, RelativeRange), read off the difference bounds: what lets
// an engine check a loop's accesses once when the loop is entered.
#pragma once

#include <cstdint>

#include "verifier/abstract_state.h"
#include "verifier/annotations.h"

namespace sbpf::verifier {

// Among the registers `loop_writes` leaves alone (bit r: register r may
// change in the innermost loop around the access), the pointer into the
// same single region as `base` whose distance to the address `base` +
// `offset` is bounded both ways, the tightest such; none when `base` is a
// stack pointer or no register qualifies.
RelativeRange relative_range(const AbstractState& s, int base, int64_t offset, uint16_t loop_writes,
                             int stack_region);

// The fact that holds wherever either holds: the hull of two ranges from
// the same register, else none.
RelativeRange join(const RelativeRange& a, const RelativeRange& b);

}  // namespace sbpf::verifier
