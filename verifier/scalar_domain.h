// The numeric domain: a reduced product of unsigned and signed intervals and
// known bits, the shape of the Linux verifier's scalar bounds. Generic in
// the word width: 64-bit for registers, 32-bit for sub-register operations,
// 8-bit for exhaustive tests. Every transfer function over-approximates the
// concrete operation of RFC 9669, wrap-around, division by zero and shift
// masking included; the soundness tests check each of them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include "verifier/tnum.h"

namespace sbpf::verifier {

template <typename U>
struct BasicScalar {
  static_assert(std::is_unsigned_v<U>);
  using S = std::make_signed_t<U>;
  using T = BasicTnum<U>;
  static constexpr int kBits = sizeof(U) * 8;
  static constexpr U kUMax = std::numeric_limits<U>::max();
  static constexpr S kSMin = std::numeric_limits<S>::min();
  static constexpr S kSMax = std::numeric_limits<S>::max();

  U umin = 0;
  U umax = kUMax;
  S smin = kSMin;
  S smax = kSMax;
  T bits = T::unknown();

  static constexpr BasicScalar top() { return {}; }
  static constexpr BasicScalar constant(U v) { return {v, v, static_cast<S>(v), static_cast<S>(v), T::constant(v)}; }
  static constexpr BasicScalar unsigned_range(U lo, U hi) {
    BasicScalar r;
    r.umin = lo;
    r.umax = hi;
    r.normalize();
    return r;
  }
  static constexpr BasicScalar signed_range(S lo, S hi) {
    BasicScalar r;
    r.smin = lo;
    r.smax = hi;
    r.normalize();
    return r;
  }

  constexpr bool is_const() const { return umin == umax; }
  constexpr bool is_top() const { return *this == top(); }
  // Empty: no concrete value satisfies all components (an infeasible path).
  // Only what is certain: a bound need not itself be a member of `bits`
  // (umin = 25 with bits "multiple of 8" still holds 32), so emptiness is
  // crossed bounds, which normalize() also produces when `bits` and the
  // range do not meet.
  constexpr bool is_bottom() const { return umin > umax || smin > smax; }
  constexpr bool contains(U x) const {
    return x >= umin && x <= umax && static_cast<S>(x) >= smin && static_cast<S>(x) <= smax && bits.contains(x);
  }
  // True when every value is in [0, kSMax]: signed and unsigned agree.
  constexpr bool non_negative() const { return umax <= static_cast<U>(kSMax); }
  friend constexpr bool operator==(const BasicScalar&, const BasicScalar&) = default;
  friend constexpr bool operator<=(const BasicScalar& a, const BasicScalar& b) {
    return a.umin >= b.umin && a.umax <= b.umax && a.smin >= b.smin && a.smax <= b.smax && a.bits <= b.bits;
  }

  // Lets each component learn from the others until nothing changes: each
  // round only tightens, and the known bits can tighten at most once per
  // bit, so this ends. A bottom result stays detectable by is_bottom().
  constexpr void normalize() {
    for (int round = 0; round <= kBits + 2; ++round) {
      const BasicScalar before = *this;
      // Known bits bound both orders.
      umin = std::max(umin, bits.umin());
      umax = std::min(umax, bits.umax());
      const U sign = static_cast<U>(U{1} << (kBits - 1));
      smin = std::max(smin, static_cast<S>(bits.value | (bits.mask & sign)));
      smax = std::min(smax, static_cast<S>(bits.value | (bits.mask & ~sign)));
      // A signed range on one side of zero is an unsigned range, and back.
      if (smin >= 0 || smax < 0) {
        umin = std::max(umin, static_cast<U>(smin));
        umax = std::min(umax, static_cast<U>(smax));
      }
      if (static_cast<S>(umin) <= static_cast<S>(umax) && (umax <= static_cast<U>(kSMax) || umin > static_cast<U>(kSMax))) {
        smin = std::max(smin, static_cast<S>(umin));
        smax = std::min(smax, static_cast<S>(umax));
      }
      if (umin > umax || smin > smax) return;
      bool ok = true;
      bits = meet(bits, T::range(umin, umax), ok);
      if (!ok) {
        umin = kUMax;  // bottom
        umax = 0;
        return;
      }
      if (*this == before) return;
    }
  }

  friend constexpr BasicScalar join(const BasicScalar& a, const BasicScalar& b) {
    if (a.is_bottom()) return b;
    if (b.is_bottom()) return a;
    BasicScalar r{std::min(a.umin, b.umin), std::max(a.umax, b.umax), std::min(a.smin, b.smin),
                  std::max(a.smax, b.smax), join(a.bits, b.bits)};
    r.normalize();
    return r;
  }
  // Standard interval widening: a bound that moved jumps to its limit.
  // Known bits form a finite lattice and need none.
  friend constexpr BasicScalar widen(const BasicScalar& old, const BasicScalar& next) {
    if (old.is_bottom()) return next;
    BasicScalar r;
    r.umin = next.umin < old.umin ? 0 : old.umin;
    r.umax = next.umax > old.umax ? kUMax : old.umax;
    r.smin = next.smin < old.smin ? kSMin : old.smin;
    r.smax = next.smax > old.smax ? kSMax : old.smax;
    r.bits = widen(old.bits, next.bits);
    r.normalize();
    return r;
  }
  // Narrowing: both `old` and `next` (a descending round's recomputation
  // from a post-fixpoint) hold every value that reaches the point, so
  // their intersection does too. The analysis runs a bounded number of
  // descending rounds, which is what ends them; a bound widening sent to
  // its limit and that the known bits then pulled in (UMAX - 7 for a
  // multiple of 8) comes back like any other.
  friend constexpr BasicScalar narrow(const BasicScalar& old, const BasicScalar& next) {
    bool ok = true;
    BasicScalar r{std::max(old.umin, next.umin), std::min(old.umax, next.umax), std::max(old.smin, next.smin),
                  std::min(old.smax, next.smax), meet(old.bits, next.bits, ok)};
    if (!ok) return next;
    r.normalize();
    return r.is_bottom() ? next : r;
  }
  friend constexpr std::optional<BasicScalar> meet(const BasicScalar& a, const BasicScalar& b) {
    bool ok = true;
    BasicScalar r{std::max(a.umin, b.umin), std::min(a.umax, b.umax), std::max(a.smin, b.smin),
                  std::min(a.smax, b.smax), meet(a.bits, b.bits, ok)};
    if (!ok) return std::nullopt;
    r.normalize();
    if (r.is_bottom()) return std::nullopt;
    return r;
  }

  // ---- arithmetic (each result normalised) ----

  friend constexpr BasicScalar operator+(const BasicScalar& a, const BasicScalar& b) {
    BasicScalar r;
    U lo, hi;
    const bool lo_wraps = __builtin_add_overflow(a.umin, b.umin, &lo);
    const bool hi_wraps = __builtin_add_overflow(a.umax, b.umax, &hi);
    if (lo_wraps == hi_wraps) r.umin = lo, r.umax = hi;  // both sums wrapped by the same 2^n, or neither
    S slo, shi;
    const bool slo_over = __builtin_add_overflow(a.smin, b.smin, &slo);
    const bool shi_over = __builtin_add_overflow(a.smax, b.smax, &shi);
    if (!slo_over && !shi_over) r.smin = slo, r.smax = shi;
    r.bits = a.bits + b.bits;
    r.normalize();
    return r;
  }
  friend constexpr BasicScalar operator-(const BasicScalar& a, const BasicScalar& b) {
    BasicScalar r;
    U lo, hi;
    const bool lo_wraps = __builtin_sub_overflow(a.umin, b.umax, &lo);
    const bool hi_wraps = __builtin_sub_overflow(a.umax, b.umin, &hi);
    if (lo_wraps == hi_wraps) r.umin = lo, r.umax = hi;
    S slo, shi;
    const bool slo_over = __builtin_sub_overflow(a.smin, b.smax, &slo);
    const bool shi_over = __builtin_sub_overflow(a.smax, b.smin, &shi);
    if (!slo_over && !shi_over) r.smin = slo, r.smax = shi;
    r.bits = a.bits - b.bits;
    r.normalize();
    return r;
  }
  friend constexpr BasicScalar operator*(const BasicScalar& a, const BasicScalar& b) {
    BasicScalar r;
    U hi;
    if (!__builtin_mul_overflow(a.umax, b.umax, &hi)) r.umin = a.umin * b.umin, r.umax = hi;
    S c[4];
    const bool over = __builtin_mul_overflow(a.smin, b.smin, &c[0]) || __builtin_mul_overflow(a.smin, b.smax, &c[1]) ||
                      __builtin_mul_overflow(a.smax, b.smin, &c[2]) || __builtin_mul_overflow(a.smax, b.smax, &c[3]);
    if (!over) r.smin = *std::min_element(c, c + 4), r.smax = *std::max_element(c, c + 4);
    r.bits = a.bits * b.bits;
    r.normalize();
    return r;
  }
  friend constexpr BasicScalar operator&(const BasicScalar& a, const BasicScalar& b) {
    BasicScalar r;
    r.umax = std::min(a.umax, b.umax);
    if (a.smin >= 0 || b.smin >= 0) r.smin = 0;  // one non-negative operand clears the sign
    if (a.smin >= 0 && b.smin >= 0) r.smax = std::min(a.smax, b.smax);
    r.bits = a.bits & b.bits;
    r.normalize();
    return r;
  }
  friend constexpr BasicScalar operator|(const BasicScalar& a, const BasicScalar& b) {
    BasicScalar r;
    r.umin = std::max(a.umin, b.umin);
    if (a.smax < 0 || b.smax < 0) r.smax = -1;  // an always-negative operand keeps the sign
    r.bits = a.bits | b.bits;
    r.normalize();
    return r;
  }
  friend constexpr BasicScalar operator^(const BasicScalar& a, const BasicScalar& b) {
    BasicScalar r;
    r.bits = a.bits ^ b.bits;
    r.normalize();
    return r;
  }
  // BPF division: x / 0 = 0.
  friend constexpr BasicScalar udiv(const BasicScalar& a, const BasicScalar& b) {
    if (a.is_const() && b.is_const()) return constant(b.umin == 0 ? 0 : a.umin / b.umin);
    if (b.umax == 0) return constant(0);
    const U lo = b.umin == 0 ? 0 : a.umin / b.umax;
    return unsigned_range(lo, a.umax / std::max<U>(b.umin, 1));
  }
  // BPF modulo: x % 0 = x.
  friend constexpr BasicScalar umod(const BasicScalar& a, const BasicScalar& b) {
    if (a.is_const() && b.is_const()) return constant(b.umin == 0 ? a.umin : a.umin % b.umin);
    if (a.umax < b.umin) return a;  // x % y = x whenever x < y
    const U hi = b.umin == 0 ? a.umax : std::min<U>(a.umax, b.umax - 1);
    return unsigned_range(0, hi);
  }
  // Signed division and modulo: y = 0 as above, MIN / -1 = MIN, MIN % -1 = 0.
  friend constexpr BasicScalar sdiv(const BasicScalar& a, const BasicScalar& b) {
    if (a.is_const() && b.is_const()) {
      const S x = static_cast<S>(a.umin), y = static_cast<S>(b.umin);
      if (y == 0) return constant(0);
      if (y == -1) return constant(static_cast<U>(U{0} - a.umin));
      return constant(static_cast<U>(x / y));
    }
    // Positive by positive stays inside the dividend's range.
    if (a.smin >= 0 && b.smin >= 0) return udiv(a, b);
    return top();
  }
  friend constexpr BasicScalar smod(const BasicScalar& a, const BasicScalar& b) {
    if (a.is_const() && b.is_const()) {
      const S x = static_cast<S>(a.umin), y = static_cast<S>(b.umin);
      if (y == 0) return a;
      if (y == -1) return constant(0);
      return constant(static_cast<U>(x % y));
    }
    if (a.smin >= 0 && b.smin >= 0) return umod(a, b);
    return top();
  }
  friend constexpr BasicScalar neg(const BasicScalar& a) { return constant(0) - a; }

  // Shifts: the amount is masked to the width, as BPF does.
  constexpr BasicScalar shl_by(int k) const {
    BasicScalar r;
    if (umax <= static_cast<U>(kUMax >> k)) r.umin = static_cast<U>(umin << k), r.umax = static_cast<U>(umax << k);
    r.bits = bits.shl(k);
    r.normalize();
    return r;
  }
  constexpr BasicScalar shr_by(int k) const {
    BasicScalar r;
    r.umin = static_cast<U>(umin >> k);
    r.umax = static_cast<U>(umax >> k);
    r.bits = bits.shr(k);
    r.normalize();
    return r;
  }
  constexpr BasicScalar sar_by(int k) const {
    BasicScalar r;
    r.smin = static_cast<S>(smin >> k);
    r.smax = static_cast<S>(smax >> k);
    r.bits = bits.sar(k);
    r.normalize();
    return r;
  }
  template <typename Shift>
  static constexpr BasicScalar shift(const BasicScalar& a, const BasicScalar& amount, Shift by) {
    if (amount.is_const()) return (a.*by)(static_cast<int>(amount.umin & (kBits - 1)));
    // Join over every amount the masked count may take.
    int lo = 0, hi = kBits - 1;
    if (amount.umax < static_cast<U>(kBits)) lo = static_cast<int>(amount.umin), hi = static_cast<int>(amount.umax);
    BasicScalar r = (a.*by)(lo);
    for (int k = lo + 1; k <= hi; ++k) r = join(r, (a.*by)(k));
    return r;
  }
  friend constexpr BasicScalar shl(const BasicScalar& a, const BasicScalar& k) { return shift(a, k, &BasicScalar::shl_by); }
  friend constexpr BasicScalar shr(const BasicScalar& a, const BasicScalar& k) { return shift(a, k, &BasicScalar::shr_by); }
  friend constexpr BasicScalar sar(const BasicScalar& a, const BasicScalar& k) { return shift(a, k, &BasicScalar::sar_by); }

  // The low bits as a narrower word.
  template <typename V>
  constexpr BasicScalar<V> truncate() const {
    BasicScalar<V> r;
    constexpr int kNarrow = sizeof(V) * 8;
    if constexpr (kNarrow < kBits) {
      if ((umin >> kNarrow) == (umax >> kNarrow)) r.umin = static_cast<V>(umin), r.umax = static_cast<V>(umax);
      if (smin >= static_cast<S>(BasicScalar<V>::kSMin) && smax <= static_cast<S>(BasicScalar<V>::kSMax))
        r.smin = static_cast<typename BasicScalar<V>::S>(smin), r.smax = static_cast<typename BasicScalar<V>::S>(smax);
    }
    r.bits = {static_cast<V>(bits.value), static_cast<V>(bits.mask)};
    r.normalize();
    return r;
  }
  // A narrower word zero-extended to this width.
  template <typename V>
  static constexpr BasicScalar zero_extend(const BasicScalar<V>& n) {
    BasicScalar r;
    r.umin = n.umin;
    r.umax = n.umax;
    r.bits = {n.bits.value, n.bits.mask};
    r.normalize();
    return r;
  }
  // A narrower word sign-extended to this width.
  template <typename V>
  static constexpr BasicScalar sign_extend(const BasicScalar<V>& n) {
    using NS = typename BasicScalar<V>::S;
    BasicScalar r;
    r.smin = n.smin;
    r.smax = n.smax;
    r.bits = {static_cast<U>(static_cast<S>(static_cast<NS>(n.bits.value))),
              static_cast<U>(static_cast<S>(static_cast<NS>(n.bits.mask)))};
    r.normalize();
    return r;
  }
};

using Scalar = BasicScalar<uint64_t>;
using Scalar32 = BasicScalar<uint32_t>;

}  // namespace sbpf::verifier
