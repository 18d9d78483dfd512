#include "verifier/abstract_value.h"

#include <bit>

namespace sbpf::verifier {

namespace {

// Values of different kinds, or pointers that cannot be one pointer, join to
// "unusable": reading it later is an error, which is what a program that
// mixes them deserves.
bool joinable(const Value& a, const Value& b, int stack_region) {
  if (a.kind != b.kind) return false;
  if (!a.is_pointer()) return true;
  const RegionIds stack = RegionIds{1} << stack_region;
  if (((a.regions | b.regions) & stack) != 0 && (a.regions != b.regions || a.frame != b.frame)) return false;
  return true;
}

}  // namespace

Value join(const Value& a, const Value& b, int stack_region) {
  if (!joinable(a, b, stack_region)) return Value::uninit();
  if (!a.is_init()) return a;
  Value r = a;
  r.num = join(a.num, b.num);
  r.regions = a.regions | b.regions;
  r.maybe_null = a.maybe_null || b.maybe_null;
  return r;
}

Value widen(const Value& old, const Value& next, int stack_region, const LoopThresholds& thresholds) {
  if (!joinable(old, next, stack_region)) return Value::uninit();
  if (!old.is_init()) return old;
  Value r = old;
  const WideningThresholds* t = thresholds.numbers;
  if (old.is_pointer()) {
    const RegionIds regions = old.regions | next.regions;
    const bool one_region = (regions & (regions - 1)) == 0;
    t = one_region && thresholds.offsets ? &(*thresholds.offsets)[static_cast<size_t>(std::countr_zero(regions))]
                                         : nullptr;
  }
  r.num = t ? t->widen(old.num, next.num) : widen(old.num, next.num);
  r.regions = old.regions | next.regions;
  r.maybe_null = old.maybe_null || next.maybe_null;
  return r;
}

Value narrow(const Value& old, const Value& next) {
  if (old.kind != next.kind || !old.is_init()) return old;
  Value r = old;
  r.num = narrow(old.num, next.num);
  return r;
}

bool leq(const Value& a, const Value& b) {
  if (!b.is_init()) return true;  // "unusable" is the top of the lattice
  if (a.kind != b.kind) return false;
  if (a.is_pointer() && ((a.regions & ~b.regions) != 0 || a.frame != b.frame || (a.maybe_null && !b.maybe_null)))
    return false;
  return a.num <= b.num;
}

}  // namespace sbpf::verifier
