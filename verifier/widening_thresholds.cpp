#include "verifier/widening_thresholds.h"

#include <algorithm>

namespace sbpf::verifier {

namespace {

template <typename T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The smallest threshold >= x, or `limit`.
template <typename T>
T up_to(const std::vector<T>& thresholds, T x, T limit) {
  auto it = std::lower_bound(thresholds.begin(), thresholds.end(), x);
  return it == thresholds.end() ? limit : *it;
}

// The largest threshold <= x, or `limit`.
template <typename T>
T down_to(const std::vector<T>& thresholds, T x, T limit) {
  auto it = std::upper_bound(thresholds.begin(), thresholds.end(), x);
  return it == thresholds.begin() ? limit : *std::prev(it);
}

// The tnum widening (a member named widen hides it below).
Tnum widen_bits(const Tnum& old, const Tnum& next) { return widen(old, next); }

}  // namespace

WideningThresholds::WideningThresholds(const std::vector<int64_t>& constants) {
  for (int64_t k : constants) {
    for (uint64_t d : {~uint64_t{0}, uint64_t{0}, uint64_t{1}}) {  // -1, 0, +1, wrapping
      const uint64_t v = static_cast<uint64_t>(k) + d;
      unsigned_.push_back(v);
      signed_.push_back(static_cast<int64_t>(v));
    }
  }
  sort_unique(unsigned_);
  sort_unique(signed_);
}

Scalar WideningThresholds::widen(const Scalar& old, const Scalar& next) const {
  if (old.is_bottom()) return next;
  Scalar r;
  r.umin = next.umin < old.umin ? down_to(unsigned_, next.umin, uint64_t{0}) : old.umin;
  r.umax = next.umax > old.umax ? up_to(unsigned_, next.umax, Scalar::kUMax) : old.umax;
  r.smin = next.smin < old.smin ? down_to(signed_, next.smin, Scalar::kSMin) : old.smin;
  r.smax = next.smax > old.smax ? up_to(signed_, next.smax, Scalar::kSMax) : old.smax;
  r.bits = widen_bits(old.bits, next.bits);
  r.normalize();
  return r;
}

}  // namespace sbpf::verifier
