#include "verifier/relative_range.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "verifier/difference_bounds.h"

namespace sbpf::verifier {

RelativeRange relative_range(const AbstractState& s, int base, int64_t offset, uint16_t loop_writes,
                             int stack_region) {
  using DB = DifferenceBounds;
  RelativeRange best;
  const Value& pointer = s.reg(base);
  if (!pointer.is_pointer() || std::popcount(pointer.regions) != 1 ||
      pointer.regions == (RegionIds{1} << stack_region))
    return best;
  int64_t best_width = std::numeric_limits<int64_t>::max();
  for (int r = 0; r < 10; ++r) {
    const Value& other = s.reg(r);
    if (r == base || (loop_writes >> r & 1) != 0 || !other.is_pointer() || other.maybe_null ||
        other.regions != pointer.regions)
      continue;
    // Both offsets are in the same region: their difference is the
    // addresses'. base - r in [-upper(r, base), upper(base, r)].
    const int64_t above = s.relations.upper(DB::reg(base), DB::reg(r));
    const int64_t below = s.relations.upper(DB::reg(r), DB::reg(base));
    if (above == DB::kInfinity || below == DB::kInfinity) continue;
    const __int128 low = -static_cast<__int128>(below) + offset, high = static_cast<__int128>(above) + offset;
    if (low < INT32_MIN || high > INT32_MAX || low > high || high - low >= best_width) continue;
    best = {static_cast<uint8_t>(r), static_cast<int32_t>(low), static_cast<int32_t>(high)};
    best_width = static_cast<int64_t>(high - low);
  }
  return best;
}

RelativeRange join(const RelativeRange& a, const RelativeRange& b) {
  if (a.base != b.base || a.base == RelativeRange::kNoBase) return {};
  return {a.base, std::min(a.low, b.low), std::max(a.high, b.high)};
}

}  // namespace sbpf::verifier
