// Soundness of the numeric domains (verifier/tnum.h, verifier/scalar_domain.h)
// by enumeration at 8 bits: for abstract inputs a, b and every concrete
// x in γ(a), y in γ(b), the BPF result op(x, y) must lie in γ(op#(a, b)).
// γ is what contains() accepts, so each domain is held to its own definition
// of membership. A result that holds a concrete value must also not call
// itself bottom, since the analysis prunes bottom paths.
//
// All 3^8 tnums against all 3^8 tnums is 4.3G concrete checks per operation.
// The default tests take every tnum against every constant and a fixed
// random sample of pairs; DISABLED_Exhaustive* take every pair (so prove
// each operation at 8 bits) and run, with the other DISABLED_ tests, as the
// ctest `verifier_domain_exhaustive_test` (label `large`, a few minutes).
// Scalars have no practical "every pair": their inputs are every constant
// pair, then shapes (ranges with endpoints where arithmetic changes
// behaviour, known bits, both at once, random mixes of all components)
// paired at random up to a fixed number of concrete checks, 125 times more
// of them in DISABLED_LargeRandomShapePairs. An unoptimised build (the sanitizer run, some 20 times
// slower) takes the edge constants instead of all 256 and smaller samples.
// The 64-bit versions are proven with Z3 in domain_z3_proof_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "verifier/scalar_domain.h"
#include "verifier/tnum.h"
#include "verifier/widening_thresholds.h"

namespace sbpf::verifier {
namespace {

#ifdef NDEBUG
constexpr int kSampleScale = 8;
#else
constexpr int kSampleScale = 1;  // unoptimised, under the sanitizers
#endif

using T8 = BasicTnum<uint8_t>;
using S8 = BasicScalar<uint8_t>;
using S16 = BasicScalar<uint16_t>;

// ---- BPF semantics at 8 bits (RFC 9669) ----

uint8_t wrap(int v) { return static_cast<uint8_t>(v); }
int8_t as_signed(uint8_t v) { return static_cast<int8_t>(v); }

uint8_t bpf_add(uint8_t x, uint8_t y) { return wrap(x + y); }
uint8_t bpf_sub(uint8_t x, uint8_t y) { return wrap(x - y); }
uint8_t bpf_mul(uint8_t x, uint8_t y) { return wrap(x * y); }
uint8_t bpf_and(uint8_t x, uint8_t y) { return x & y; }
uint8_t bpf_or(uint8_t x, uint8_t y) { return x | y; }
uint8_t bpf_xor(uint8_t x, uint8_t y) { return x ^ y; }
uint8_t bpf_udiv(uint8_t x, uint8_t y) { return y == 0 ? 0 : x / y; }
uint8_t bpf_umod(uint8_t x, uint8_t y) { return y == 0 ? x : x % y; }
// Truncating division; MIN / -1 wraps to MIN and MIN % -1 is 0 (the int
// arithmetic below cannot overflow).
uint8_t bpf_sdiv(uint8_t x, uint8_t y) { return y == 0 ? 0 : wrap(as_signed(x) / as_signed(y)); }
uint8_t bpf_smod(uint8_t x, uint8_t y) { return y == 0 ? x : wrap(as_signed(x) % as_signed(y)); }
uint8_t bpf_neg(uint8_t x) { return wrap(-x); }
// The shift amount is masked to the width.
uint8_t bpf_shl(uint8_t x, uint8_t y) { return wrap(x << (y & 7)); }
uint8_t bpf_shr(uint8_t x, uint8_t y) { return x >> (y & 7); }
uint8_t bpf_sar(uint8_t x, uint8_t y) { return wrap(as_signed(x) >> (y & 7)); }

// ---- reporting ----

template <typename U>
std::string show(const BasicTnum<U>& t) {
  std::string s;
  for (int i = BasicTnum<U>::kBits - 1; i >= 0; --i) s += (t.mask >> i) & 1 ? 'x' : (t.value >> i) & 1 ? '1' : '0';
  return s;
}
template <typename U>
std::string show(const BasicScalar<U>& s) {
  std::ostringstream o;
  o << "{u[" << +s.umin << "," << +s.umax << "] s[" << +s.smin << "," << +s.smax << "] " << show(s.bits) << "}";
  return o.str();
}

// Counts failures and keeps the first few, so a broken operation reports a
// readable counterexample instead of millions of lines.
class Failures {
 public:
  void add(const std::string& what) {
    if (count_++ < 3) first_ += "  " + what + "\n";
  }
  uint64_t count() const { return count_; }
  const std::string& first() const { return first_; }

 private:
  uint64_t count_ = 0;
  std::string first_;
};

#define EXPECT_NO_FAILURES(f, name) EXPECT_EQ((f).count(), 0u) << (name) << ", first counterexamples:\n" << (f).first()

// Scalar checks keep apart the two ways a result can be wrong: it misses a
// concrete value, or it holds the value yet is_bottom() says it is empty.
struct Verdict {
  Failures misses, false_bottoms;
};
#define EXPECT_SOUND(v, name)                    \
  do {                                           \
    EXPECT_NO_FAILURES((v).misses, name);        \
    EXPECT_NO_FAILURES((v).false_bottoms, name); \
  } while (0)

// ---- tnums ----

std::vector<T8> all_tnums() {
  std::vector<T8> out;
  for (int code = 0; code < 6561; ++code) {  // 3^8: each bit 0, 1 or unknown
    T8 t{0, 0};
    for (int bit = 0, c = code; bit < 8; ++bit, c /= 3) {
      if (c % 3 == 1) t.value |= static_cast<uint8_t>(1u << bit);
      if (c % 3 == 2) t.mask |= static_cast<uint8_t>(1u << bit);
    }
    out.push_back(t);
  }
  return out;
}

template <typename U>
std::vector<U> members(const BasicTnum<U>& t) {
  std::vector<U> out;
  U sub = 0;
  do {
    out.push_back(static_cast<U>(t.value | sub));
    sub = static_cast<U>((sub - t.mask) & t.mask);  // the next subset of the mask
  } while (sub != 0);
  return out;
}

struct TnumUniverse {
  std::vector<T8> all = all_tnums();
  std::vector<std::vector<uint8_t>> gamma;
  TnumUniverse() {
    for (const T8& t : all) gamma.push_back(members(t));
  }
};
const TnumUniverse& tnums() {
  static const TnumUniverse u;
  return u;
}

// Unknown bits sparse or dense, so that samples reach both nearly constant
// and nearly unknown values.
T8 random_tnum(std::mt19937_64& rng) {
  const uint8_t sparse = static_cast<uint8_t>(rng() & rng() & rng());
  const uint8_t dense = static_cast<uint8_t>(rng() | rng());
  const uint8_t m = rng() % 2 ? sparse : dense;
  return {static_cast<uint8_t>(rng() & ~m), m};
}

using ConcreteOp = uint8_t (*)(uint8_t, uint8_t);

struct TnumBinary {
  const char* name;
  std::function<T8(const T8&, const T8&)> abstract;
  ConcreteOp concrete;
};
const std::vector<TnumBinary>& tnum_binaries() {
  static const std::vector<TnumBinary> ops = {
      {"+", [](const T8& a, const T8& b) { return a + b; }, bpf_add},
      {"-", [](const T8& a, const T8& b) { return a - b; }, bpf_sub},
      {"*", [](const T8& a, const T8& b) { return a * b; }, bpf_mul},
      {"&", [](const T8& a, const T8& b) { return a & b; }, bpf_and},
      {"|", [](const T8& a, const T8& b) { return a | b; }, bpf_or},
      {"^", [](const T8& a, const T8& b) { return a ^ b; }, bpf_xor},
  };
  return ops;
}

void check_tnum_pair(const TnumBinary& op, const T8& a, const std::vector<uint8_t>& ga, const T8& b,
                     const std::vector<uint8_t>& gb, Failures& f) {
  const T8 r = op.abstract(a, b);
  const auto keep = static_cast<uint8_t>(~r.mask);
  for (uint8_t x : ga)
    for (uint8_t y : gb) {
      const uint8_t z = op.concrete(x, y);
      if (static_cast<uint8_t>(z & keep) != r.value) {
        std::ostringstream o;
        o << show(a) << " " << op.name << " " << show(b) << " = " << show(r) << ", but " << +x << " " << op.name << " "
          << +y << " = " << +z;
        f.add(o.str());
        return;
      }
    }
}

template <typename U>
std::vector<U> edges();

// Every constant, or in an unoptimised build the edges (see edges()).
std::vector<uint8_t> test_constants() {
  if (kSampleScale == 1) return edges<uint8_t>();
  std::vector<uint8_t> all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<uint8_t>(c));
  return all;
}

TEST(TnumSoundness, EveryTnumAgainstEveryConstant) {
  const auto& u = tnums();
  const std::vector<uint8_t> constants = test_constants();
  for (const TnumBinary& op : tnum_binaries()) {
    Failures f;
    for (uint8_t c : constants) {
      const T8 k = T8::constant(c);
      const std::vector<uint8_t> gk = {c};
      for (size_t i = 0; i < u.all.size(); ++i) {
        check_tnum_pair(op, u.all[i], u.gamma[i], k, gk, f);
        check_tnum_pair(op, k, gk, u.all[i], u.gamma[i], f);
      }
    }
    EXPECT_NO_FAILURES(f, op.name);
  }
}

TEST(TnumSoundness, RandomPairs) {
  std::mt19937_64 rng(9669);
  for (const TnumBinary& op : tnum_binaries()) {
    Failures f;
    for (int n = 0; n < 2500 * kSampleScale; ++n) {
      const T8 a = random_tnum(rng), b = random_tnum(rng);
      check_tnum_pair(op, a, members(a), b, members(b), f);
    }
    EXPECT_NO_FAILURES(f, op.name);
  }
}

// Multiplication walks the bits of its left operand; many unknown bits on
// both sides is where its sum of partial products matters.
TEST(TnumSoundness, MultiplyWithManyUnknownBits) {
  const auto& u = tnums();
  const TnumBinary& mul = tnum_binaries()[2];
  std::vector<size_t> wide;
  for (size_t i = 0; i < u.all.size(); ++i)
    if (std::popcount(u.all[i].mask) >= 5) wide.push_back(i);
  std::mt19937_64 rng(5);
  Failures f;
  for (int n = 0; n < 400 * kSampleScale; ++n) {
    const size_t i = wide[rng() % wide.size()], j = wide[rng() % wide.size()];
    check_tnum_pair(mul, u.all[i], u.gamma[i], u.all[j], u.gamma[j], f);
  }
  EXPECT_NO_FAILURES(f, "*");
}

TEST(TnumSoundness, ShiftsByEveryAmount) {
  const auto& u = tnums();
  Failures f;
  for (size_t i = 0; i < u.all.size(); ++i)
    for (int k = 0; k < 8; ++k) {
      const T8 a = u.all[i];
      const T8 l = a.shl(k), r = a.shr(k), s = a.sar(k);
      const auto y = static_cast<uint8_t>(k);
      for (uint8_t x : u.gamma[i]) {
        if (!l.contains(bpf_shl(x, y))) f.add(show(a) + " shl " + std::to_string(k) + " = " + show(l));
        if (!r.contains(bpf_shr(x, y))) f.add(show(a) + " shr " + std::to_string(k) + " = " + show(r));
        if (!s.contains(bpf_sar(x, y))) f.add(show(a) + " sar " + std::to_string(k) + " = " + show(s));
      }
    }
  EXPECT_NO_FAILURES(f, "shifts");
}

// join must hold both sides; meet must hold the common values and report
// "no common value" only when there is none.
void check_join_meet(const T8& a, const std::vector<uint8_t>& ga, const T8& b, const std::vector<uint8_t>& gb,
                     Failures& f) {
  const T8 j = join(a, b);
  bool ok = true;
  const T8 m = meet(a, b, ok);
  for (uint8_t x : ga) {
    if (!j.contains(x)) f.add("join(" + show(a) + ", " + show(b) + ") = " + show(j) + " lost " + std::to_string(x));
    if (b.contains(x) && !(ok && m.contains(x)))
      f.add("meet(" + show(a) + ", " + show(b) + ") = " + show(m) + (ok ? "" : " (empty)") + " lost " +
            std::to_string(x));
  }
  for (uint8_t y : gb)
    if (!j.contains(y)) f.add("join(" + show(a) + ", " + show(b) + ") = " + show(j) + " lost " + std::to_string(y));
}

TEST(TnumSoundness, JoinAndMeetEveryTnumAgainstSample) {
  const auto& u = tnums();
  std::mt19937_64 rng(3);
  Failures f;
  for (size_t i = 0; i < u.all.size(); ++i)
    for (int n = 0; n < 5 * kSampleScale; ++n) {
      const size_t j = rng() % u.all.size();
      check_join_meet(u.all[i], u.gamma[i], u.all[j], u.gamma[j], f);
    }
  EXPECT_NO_FAILURES(f, "join/meet");
}

TEST(TnumSoundness, RangeHoldsItsInterval) {
  Failures f;
  for (int lo = 0; lo < 256; ++lo)
    for (int hi = lo; hi < 256; ++hi) {
      const T8 t = T8::range(static_cast<uint8_t>(lo), static_cast<uint8_t>(hi));
      for (int x = lo; x <= hi; ++x)
        if (!t.contains(static_cast<uint8_t>(x)))
          f.add("range(" + std::to_string(lo) + ", " + std::to_string(hi) + ") = " + show(t));
    }
  EXPECT_NO_FAILURES(f, "range");
}

// `<=` is set inclusion: the analysis uses it to detect a fixpoint.
TEST(TnumSoundness, OrderIsSetInclusion) {
  const auto& u = tnums();
  std::mt19937_64 rng(4);
  Failures f;
  for (int n = 0; n < 25000 * kSampleScale; ++n) {
    const size_t i = rng() % u.all.size();
    // Half the pairs are related, or inclusion would almost never hold.
    const T8 b = n % 2 ? u.all[rng() % u.all.size()] : join(u.all[i], random_tnum(rng));
    bool included = true;
    for (uint8_t x : u.gamma[i]) included = included && b.contains(x);
    if ((u.all[i] <= b) != included) f.add(show(u.all[i]) + " <= " + show(b));
  }
  EXPECT_NO_FAILURES(f, "<=");
}

// ---- the exhaustive sweep (label `large`) ----

void sweep_all_pairs(const TnumBinary& op) {
  const auto& u = tnums();
  Failures f;
  for (size_t i = 0; i < u.all.size(); ++i)
    for (size_t j = 0; j < u.all.size(); ++j) check_tnum_pair(op, u.all[i], u.gamma[i], u.all[j], u.gamma[j], f);
  EXPECT_NO_FAILURES(f, op.name);
}
TEST(TnumSoundness, DISABLED_ExhaustiveAdd) { sweep_all_pairs(tnum_binaries()[0]); }
TEST(TnumSoundness, DISABLED_ExhaustiveSub) { sweep_all_pairs(tnum_binaries()[1]); }
TEST(TnumSoundness, DISABLED_ExhaustiveMul) { sweep_all_pairs(tnum_binaries()[2]); }
TEST(TnumSoundness, DISABLED_ExhaustiveAnd) { sweep_all_pairs(tnum_binaries()[3]); }
TEST(TnumSoundness, DISABLED_ExhaustiveOr) { sweep_all_pairs(tnum_binaries()[4]); }
TEST(TnumSoundness, DISABLED_ExhaustiveXor) { sweep_all_pairs(tnum_binaries()[5]); }
TEST(TnumSoundness, DISABLED_ExhaustiveJoinMeet) {
  const auto& u = tnums();
  Failures f;
  for (size_t i = 0; i < u.all.size(); ++i)
    for (size_t j = 0; j < u.all.size(); ++j) check_join_meet(u.all[i], u.gamma[i], u.all[j], u.gamma[j], f);
  EXPECT_NO_FAILURES(f, "join/meet");
}

// ---- scalars ----

// γ of a scalar: the members of its tnum or of its unsigned range, whichever
// is shorter, that satisfy every component.
template <typename U>
std::vector<U> members(const BasicScalar<U>& s) {
  std::vector<U> out;
  if (s.umin > s.umax) return out;
  const uint64_t span = uint64_t{s.umax} - s.umin + 1;
  if ((uint64_t{1} << std::popcount(s.bits.mask)) < span) {
    for (U x : members(s.bits))
      if (s.contains(x)) out.push_back(x);
  } else {
    for (uint64_t x = s.umin; x <= s.umax; ++x)
      if (s.contains(static_cast<U>(x))) out.push_back(static_cast<U>(x));
  }
  return out;
}

// Values where interval arithmetic changes behaviour: zero, one, the sign
// boundary, the top, powers of two either side.
template <typename U>
std::vector<U> edges() {
  using S = std::make_signed_t<U>;
  std::vector<U> e = {0, 1, 2, 3};
  for (int k = 2; k < static_cast<int>(sizeof(U) * 8); ++k) {
    const auto p = static_cast<U>(U{1} << k);
    e.push_back(static_cast<U>(p - 1));
    e.push_back(p);
    e.push_back(static_cast<U>(p + 1));
  }
  for (U v : {static_cast<U>(std::numeric_limits<S>::max() - 1), static_cast<U>(std::numeric_limits<S>::min() + 1),
              static_cast<U>(~U{0} - 2), static_cast<U>(~U{0} - 1), static_cast<U>(~U{0})})
    e.push_back(v);
  return e;
}

template <typename U>
U random_edge(std::mt19937_64& rng) {
  static const std::vector<U> e = edges<U>();
  return rng() % 3 ? e[rng() % e.size()] : static_cast<U>(rng());
}

template <typename U>
BasicTnum<U> random_bits(std::mt19937_64& rng) {
  const auto sparse = static_cast<U>(rng() & rng() & rng());
  const auto dense = static_cast<U>(rng() | rng());
  const auto low = static_cast<U>((U{1} << (rng() % (sizeof(U) * 8))) - 1);
  const U m = std::array<U, 3>{sparse, dense, low}[rng() % 3];
  return {static_cast<U>(rng() & ~m), m};
}

// One abstract scalar of a random shape, normalised; possibly empty.
template <typename U>
BasicScalar<U> random_scalar(std::mt19937_64& rng) {
  using Sc = BasicScalar<U>;
  using S = typename Sc::S;
  U lo = random_edge<U>(rng), hi = random_edge<U>(rng);
  if (lo > hi) std::swap(lo, hi);
  if (rng() % 4 == 0) hi = static_cast<U>(lo + rng() % 8);  // narrow ranges are common
  if (hi < lo) hi = lo;
  auto slo = static_cast<S>(random_edge<U>(rng)), shi = static_cast<S>(random_edge<U>(rng));
  if (slo > shi) std::swap(slo, shi);
  Sc s;
  switch (rng() % 7) {
    case 0: return Sc::constant(random_edge<U>(rng));
    case 1: return Sc::unsigned_range(lo, hi);
    case 2: return Sc::signed_range(slo, shi);
    case 3: s.bits = random_bits<U>(rng); break;
    case 4: s.umin = lo, s.umax = hi, s.bits = random_bits<U>(rng); break;
    case 5: s.smin = slo, s.smax = shi, s.bits = random_bits<U>(rng); break;
    default: s.umin = lo, s.umax = hi, s.smin = slo, s.smax = shi, s.bits = random_bits<U>(rng); break;
  }
  s.normalize();
  return s;
}

// The 8-bit shapes the scalar tests pair up, with their members. Empty
// values are left out: no concrete value can witness a bug through them.
struct ScalarPool {
  std::vector<S8> values;
  std::vector<std::vector<uint8_t>> gamma;
  void add(const S8& s) {
    std::vector<uint8_t> g = members(s);
    if (g.empty()) return;
    values.push_back(s);
    gamma.push_back(std::move(g));
  }
};
const ScalarPool& scalar_pool() {
  static const ScalarPool pool = [] {
    ScalarPool p;
    const std::vector<uint8_t> e = edges<uint8_t>();
    p.add(S8::top());
    for (uint8_t lo : e)
      for (uint8_t hi : e) {
        if (lo <= hi) p.add(S8::unsigned_range(lo, hi));
        if (as_signed(lo) <= as_signed(hi)) p.add(S8::signed_range(as_signed(lo), as_signed(hi)));
      }
    std::mt19937_64 rng(1);
    for (int n = 0; n < 1500; ++n) p.add(random_scalar<uint8_t>(rng));
    return p;
  }();
  return pool;
}

template <typename U>
std::string describe(const BasicScalar<U>& r, U z) {
  return " = " + show(r) + (r.contains(z) ? " holds " : " misses ") + std::to_string(+z);
}

// Checks one concrete result; `what` is called only to describe a failure.
template <typename U, typename What>
void check_result(const What& what, const BasicScalar<U>& r, U z, Verdict& v) {
  if (!r.contains(z)) v.misses.add(what() + describe(r, z));
  else if (r.is_bottom()) v.false_bottoms.add(what() + describe(r, z) + " but is_bottom()");
}

struct ScalarBinary {
  const char* name;
  std::function<S8(const S8&, const S8&)> abstract;
  ConcreteOp concrete;
};
const std::vector<ScalarBinary>& scalar_binaries() {
  static const std::vector<ScalarBinary> ops = {
      {"+", [](const S8& a, const S8& b) { return a + b; }, bpf_add},
      {"-", [](const S8& a, const S8& b) { return a - b; }, bpf_sub},
      {"*", [](const S8& a, const S8& b) { return a * b; }, bpf_mul},
      {"&", [](const S8& a, const S8& b) { return a & b; }, bpf_and},
      {"|", [](const S8& a, const S8& b) { return a | b; }, bpf_or},
      {"^", [](const S8& a, const S8& b) { return a ^ b; }, bpf_xor},
      {"udiv", [](const S8& a, const S8& b) { return udiv(a, b); }, bpf_udiv},
      {"umod", [](const S8& a, const S8& b) { return umod(a, b); }, bpf_umod},
      {"sdiv", [](const S8& a, const S8& b) { return sdiv(a, b); }, bpf_sdiv},
      {"smod", [](const S8& a, const S8& b) { return smod(a, b); }, bpf_smod},
      {"shl", [](const S8& a, const S8& b) { return shl(a, b); }, bpf_shl},
      {"shr", [](const S8& a, const S8& b) { return shr(a, b); }, bpf_shr},
      {"sar", [](const S8& a, const S8& b) { return sar(a, b); }, bpf_sar},
  };
  return ops;
}

void check_scalar_pair(const ScalarBinary& op, const S8& a, const std::vector<uint8_t>& ga, const S8& b,
                       const std::vector<uint8_t>& gb, Verdict& v) {
  const S8 r = op.abstract(a, b);
  const bool bottom = r.is_bottom();
  for (uint8_t x : ga)
    for (uint8_t y : gb) {
      const uint8_t z = op.concrete(x, y);
      if (!r.contains(z) || bottom) {
        check_result([&] { return show(a) + " " + op.name + " " + show(b) + " (at " + std::to_string(x) + ", " +
                                  std::to_string(y) + ")"; },
                     r, z, v);
        return;
      }
    }
}

TEST(ScalarSoundness, EveryConstantPair) {
  for (const ScalarBinary& op : scalar_binaries()) {
    Verdict v;
    for (int x = 0; x < 256; ++x)
      for (int y = 0; y < 256; ++y) {
        const std::vector<uint8_t> gx = {static_cast<uint8_t>(x)}, gy = {static_cast<uint8_t>(y)};
        check_scalar_pair(op, S8::constant(gx[0]), gx, S8::constant(gy[0]), gy, v);
      }
    EXPECT_SOUND(v, op.name);
  }
}

// Every shape against every edge constant, on both sides.
TEST(ScalarSoundness, ShapesAgainstEdgeConstants) {
  const ScalarPool& pool = scalar_pool();
  for (const ScalarBinary& op : scalar_binaries()) {
    Verdict v;
    // An unoptimised build takes every fourth shape.
    for (size_t i = 0; i < pool.values.size(); i += kSampleScale == 1 ? 4 : 1)
      for (uint8_t c : edges<uint8_t>()) {
        const std::vector<uint8_t> gc = {c};
        check_scalar_pair(op, pool.values[i], pool.gamma[i], S8::constant(c), gc, v);
        check_scalar_pair(op, S8::constant(c), gc, pool.values[i], pool.gamma[i], v);
      }
    EXPECT_SOUND(v, op.name);
  }
}

// Random pairs of shapes until `budget` concrete checks per operation.
void check_random_shape_pairs(uint64_t budget, uint64_t seed) {
  const ScalarPool& pool = scalar_pool();
  for (const ScalarBinary& op : scalar_binaries()) {
    std::mt19937_64 rng(seed);
    Verdict v;
    for (uint64_t spent = 0; spent < budget;) {
      const size_t i = rng() % pool.values.size(), j = rng() % pool.values.size();
      check_scalar_pair(op, pool.values[i], pool.gamma[i], pool.values[j], pool.gamma[j], v);
      spent += pool.gamma[i].size() * pool.gamma[j].size() + 1000;  // + the abstract operation's cost
    }
    EXPECT_SOUND(v, op.name);
  }
}
TEST(ScalarSoundness, RandomShapePairs) { check_random_shape_pairs(1'000'000 * kSampleScale, 11); }
TEST(ScalarSoundness, DISABLED_LargeRandomShapePairs) { check_random_shape_pairs(1'000'000'000, 12); }

TEST(ScalarSoundness, Negate) {
  const ScalarPool& pool = scalar_pool();
  Verdict v;
  for (size_t i = 0; i < pool.values.size(); ++i) {
    const S8 r = neg(pool.values[i]);
    for (uint8_t x : pool.gamma[i]) check_result([&] { return "neg " + show(pool.values[i]); }, r, bpf_neg(x), v);
  }
  EXPECT_SOUND(v, "neg");
}

// join, widen, meet and narrow of the shapes, pairwise on a sample.
TEST(ScalarSoundness, LatticeOperations) {
  const ScalarPool& pool = scalar_pool();
  std::mt19937_64 rng(13);
  Verdict v;
  for (int n = 0; n < 8000 * kSampleScale; ++n) {
    const size_t i = rng() % pool.values.size(), j = rng() % pool.values.size();
    const S8 &a = pool.values[i], &b = pool.values[j];
    auto of = [&a, &b](const char* op) {
      return [&a, &b, op] { return std::string(op) + "(" + show(a) + ", " + show(b) + ")"; };
    };
    const S8 jn = join(a, b), wd = widen(a, b);
    const std::optional<S8> mt = meet(a, b);
    for (const auto* g : {&pool.gamma[i], &pool.gamma[j]})
      for (uint8_t x : *g) {
        check_result(of("join"), jn, x, v);
        check_result(of("widen"), wd, x, v);
      }
    for (uint8_t x : pool.gamma[i])
      if (b.contains(x)) {
        if (!mt) v.misses.add(of("meet")() + " is empty but both hold " + std::to_string(x));
        else check_result(of("meet"), *mt, x, v);
      }
    // Narrowing a value that holds b towards b must still hold b.
    const S8 narrowed = narrow(jn, b);
    for (uint8_t x : pool.gamma[j])
      check_result([&] { return "narrow(" + show(jn) + ", " + show(b) + ")"; }, narrowed, x, v);
  }
  EXPECT_SOUND(v, "lattice");
}

// Widening with thresholds (verifier/widening_thresholds.h) is 64-bit only:
// random old and next = join(old, b) shapes against random threshold sets,
// each checked on values sampled from both (the bounds, the known bits'
// extremes, random members).
TEST(ScalarSoundness, ThresholdWideningHoldsBothSides) {
  using Sc = BasicScalar<uint64_t>;
  std::mt19937_64 rng(29);
  auto samples = [&rng](const Sc& s) {
    std::vector<uint64_t> xs{s.umin, s.umax, static_cast<uint64_t>(s.smin), static_cast<uint64_t>(s.smax),
                             s.bits.umin(), s.bits.umax()};
    const uint64_t span = s.umax - s.umin;
    for (int i = 0; i < 8; ++i) xs.push_back(span == ~uint64_t{0} ? rng() : s.umin + rng() % (span + 1));
    std::erase_if(xs, [&s](uint64_t x) { return !s.contains(x); });
    return xs;
  };
  int checked = 0;
  for (int n = 0; n < 20000; ++n) {
    const Sc old = random_scalar<uint64_t>(rng);
    const Sc next = join(old, random_scalar<uint64_t>(rng));
    std::vector<int64_t> constants;
    for (unsigned k = rng() % 6; k > 0; --k) constants.push_back(static_cast<int64_t>(random_edge<uint64_t>(rng)));
    const Sc widened = WideningThresholds(constants).widen(old, next);
    for (const Sc* side : {&old, &next})
      for (uint64_t x : samples(*side)) {
        ++checked;
        ASSERT_TRUE(widened.contains(x)) << "widen with thresholds loses " << x;
        ASSERT_FALSE(widened.is_bottom());
      }
  }
  EXPECT_GT(checked, 20000);
}

// 16-bit shapes near the places where truncation changes behaviour: the
// boundaries of 256-value blocks and the 8-bit signed range.
S16 random_wide_scalar(std::mt19937_64& rng) {
  const auto lo = static_cast<uint16_t>(random_edge<uint16_t>(rng) + (rng() % 5) - 2);
  const uint64_t width = std::array<uint64_t, 3>{rng() % 4, rng() % 300, rng() % 1200}[rng() % 3];
  const auto hi = static_cast<uint16_t>(std::min<uint64_t>(lo + width, 0xffff));
  S16 s;
  switch (rng() % 4) {
    case 0: s.umin = lo, s.umax = hi; break;
    case 1:
      s.smin = static_cast<int16_t>(lo);
      s.smax = std::max(static_cast<int16_t>(lo), static_cast<int16_t>(hi));
      break;
    case 2: s.umin = lo, s.umax = hi, s.bits = random_bits<uint16_t>(rng); break;
    default: s.bits = random_bits<uint16_t>(rng), s.bits.mask &= 0x0fff; break;
  }
  s.normalize();
  return s;
}

TEST(ScalarSoundness, TruncateFrom16Bits) {
  std::mt19937_64 rng(14);
  Verdict v;
  for (int n = 0; n < 400 * kSampleScale; ++n) {
    const S16 s = random_wide_scalar(rng);
    const S8 r = s.truncate<uint8_t>();
    for (uint16_t x : members(s)) check_result([&] { return "truncate " + show(s); }, r, static_cast<uint8_t>(x), v);
  }
  EXPECT_SOUND(v, "truncate");
}

TEST(ScalarSoundness, ExtendTo16Bits) {
  const ScalarPool& pool = scalar_pool();
  Verdict v;
  for (size_t i = 0; i < pool.values.size(); ++i) {
    const S8& n = pool.values[i];
    const S16 z = S16::zero_extend(n), s = S16::sign_extend(n);
    for (uint8_t x : pool.gamma[i]) {
      check_result([&] { return "zero_extend " + show(n); }, z, static_cast<uint16_t>(x), v);
      check_result([&] { return "sign_extend " + show(n); }, s, static_cast<uint16_t>(as_signed(x)), v);
    }
  }
  EXPECT_SOUND(v, "extend");
}

// normalize() only removes values that some component already excludes, and
// a value it keeps is never called bottom.
TEST(ScalarSoundness, NormalizeKeepsEveryValue) {
  std::mt19937_64 rng(15);
  Verdict v;
  for (int n = 0; n < 12500 * kSampleScale; ++n) {
    S8 s;
    s.umin = random_edge<uint8_t>(rng), s.umax = random_edge<uint8_t>(rng);
    s.smin = as_signed(random_edge<uint8_t>(rng)), s.smax = as_signed(random_edge<uint8_t>(rng));
    s.bits = random_bits<uint8_t>(rng);
    const S8 before = s;
    s.normalize();
    for (int x = 0; x < 256; ++x)
      if (before.contains(static_cast<uint8_t>(x)))
        check_result([&] { return "normalize " + show(before); }, s, static_cast<uint8_t>(x), v);
  }
  EXPECT_SOUND(v, "normalize");
}

// normalize() reaches its fixpoint: normalizing again changes nothing (a
// scalar whose known bits are a constant has equal bounds, so the transfer
// functions' constant cases apply).
TEST(ScalarPrecision, NormalizeIsIdempotent) {
  std::mt19937_64 rng(16);
  for (int n = 0; n < 12500 * kSampleScale; ++n) {
    S8 s;
    s.umin = random_edge<uint8_t>(rng), s.umax = random_edge<uint8_t>(rng);
    s.smin = as_signed(random_edge<uint8_t>(rng)), s.smax = as_signed(random_edge<uint8_t>(rng));
    s.bits = random_bits<uint8_t>(rng);
    s.normalize();
    if (s.is_bottom()) continue;
    S8 again = s;
    again.normalize();
    ASSERT_EQ(again, s) << "normalize is not idempotent on " << show(s);
  }
}

TEST(ScalarSoundness, RangesHoldTheirIntervals) {
  Verdict v;
  for (int lo = 0; lo < 256; ++lo)
    for (int hi = lo; hi < 256; ++hi) {
      const S8 u = S8::unsigned_range(static_cast<uint8_t>(lo), static_cast<uint8_t>(hi));
      const S8 s = S8::signed_range(static_cast<int8_t>(lo - 128), static_cast<int8_t>(hi - 128));
      for (int x = lo; x <= hi; ++x) {
        check_result([&] { return "unsigned_range(" + std::to_string(lo) + ", " + std::to_string(hi) + ")"; }, u,
                     static_cast<uint8_t>(x), v);
        check_result(
            [&] { return "signed_range(" + std::to_string(lo - 128) + ", " + std::to_string(hi - 128) + ")"; }, s,
            static_cast<uint8_t>(x - 128), v);
      }
    }
  EXPECT_SOUND(v, "ranges");
}

}  // namespace
}  // namespace sbpf::verifier
