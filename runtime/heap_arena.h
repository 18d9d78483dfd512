// The per-invocation arena behind λ-IO's malloc (157) and free (158).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/region.h"

namespace sbpf::runtime {

// A bump allocator over one fixed buffer, mapped as the `heap` region. Blocks
// are 8-byte aligned. free() of the most recent block gives its space back;
// other frees are accepted and reclaimed at reset(), which the runtime calls
// between invocations. Simple on purpose: λ functions allocate a few buffers
// per invocation, and a fixed region keeps every heap pointer checkable.
class HeapArena {
 public:
  static constexpr uint64_t kDefaultCapacity = 1u << 20;

  explicit HeapArena(uint64_t capacity = kDefaultCapacity);

  // Program address of a new block, or 0 when the arena is exhausted.
  uint64_t allocate(uint64_t size);
  // False when `addr` is not a live block start.
  bool release(uint64_t addr);
  void reset();
  // reset(), and every byte back to zero: the arena as new, at the same
  // address (two engines compared on the same memory start alike).
  void clear();

  Region region();

 private:
  std::vector<uint8_t> buffer_;
  uint64_t top_ = 0;                  // bytes in use
  std::vector<uint64_t> block_starts_;  // offsets of live blocks, ascending
};

}  // namespace sbpf::runtime
