#include "device_model/seeded_random.h"

#include <limits>

namespace sbpf::device_model {

std::uint64_t SeededRandom::below(std::uint64_t bound) {
  if (bound == 0) return 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  // 2^64 mod bound: the top `excess` values would make the low residues
  // more likely, so they are drawn again.
  const std::uint64_t excess = (kMax % bound + 1) % bound;
  for (;;) {
    std::uint64_t value = engine_();
    if (excess == 0 || value <= kMax - excess) return value % bound;
  }
}

std::int64_t SeededRandom::symmetric(std::uint64_t spread) {
  return static_cast<std::int64_t>(below(2 * spread + 1)) - static_cast<std::int64_t>(spread);
}

}  // namespace sbpf::device_model
