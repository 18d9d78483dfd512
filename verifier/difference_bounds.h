// The relational domain: difference bounds (a zone, as in Miné's DBMs)
// between the registers of the current frame, the lengths of the regions
// whose length is not fixed, and zero. It proves the loops the interval
// domain cannot, such as
//
//     for (i = 0; i < ctx->size_i; i += 8) x += *(u64 *)(buf_i + i);
//
// where `i < size_i` and `input length >= size_i` give `i + 8 <= length`.
//
// Each variable stands for a mathematical integer: a scalar's value or a
// pointer's offset, read as signed 64-bit. The caller keeps a variable
// unconstrained unless the operations that defined it are free of signed
// overflow (which the interval domain knows), so every bound is a fact
// about machine values.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>

namespace sbpf::verifier {

struct LengthBounds;

class DifferenceBounds {
 public:
  static constexpr int kZero = 0;                 // the constant 0
  static constexpr int kFirstRegister = 1;        // r0..r10
  static constexpr int kFirstLength = 12;         // region lengths
  static constexpr int kMaxLengths = 4;
  static constexpr int kVariables = kFirstLength + kMaxLengths;
  static constexpr int64_t kInfinity = std::numeric_limits<int64_t>::max();

  static constexpr int reg(int r) { return kFirstRegister + r; }
  static constexpr int length(int index) { return kFirstLength + index; }

  DifferenceBounds();

  // The tightest known c with x - y <= c (kInfinity: none).
  int64_t upper(int x, int y) const { return m_[y][x]; }

  // Adds x - y <= c and closes the system. Returns false when the
  // constraints have become contradictory (an infeasible path).
  bool add(int x, int y, int64_t c);
  // x in [lo, hi].
  bool bound(int x, int64_t lo, int64_t hi);
  // x := y + c (y may be x itself).
  void assign(int x, int y, int64_t c);
  // x := a value in [lo, hi] relative to y: y + lo <= x <= y + hi.
  void assign_range(int x, int y, int64_t lo, int64_t hi);
  // Drops every constraint on x.
  void forget(int x);

  // x's bounds against the region lengths, and adding them back (to a
  // variable that holds the same value again); false when they contradict.
  LengthBounds length_bounds(int x) const;
  bool restore(int x, const LengthBounds& bounds);

  void join_with(const DifferenceBounds& other);
  void widen_with(const DifferenceBounds& next);
  // Tightens the bounds widening dropped to `next`'s.
  void narrow_with(const DifferenceBounds& next);
  bool operator<=(const DifferenceBounds& other) const;
  bool operator==(const DifferenceBounds& other) const = default;

  // The bounds between named variables that are tighter than `implied`
  // (what their intervals alone say): the relational facts worth showing.
  std::string describe(const std::array<std::string, kVariables>& names,
                       const std::array<std::array<int64_t, kVariables>, kVariables>& implied) const;

 private:
  static int64_t sum(int64_t a, int64_t b);
  void close_after(int x, int y);

  // m_[y][x] bounds x - y. Kept closed: every entry is the tightest bound the
  // others imply.
  std::array<std::array<int64_t, kVariables>, kVariables> m_;
};

// One value's bounds against the region lengths, kept with it while it sits
// in a stack slot: a spilled index or length keeps what it was known to be
// relative to its region, and a fill gives it back. Lengths are fixed for
// an invocation, so the bounds stay true however long the value waits.
struct LengthBounds {
  static constexpr int64_t kInf = DifferenceBounds::kInfinity;
  static_assert(DifferenceBounds::kMaxLengths == 4);
  std::array<int64_t, DifferenceBounds::kMaxLengths> above{kInf, kInf, kInf, kInf};  // x - len_k <= above[k]
  std::array<int64_t, DifferenceBounds::kMaxLengths> below{kInf, kInf, kInf, kInf};  // len_k - x <= below[k]

  void join_with(const LengthBounds& other);
  void widen_with(const LengthBounds& next);
  void narrow_with(const LengthBounds& next);
  bool operator<=(const LengthBounds& other) const;
  bool operator==(const LengthBounds&) const = default;
};

}  // namespace sbpf::verifier
