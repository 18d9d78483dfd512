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

}  // namespace sbpf::verifier
