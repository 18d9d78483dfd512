// Known bits ("tnums"): a value whose bits are each known 0, known 1 or
// unknown. `mask` has a 1 for every unknown bit; `value` holds the known
// ones (and 0 under the mask). The transfer functions are the classic ones
// of the Linux verifier's tnum domain, generic in the word width so that the
// 8-bit instance can be checked exhaustively and the 64-bit one with Z3.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace sbpf::verifier {

template <typename U>
struct BasicTnum {
  static_assert(std::is_unsigned_v<U>);
  static constexpr int kBits = sizeof(U) * 8;

  U value = 0;
  U mask = static_cast<U>(~U{0});

  static constexpr BasicTnum constant(U v) { return {v, 0}; }
  static constexpr BasicTnum unknown() { return {0, static_cast<U>(~U{0})}; }
  // The bits shared by every value in [min, max].
  static constexpr BasicTnum range(U min, U max) {
    const U differing = min ^ max;
    if (differing == 0) return constant(min);
    const int bits = kBits - std::countl_zero(differing);
    const U below = bits >= kBits ? static_cast<U>(~U{0}) : static_cast<U>((U{1} << bits) - 1);
    return {static_cast<U>(min & ~below), below};
  }

  constexpr bool is_const() const { return mask == 0; }
  constexpr bool contains(U x) const { return static_cast<U>(x & ~mask) == value; }
  // The smallest and largest values, unsigned.
  constexpr U umin() const { return value; }
  constexpr U umax() const { return static_cast<U>(value | mask); }
  friend constexpr bool operator==(const BasicTnum&, const BasicTnum&) = default;
  // True when every value of `a` is a value of `b`.
  friend constexpr bool operator<=(const BasicTnum& a, const BasicTnum& b) {
    return (a.mask & ~b.mask) == 0 && static_cast<U>(a.value & ~b.mask) == b.value;
  }

  friend constexpr BasicTnum join(const BasicTnum& a, const BasicTnum& b) {
    const U mu = a.mask | b.mask | (a.value ^ b.value);
    return {static_cast<U>(a.value & ~mu), mu};
  }
  // Widening: when the join adds unknown bits, every bit from the lowest
  // unknown one up becomes unknown, and only the known bits below it (an
  // alignment) stay. A value that keeps growing is then not followed one
  // bit at a time.
  friend constexpr BasicTnum widen(const BasicTnum& old, const BasicTnum& next) {
    const BasicTnum j = join(old, next);
    if (j == old) return old;
    const U lowest = static_cast<U>(j.mask & static_cast<U>(static_cast<U>(~j.mask) + 1));
    const U unknown = static_cast<U>(~static_cast<U>(lowest - 1));
    return {static_cast<U>(j.value & ~unknown), unknown};
  }
  // Intersection; `ok` is false when no value is in both.
  friend constexpr BasicTnum meet(const BasicTnum& a, const BasicTnum& b, bool& ok) {
    ok = static_cast<U>((a.value ^ b.value) & ~(a.mask | b.mask)) == 0;
    return {static_cast<U>(a.value | b.value), static_cast<U>(a.mask & b.mask)};
  }

  friend constexpr BasicTnum operator+(const BasicTnum& a, const BasicTnum& b) {
    const U sm = a.mask + b.mask;
    const U sv = a.value + b.value;
    const U sigma = sm + sv;
    const U chi = sigma ^ sv;
    const U mu = chi | a.mask | b.mask;
    return {static_cast<U>(sv & ~mu), mu};
  }
  friend constexpr BasicTnum operator-(const BasicTnum& a, const BasicTnum& b) {
    const U dv = a.value - b.value;
    const U alpha = dv + a.mask;
    const U beta = dv - b.mask;
    const U chi = alpha ^ beta;
    const U mu = chi | a.mask | b.mask;
    return {static_cast<U>(dv & ~mu), mu};
  }
  friend constexpr BasicTnum operator&(const BasicTnum& a, const BasicTnum& b) {
    const U alpha = a.value | a.mask;
    const U beta = b.value | b.mask;
    const U v = a.value & b.value;
    return {v, static_cast<U>(alpha & beta & ~v)};
  }
  friend constexpr BasicTnum operator|(const BasicTnum& a, const BasicTnum& b) {
    const U v = a.value | b.value;
    const U mu = a.mask | b.mask;
    return {v, static_cast<U>(mu & ~v)};
  }
  friend constexpr BasicTnum operator^(const BasicTnum& a, const BasicTnum& b) {
    const U v = a.value ^ b.value;
    const U mu = a.mask | b.mask;
    return {static_cast<U>(v & ~mu), mu};
  }
  // Long multiplication: each bit of `a` adds a shifted `b` if known set,
  // and an unknown amount up to it if unknown.
  friend constexpr BasicTnum operator*(BasicTnum a, BasicTnum b) {
    // Narrow words promote to int, where the product could overflow.
    using Wide = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;
    const U exact = static_cast<U>(static_cast<Wide>(a.value) * static_cast<Wide>(b.value));
    BasicTnum uncertain = constant(0);
    while (a.value != 0 || a.mask != 0) {
      if (a.value & 1)
        uncertain = uncertain + BasicTnum{0, b.mask};
      else if (a.mask & 1)
        uncertain = uncertain + BasicTnum{0, static_cast<U>(b.value | b.mask)};
      a = a.shr(1);
      b = b.shl(1);
    }
    return constant(exact) + uncertain;
  }

  // Shifts by a known amount below kBits.
  constexpr BasicTnum shl(int k) const { return {static_cast<U>(value << k), static_cast<U>(mask << k)}; }
  constexpr BasicTnum shr(int k) const { return {static_cast<U>(value >> k), static_cast<U>(mask >> k)}; }
  constexpr BasicTnum sar(int k) const {
    using S = std::make_signed_t<U>;
    return {static_cast<U>(static_cast<S>(value) >> k), static_cast<U>(static_cast<S>(mask) >> k)};
  }
};

using Tnum = BasicTnum<uint64_t>;

}  // namespace sbpf::verifier
