#include "verifier/difference_bounds.h"

#include <algorithm>

namespace sbpf::verifier {

DifferenceBounds::DifferenceBounds() {
  for (auto& row : m_) row.fill(kInfinity);
  for (int i = 0; i < kVariables; ++i) m_[i][i] = 0;
}

// Saturating: infinity absorbs, and finite sums beyond the 64-bit range are
// clamped (a looser bound is still a bound).
int64_t DifferenceBounds::sum(int64_t a, int64_t b) {
  if (a == kInfinity || b == kInfinity) return kInfinity;
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return a > 0 ? kInfinity : std::numeric_limits<int64_t>::min() / 2;
  return r == kInfinity ? kInfinity - 1 : r;
}

bool DifferenceBounds::add(int x, int y, int64_t c) {
  if (c >= m_[y][x]) return true;
  if (sum(c, m_[x][y]) < 0) return false;  // y - x <= d with c + d < 0: contradiction
  m_[y][x] = c;
  close_after(x, y);
  return true;
}

// Incremental closure after tightening x - y: every path a -> y -> x -> b
// may now be shorter. Only the b with a bound from x can be reached: they
// are found once, not for every a (the analysis closes after every bound
// it learns, and most variables are related to few others). The loop
// leaves x's row as it is: a path x -> y -> x is not negative (add()
// checked), so it shortens nothing.
void DifferenceBounds::close_after(int x, int y) {
  const int64_t c = m_[y][x];
  std::array<int, kVariables> reached;
  int count = 0;
  for (int b = 0; b < kVariables; ++b)
    if (m_[x][b] != kInfinity) reached[static_cast<size_t>(count++)] = b;
  for (int a = 0; a < kVariables; ++a) {
    const int64_t to_y = m_[a][y];
    if (to_y == kInfinity) continue;
    const int64_t to_x = sum(to_y, c);
    for (int i = 0; i < count; ++i) {
      const int b = reached[static_cast<size_t>(i)];
      const int64_t via = sum(to_x, m_[x][b]);
      if (via < m_[a][b]) m_[a][b] = via;
    }
  }
}

bool DifferenceBounds::bound(int x, int64_t lo, int64_t hi) {
  return add(x, kZero, hi) && (lo == std::numeric_limits<int64_t>::min() || add(kZero, x, -lo));
}

void DifferenceBounds::assign(int x, int y, int64_t c) { assign_range(x, y, c, c); }

void DifferenceBounds::assign_range(int x, int y, int64_t lo, int64_t hi) {
  if (x == y) {
    // x' = x + d, d in [lo, hi]: shift x's row and column.
    for (int k = 0; k < kVariables; ++k) {
      if (k == x) continue;
      m_[k][x] = sum(m_[k][x], hi);                                        // x' - k <= (x - k) + hi
      m_[x][k] = lo == std::numeric_limits<int64_t>::min() ? kInfinity : sum(m_[x][k], -lo);  // k - x' <= (k - x) - lo
    }
    return;
  }
  forget(x);
  for (int k = 0; k < kVariables; ++k) {
    if (k == x) continue;
    m_[k][x] = sum(m_[k][y], hi);
    m_[x][k] = lo == std::numeric_limits<int64_t>::min() ? kInfinity : sum(m_[y][k], -lo);
  }
  m_[y][x] = hi;
  m_[x][y] = lo == std::numeric_limits<int64_t>::min() ? kInfinity : -lo;
}

void DifferenceBounds::forget(int x) {
  for (int k = 0; k < kVariables; ++k) m_[k][x] = m_[x][k] = kInfinity;
  m_[x][x] = 0;
}

LengthBounds DifferenceBounds::length_bounds(int x) const {
  LengthBounds b;
  for (int k = 0; k < kMaxLengths; ++k) {
    b.above[k] = upper(x, length(k));
    b.below[k] = upper(length(k), x);
  }
  return b;
}

bool DifferenceBounds::restore(int x, const LengthBounds& bounds) {
  bool feasible = true;
  for (int k = 0; k < kMaxLengths; ++k) {
    feasible = feasible && add(x, length(k), bounds.above[k]);
    feasible = feasible && add(length(k), x, bounds.below[k]);
  }
  return feasible;
}

void DifferenceBounds::join_with(const DifferenceBounds& other) {
  for (int i = 0; i < kVariables; ++i)
    for (int j = 0; j < kVariables; ++j) m_[i][j] = std::max(m_[i][j], other.m_[i][j]);
}

void DifferenceBounds::widen_with(const DifferenceBounds& next) {
  for (int i = 0; i < kVariables; ++i)
    for (int j = 0; j < kVariables; ++j)
      if (next.m_[i][j] > m_[i][j]) m_[i][j] = kInfinity;
}

void DifferenceBounds::narrow_with(const DifferenceBounds& next) {
  for (int i = 0; i < kVariables; ++i)
    for (int j = 0; j < kVariables; ++j)
      if (m_[i][j] == kInfinity) m_[i][j] = next.m_[i][j];
}

bool DifferenceBounds::operator<=(const DifferenceBounds& other) const {
  for (int i = 0; i < kVariables; ++i)
    for (int j = 0; j < kVariables; ++j)
      if (m_[i][j] > other.m_[i][j]) return false;
  return true;
}

std::string DifferenceBounds::describe(const std::array<std::string, kVariables>& names,
                                      const std::array<std::array<int64_t, kVariables>, kVariables>& implied) const {
  std::string out;
  for (int y = 1; y < kVariables; ++y) {
    for (int x = 1; x < kVariables; ++x) {
      if (x == y || names[x].empty() || names[y].empty() || m_[y][x] >= implied[y][x]) continue;
      if (!out.empty()) out += ", ";
      out += names[x] + "-" + names[y] + "<=" + std::to_string(m_[y][x]);
    }
  }
  return out;
}

void LengthBounds::join_with(const LengthBounds& other) {
  for (int k = 0; k < DifferenceBounds::kMaxLengths; ++k) {
    above[k] = std::max(above[k], other.above[k]);
    below[k] = std::max(below[k], other.below[k]);
  }
}

void LengthBounds::widen_with(const LengthBounds& next) {
  for (int k = 0; k < DifferenceBounds::kMaxLengths; ++k) {
    if (next.above[k] > above[k]) above[k] = kInf;
    if (next.below[k] > below[k]) below[k] = kInf;
  }
}

void LengthBounds::narrow_with(const LengthBounds& next) {
  for (int k = 0; k < DifferenceBounds::kMaxLengths; ++k) {
    if (above[k] == kInf) above[k] = next.above[k];
    if (below[k] == kInf) below[k] = next.below[k];
  }
}

bool LengthBounds::operator<=(const LengthBounds& other) const {
  for (int k = 0; k < DifferenceBounds::kMaxLengths; ++k)
    if (above[k] > other.above[k] || below[k] > other.below[k]) return false;
  return true;
}

}  // namespace sbpf::verifier
