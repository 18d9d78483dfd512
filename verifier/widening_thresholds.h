// Widening with thresholds. Plain widening sends a bound that moves at a
// loop head to its limit, and a loop that exits on `i != 12` or on
// `--n != 0` then never gets it back: the exit test cannot cut an infinite
// interval. Stopping first at the constants the loop compares with, and at
// their neighbours, finds the invariant i in [0, 11] instead.
#pragma once

#include <cstdint>
#include <vector>

#include "verifier/scalar_domain.h"

namespace sbpf::verifier {

class WideningThresholds {
 public:
  WideningThresholds() = default;
  // K - 1, K and K + 1 for every constant K.
  explicit WideningThresholds(const std::vector<int64_t>& constants);

  // widen(old, next), except that a bound that moved stops at the first
  // threshold at or past next's bound; only with none left, at its limit.
  Scalar widen(const Scalar& old, const Scalar& next) const;

 private:
  std::vector<uint64_t> unsigned_;  // sorted, unique
  std::vector<int64_t> signed_;     // sorted, unique
};

// What widening at one loop head may stop at: for numbers, the constants
// the loop's exit tests compare with; for a pointer's offset, its region's
// length bounds (a pointer walked to the end of its region stays below
// 2^62, where comparing it with another pointer is meaningful).
struct LoopThresholds {
  const WideningThresholds* numbers = nullptr;
  const std::vector<WideningThresholds>* offsets = nullptr;  // per region id
};

}  // namespace sbpf::verifier
