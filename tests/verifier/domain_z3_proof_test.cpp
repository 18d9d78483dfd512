// Soundness proofs of the numeric domains with Z3, over 64-bit bit-vectors.
// Each transfer function of verifier/tnum.h and verifier/scalar_domain.h is
// restated below as bit-vector expressions that follow the C++ line by line
// (the "mirror"), and Z3 is asked for inputs where a concrete result escapes
// the abstract one: for all abstract a, b and all x in γ(a), y in γ(b), is
// op(x, y) outside γ(op#(a, b))? `unsat` is the proof, a model is a
// counterexample, and `unknown` (the per-query time limit) fails too.
//
// A proof about the mirror says nothing about the C++ unless the two are the
// same function, so every mirror is also evaluated on random inputs and
// compared bit for bit with the code (the *MirrorsMatchCode tests).
//
// A scalar result is proven one bound at a time, before normalize(): umin,
// umax, smin, smax and the known bits each hold op(x, y). normalize() is
// proven separately to keep every value all components accept; its loop
// runs one round twice, so one round keeping every value is the proof.
//
// Tnum multiplication (a loop of 64 data-dependent additions against a
// multiplier circuit) is proven whole at 8 bits (Z3 had not finished 12
// bits after 11 minutes) and at 64 bits one loop pass at a time, by
// induction (MulStepAt64Bits). The bounds of scalar multiplication and
// division compare products and quotients, and Z3 cannot bit-blast a 64-bit
// multiplier or divider in a test's time: at 64 bits the product and its
// two overflow tests, and the quotient and remainder, are unknown functions
// that obey facts proven over the integers (see MultiplicationFacts and
// DivisionFacts); at 8 bits the same claims are proven with Z3's own
// operators.
#include <z3++.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "verifier/scalar_domain.h"
#include "verifier/tnum.h"

namespace sbpf::verifier {
namespace {

constexpr unsigned kTimeoutMs = 60'000;

// ---- proving ----

// The free variables of a claim, kept so that a counterexample names them.
class Vars {
 public:
  Vars(z3::context& ctx, unsigned width) : ctx_(ctx), width_(width) {}
  z3::expr operator()(const std::string& name) {
    z3::expr v = ctx_.bv_const(name.c_str(), width_);
    all_.push_back(v);
    return v;
  }
  const std::vector<z3::expr>& all() const { return all_; }

 private:
  z3::context& ctx_;
  unsigned width_;
  std::vector<z3::expr> all_;
};

// Asserts the negation of `claim`: `unsat` means the claim holds for every
// value of its variables. Plain bit-blasting beats Z3's default QF_BV
// strategy on these interval claims; unknown functions (division, below)
// are first replaced by variables and congruence constraints, so a
// counterexample to a division claim may be one of those functions rather
// than of division: check it at 8 bits. SBPF_Z3_TIMES=1 prints the time
// each query takes.
void expect_proven(const z3::expr& claim, const Vars& vars, const std::string& what) {
  z3::context& ctx = claim.ctx();
  z3::params ackermann(ctx);
  ackermann.set("div0_ackermann_limit", 1'000'000u);  // the division proofs' unknown functions
  z3::solver solver = (z3::tactic(ctx, "simplify") & z3::tactic(ctx, "solve-eqs") &
                       z3::with(z3::tactic(ctx, "ackermannize_bv"), ackermann) & z3::tactic(ctx, "bit-blast") &
                       z3::tactic(ctx, "sat"))
                          .mk_solver();
  z3::params params(ctx);
  params.set("timeout", kTimeoutMs);
  solver.set(params);
  solver.add(!claim);
  const auto start = std::chrono::steady_clock::now();
  const z3::check_result result = solver.check();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (std::getenv("SBPF_Z3_TIMES")) std::fprintf(stderr, "  %-55s %7.2f s\n", what.c_str(), seconds);
  if (result == z3::unsat) return;
  if (result == z3::unknown) {
    ADD_FAILURE() << what << ": Z3 answered unknown after " << seconds << " s (" << solver.reason_unknown()
                  << "); the limit per query is " << kTimeoutMs / 1000 << " s";
    return;
  }
  const z3::model model = solver.get_model();
  std::ostringstream o;
  for (const z3::expr& v : vars.all()) o << "\n  " << v << " = " << model.eval(v, true);
  ADD_FAILURE() << what << " is not sound; counterexample:" << o.str();
}

// Evaluates expressions at concrete values of their variables.
class Bindings {
 public:
  explicit Bindings(z3::context& ctx) : model_(ctx) {}
  void bind(const z3::expr& var, uint64_t value) {
    z3::func_decl decl = var.decl();
    z3::expr v = var.ctx().bv_val(value, var.get_sort().bv_size());
    model_.add_const_interp(decl, v);
  }
  uint64_t operator()(const z3::expr& e) const {
    const z3::expr s = model_.eval(e, true);
    if (s.is_bool()) return s.is_true() ? 1 : 0;
    EXPECT_TRUE(s.is_numeral()) << s;
    return s.get_numeral_uint64();
  }

 private:
  z3::model model_;
};

// ---- the mirror of tnum.h ----

struct ZTnum {
  z3::expr value, mask;
};

unsigned width_of(const z3::expr& e) { return e.get_sort().bv_size(); }
z3::expr num_like(const z3::expr& e, uint64_t v) { return e.ctx().bv_val(v, width_of(e)); }
z3::expr zero_like(const z3::expr& e) { return num_like(e, 0); }
z3::expr ones_like(const z3::expr& e) { return ~zero_like(e); }

z3::expr holds(const ZTnum& t, const z3::expr& x) { return (x & ~t.mask) == t.value; }
z3::expr wellformed(const ZTnum& t) { return (t.value & t.mask) == 0; }

namespace tnum_mirror {

ZTnum constant(const z3::expr& v) { return {v, zero_like(v)}; }
ZTnum select(const z3::expr& c, const ZTnum& a, const ZTnum& b) {
  return {z3::ite(c, a.value, b.value), z3::ite(c, a.mask, b.mask)};
}

// std::countl_zero, as a chain from the top bit down.
z3::expr countl_zero(const z3::expr& x) {
  const unsigned w = width_of(x);
  z3::expr n = num_like(x, w);
  for (unsigned bit = 0; bit < w; ++bit) n = z3::ite(x.extract(bit, bit) == 1, num_like(x, w - 1 - bit), n);
  return n;
}

ZTnum range(const z3::expr& min, const z3::expr& max) {
  const unsigned w = width_of(min);
  const z3::expr differing = min ^ max;
  const z3::expr bits = num_like(min, w) - countl_zero(differing);
  const z3::expr below = z3::ite(z3::uge(bits, num_like(min, w)), ones_like(min), z3::shl(num_like(min, 1), bits) - 1);
  return select(differing == 0, constant(min), {min & ~below, below});
}

ZTnum join(const ZTnum& a, const ZTnum& b) {
  const z3::expr mu = a.mask | b.mask | (a.value ^ b.value);
  return {a.value & ~mu, mu};
}
ZTnum widen(const ZTnum& old, const ZTnum& next) {
  const ZTnum j = join(old, next);
  const z3::expr lowest = j.mask & -j.mask;
  const z3::expr unknown = ~(lowest - 1);
  return select(j.value == old.value && j.mask == old.mask, old, {j.value & ~unknown, unknown});
}
ZTnum meet(const ZTnum& a, const ZTnum& b, z3::expr& ok) {
  ok = ((a.value ^ b.value) & ~(a.mask | b.mask)) == 0;
  return {a.value | b.value, a.mask & b.mask};
}

ZTnum add(const ZTnum& a, const ZTnum& b) {
  const z3::expr sm = a.mask + b.mask;
  const z3::expr sv = a.value + b.value;
  const z3::expr sigma = sm + sv;
  const z3::expr chi = sigma ^ sv;
  const z3::expr mu = chi | a.mask | b.mask;
  return {sv & ~mu, mu};
}
ZTnum sub(const ZTnum& a, const ZTnum& b) {
  const z3::expr dv = a.value - b.value;
  const z3::expr alpha = dv + a.mask;
  const z3::expr beta = dv - b.mask;
  const z3::expr chi = alpha ^ beta;
  const z3::expr mu = chi | a.mask | b.mask;
  return {dv & ~mu, mu};
}
ZTnum bit_and(const ZTnum& a, const ZTnum& b) {
  const z3::expr alpha = a.value | a.mask;
  const z3::expr beta = b.value | b.mask;
  const z3::expr v = a.value & b.value;
  return {v, alpha & beta & ~v};
}
ZTnum bit_or(const ZTnum& a, const ZTnum& b) {
  const z3::expr v = a.value | b.value;
  const z3::expr mu = a.mask | b.mask;
  return {v, mu & ~v};
}
ZTnum bit_xor(const ZTnum& a, const ZTnum& b) {
  const z3::expr v = a.value ^ b.value;
  const z3::expr mu = a.mask | b.mask;
  return {v & ~mu, mu};
}

// The while loop runs at most `width` times, since each pass shifts `a`
// right by one; a pass whose condition fails leaves every variable alone.
ZTnum mul(ZTnum a, ZTnum b) {
  const z3::expr exact = a.value * b.value;
  const z3::expr zero = zero_like(exact), one = num_like(exact, 1);
  ZTnum uncertain = constant(zero);
  for (unsigned pass = 0; pass < width_of(exact); ++pass) {
    const z3::expr running = a.value != 0 || a.mask != 0;
    const ZTnum added = select((a.value & one) != 0, add(uncertain, {zero, b.mask}),
                               select((a.mask & one) != 0, add(uncertain, {zero, b.value | b.mask}), uncertain));
    uncertain = select(running, added, uncertain);
    const ZTnum next_a{z3::lshr(a.value, one), z3::lshr(a.mask, one)};
    const ZTnum next_b{z3::shl(b.value, one), z3::shl(b.mask, one)};
    a = select(running, next_a, a);
    b = select(running, next_b, b);
  }
  return add(constant(exact), uncertain);
}

ZTnum shl(const ZTnum& t, const z3::expr& k) { return {z3::shl(t.value, k), z3::shl(t.mask, k)}; }
ZTnum shr(const ZTnum& t, const z3::expr& k) { return {z3::lshr(t.value, k), z3::lshr(t.mask, k)}; }
ZTnum sar(const ZTnum& t, const z3::expr& k) { return {z3::ashr(t.value, k), z3::ashr(t.mask, k)}; }

}  // namespace tnum_mirror

// ---- the mirror of scalar_domain.h ----

struct ZScalar {
  z3::expr umin, umax, smin, smax;
  ZTnum bits;
};

z3::expr signed_min_like(const z3::expr& e) { return z3::shl(num_like(e, 1), num_like(e, width_of(e) - 1)); }
z3::expr signed_max_like(const z3::expr& e) { return ~signed_min_like(e); }

z3::expr holds(const ZScalar& s, const z3::expr& x) {
  return z3::ule(s.umin, x) && z3::ule(x, s.umax) && z3::sle(s.smin, x) && z3::sle(x, s.smax) && holds(s.bits, x);
}
z3::expr is_bottom(const ZScalar& s) { return z3::ugt(s.umin, s.umax) || z3::sgt(s.smin, s.smax); }

// What a scalar transfer function has built when it returns: `state`, and
// whether it normalises it first (most do; constant() and an operand
// returned as it is do not).
struct Staged {
  ZScalar state;
  z3::expr normalized;
};

// The four division primitives the scalar mirror and the BPF semantics use.
// Z3's own operators make the mirror the code; for the 64-bit proofs they
// are replaced by uninterpreted functions (see DivisionFacts below).
struct Division {
  std::function<z3::expr(const z3::expr&, const z3::expr&)> udiv, urem, sdiv, srem;
};
Division z3_division() {
  return {[](const z3::expr& x, const z3::expr& y) { return z3::udiv(x, y); },
          [](const z3::expr& x, const z3::expr& y) { return z3::urem(x, y); },
          [](const z3::expr& x, const z3::expr& y) { return x / y; },  // bvsdiv
          [](const z3::expr& x, const z3::expr& y) { return z3::srem(x, y); }};
}

// The same for multiplication: the wrapped product, and whether
// __builtin_mul_overflow reports that the exact product does not fit, for
// unsigned and for signed operands (see MultiplicationFacts below). The
// exact product is taken at twice the width: Z3 4.8.12 simplifies
// bvmul_no_overflow(x, y, true) of constants as if they were unsigned.
struct Multiplication {
  std::function<z3::expr(const z3::expr&, const z3::expr&)> mul;
  std::function<z3::expr(const z3::expr&, const z3::expr&)> unsigned_overflow, signed_overflow;
};
Multiplication z3_multiplication() {
  return {[](const z3::expr& x, const z3::expr& y) { return x * y; },
          [](const z3::expr& x, const z3::expr& y) {
            const unsigned w = width_of(x);
            return (z3::zext(x, w) * z3::zext(y, w)).extract(2 * w - 1, w) != 0;
          },
          [](const z3::expr& x, const z3::expr& y) {
            const unsigned w = width_of(x);
            const z3::expr p = z3::sext(x, w) * z3::sext(y, w);
            return z3::sext(p.extract(w - 1, 0), w) != p;
          }};
}

namespace scalar_mirror {

z3::expr umax2(const z3::expr& a, const z3::expr& b) { return z3::ite(z3::ult(a, b), b, a); }  // std::max
z3::expr umin2(const z3::expr& a, const z3::expr& b) { return z3::ite(z3::ult(b, a), b, a); }  // std::min
z3::expr smax2(const z3::expr& a, const z3::expr& b) { return z3::ite(z3::slt(a, b), b, a); }
z3::expr smin2(const z3::expr& a, const z3::expr& b) { return z3::ite(z3::slt(b, a), b, a); }

ZScalar select(const z3::expr& c, const ZScalar& a, const ZScalar& b) {
  return {z3::ite(c, a.umin, b.umin), z3::ite(c, a.umax, b.umax), z3::ite(c, a.smin, b.smin),
          z3::ite(c, a.smax, b.smax), tnum_mirror::select(c, a.bits, b.bits)};
}
Staged select(const z3::expr& c, const Staged& a, const Staged& b) {
  return {select(c, a.state, b.state), z3::ite(c, a.normalized, b.normalized)};
}
Staged normalized(const ZScalar& s) { return {s, s.umin.ctx().bool_val(true)}; }
Staged as_is(const ZScalar& s) { return {s, s.umin.ctx().bool_val(false)}; }

// A default-constructed BasicScalar, `like` giving the width.
ZScalar top(const z3::expr& like) {
  return {zero_like(like), ones_like(like), signed_min_like(like), signed_max_like(like),
          {zero_like(like), ones_like(like)}};
}
ZScalar constant(const z3::expr& v) { return {v, v, v, v, tnum_mirror::constant(v)}; }
z3::expr is_const(const ZScalar& s) { return s.umin == s.umax; }

// One pass of normalize()'s loop. Its `return`s set `done`, after which
// every assignment keeps the old value.
ZScalar normalize_round(ZScalar s, z3::expr& done) {
  const z3::expr w = s.umin, zero = zero_like(w);
  auto assign = [&done](z3::expr& var, const z3::expr& next) { var = z3::ite(done, var, next); };
  assign(s.umin, umax2(s.umin, s.bits.value));
  assign(s.umax, umin2(s.umax, s.bits.value | s.bits.mask));
  const z3::expr sign = signed_min_like(w);
  assign(s.smin, smax2(s.smin, s.bits.value | (s.bits.mask & sign)));
  assign(s.smax, smin2(s.smax, s.bits.value | (s.bits.mask & ~sign)));
  const z3::expr one_side = z3::sge(s.smin, zero) || z3::slt(s.smax, zero);
  assign(s.umin, z3::ite(one_side, umax2(s.umin, s.smin), s.umin));
  assign(s.umax, z3::ite(one_side, umin2(s.umax, s.smax), s.umax));
  const z3::expr same_sign =
      z3::sle(s.umin, s.umax) && (z3::ule(s.umax, signed_max_like(w)) || z3::ugt(s.umin, signed_max_like(w)));
  assign(s.smin, z3::ite(same_sign, smax2(s.smin, s.umin), s.smin));
  assign(s.smax, z3::ite(same_sign, smin2(s.smax, s.umax), s.smax));
  done = done || z3::ugt(s.umin, s.umax) || z3::sgt(s.smin, s.smax);
  z3::expr ok = w.ctx().bool_val(true);
  const ZTnum met = tnum_mirror::meet(s.bits, tnum_mirror::range(s.umin, s.umax), ok);
  assign(s.bits.value, met.value);
  assign(s.bits.mask, met.mask);
  assign(s.umin, z3::ite(ok, s.umin, ones_like(w)));
  assign(s.umax, z3::ite(ok, s.umax, zero));
  done = done || !ok;
  return s;
}
ZScalar normalize(ZScalar s) {
  z3::expr done = s.umin.ctx().bool_val(false);
  for (int round = 0; round < 2; ++round) s = normalize_round(s, done);
  return s;
}
ZScalar finish(const Staged& s) { return select(s.normalized, normalize(s.state), s.state); }

Staged unsigned_range(const z3::expr& lo, const z3::expr& hi) {
  ZScalar r = top(lo);
  r.umin = lo;
  r.umax = hi;
  return normalized(r);
}

// __builtin_*_overflow: the exact result does not fit the type.
z3::expr uadd_overflows(const z3::expr& a, const z3::expr& b) {
  return z3::zext(a, 1) + z3::zext(b, 1) != z3::zext(a + b, 1);
}
z3::expr sadd_overflows(const z3::expr& a, const z3::expr& b) {
  return z3::sext(a, 1) + z3::sext(b, 1) != z3::sext(a + b, 1);
}
z3::expr usub_overflows(const z3::expr& a, const z3::expr& b) {
  return z3::zext(a, 1) - z3::zext(b, 1) != z3::zext(a - b, 1);
}
z3::expr ssub_overflows(const z3::expr& a, const z3::expr& b) {
  return z3::sext(a, 1) - z3::sext(b, 1) != z3::sext(a - b, 1);
}

Staged add(const ZScalar& a, const ZScalar& b) {
  ZScalar r = top(a.umin);
  const z3::expr lo = a.umin + b.umin, hi = a.umax + b.umax;
  const z3::expr lo_wraps = uadd_overflows(a.umin, b.umin), hi_wraps = uadd_overflows(a.umax, b.umax);
  r.umin = z3::ite(lo_wraps == hi_wraps, lo, r.umin);
  r.umax = z3::ite(lo_wraps == hi_wraps, hi, r.umax);
  const z3::expr slo = a.smin + b.smin, shi = a.smax + b.smax;
  const z3::expr slo_over = sadd_overflows(a.smin, b.smin), shi_over = sadd_overflows(a.smax, b.smax);
  r.smin = z3::ite(!slo_over && !shi_over, slo, r.smin);
  r.smax = z3::ite(!slo_over && !shi_over, shi, r.smax);
  r.bits = tnum_mirror::add(a.bits, b.bits);
  return normalized(r);
}
Staged sub(const ZScalar& a, const ZScalar& b) {
  ZScalar r = top(a.umin);
  const z3::expr lo = a.umin - b.umax, hi = a.umax - b.umin;
  const z3::expr lo_wraps = usub_overflows(a.umin, b.umax), hi_wraps = usub_overflows(a.umax, b.umin);
  r.umin = z3::ite(lo_wraps == hi_wraps, lo, r.umin);
  r.umax = z3::ite(lo_wraps == hi_wraps, hi, r.umax);
  const z3::expr slo = a.smin - b.smax, shi = a.smax - b.smin;
  const z3::expr slo_over = ssub_overflows(a.smin, b.smax), shi_over = ssub_overflows(a.smax, b.smin);
  r.smin = z3::ite(!slo_over && !shi_over, slo, r.smin);
  r.smax = z3::ite(!slo_over && !shi_over, shi, r.smax);
  r.bits = tnum_mirror::sub(a.bits, b.bits);
  return normalized(r);
}
// The code's `||` stops at the first corner that overflows; the corners it
// then leaves out are not used.
Staged mul(const ZScalar& a, const ZScalar& b, const Multiplication& m) {
  ZScalar r = top(a.umin);
  const z3::expr hi_over = m.unsigned_overflow(a.umax, b.umax);
  r.umin = z3::ite(!hi_over, m.mul(a.umin, b.umin), r.umin);
  r.umax = z3::ite(!hi_over, m.mul(a.umax, b.umax), r.umax);
  const z3::expr c[] = {m.mul(a.smin, b.smin), m.mul(a.smin, b.smax), m.mul(a.smax, b.smin), m.mul(a.smax, b.smax)};
  const z3::expr over = m.signed_overflow(a.smin, b.smin) || m.signed_overflow(a.smin, b.smax) ||
                        m.signed_overflow(a.smax, b.smin) || m.signed_overflow(a.smax, b.smax);
  r.smin = z3::ite(!over, smin2(smin2(smin2(c[0], c[1]), c[2]), c[3]), r.smin);  // std::min_element
  r.smax = z3::ite(!over, smax2(smax2(smax2(c[0], c[1]), c[2]), c[3]), r.smax);
  r.bits = tnum_mirror::mul(a.bits, b.bits);
  return normalized(r);
}
Staged bit_and(const ZScalar& a, const ZScalar& b) {
  ZScalar r = top(a.umin);
  const z3::expr zero = zero_like(a.umin);
  r.umax = umin2(a.umax, b.umax);
  r.smin = z3::ite(z3::sge(a.smin, zero) || z3::sge(b.smin, zero), zero, r.smin);
  r.smax = z3::ite(z3::sge(a.smin, zero) && z3::sge(b.smin, zero), smin2(a.smax, b.smax), r.smax);
  r.bits = tnum_mirror::bit_and(a.bits, b.bits);
  return normalized(r);
}
Staged bit_or(const ZScalar& a, const ZScalar& b) {
  ZScalar r = top(a.umin);
  const z3::expr zero = zero_like(a.umin);
  r.umin = umax2(a.umin, b.umin);
  const z3::expr keeps_sign = z3::slt(a.smax, zero) || z3::slt(b.smax, zero);
  r.smax = z3::ite(keeps_sign, ones_like(zero), r.smax);
  r.bits = tnum_mirror::bit_or(a.bits, b.bits);
  return normalized(r);
}
Staged bit_xor(const ZScalar& a, const ZScalar& b) {
  ZScalar r = top(a.umin);
  r.bits = tnum_mirror::bit_xor(a.bits, b.bits);
  return normalized(r);
}
// Z3's bvudiv by zero is all ones; the code never divides by zero, and the
// mirror only selects a quotient whose divisor is not zero.
Staged udiv(const ZScalar& a, const ZScalar& b, const Division& d) {
  const z3::expr zero = zero_like(a.umin), one = num_like(a.umin, 1);
  const Staged both_const = as_is(constant(z3::ite(b.umin == 0, zero, d.udiv(a.umin, b.umin))));
  const Staged zero_divisor = as_is(constant(zero));
  const z3::expr lo = z3::ite(b.umin == 0, zero, d.udiv(a.umin, b.umax));
  const Staged ranged = unsigned_range(lo, d.udiv(a.umax, umax2(b.umin, one)));
  return select(is_const(a) && is_const(b), both_const, select(b.umax == 0, zero_divisor, ranged));
}
Staged umod(const ZScalar& a, const ZScalar& b, const Division& d) {
  const z3::expr zero = zero_like(a.umin);
  const Staged both_const = as_is(constant(z3::ite(b.umin == 0, a.umin, d.urem(a.umin, b.umin))));
  const z3::expr hi = z3::ite(b.umin == 0, a.umax, umin2(a.umax, b.umax - 1));
  return select(is_const(a) && is_const(b), both_const,
                select(z3::ult(a.umax, b.umin), as_is(a), unsigned_range(zero, hi)));
}
Staged sdiv(const ZScalar& a, const ZScalar& b, const Division& d) {
  const z3::expr zero = zero_like(a.umin), x = a.umin, y = b.umin;
  const z3::expr folded = z3::ite(y == 0, zero, z3::ite(y == ones_like(y), zero - a.umin, d.sdiv(x, y)));
  return select(is_const(a) && is_const(b), as_is(constant(folded)),
                select(z3::sge(a.smin, zero) && z3::sge(b.smin, zero), udiv(a, b, d), as_is(top(zero))));
}
Staged smod(const ZScalar& a, const ZScalar& b, const Division& d) {
  const z3::expr zero = zero_like(a.umin), x = a.umin, y = b.umin;
  const Staged folded = select(y == 0, as_is(a), as_is(constant(z3::ite(y == ones_like(y), zero, d.srem(x, y)))));
  return select(is_const(a) && is_const(b), folded,
                select(z3::sge(a.smin, zero) && z3::sge(b.smin, zero), umod(a, b, d), as_is(top(zero))));
}
Staged shl_by(const ZScalar& s, const z3::expr& k) {
  ZScalar r = top(s.umin);
  const z3::expr fits = z3::ule(s.umax, z3::lshr(ones_like(s.umin), k));
  r.umin = z3::ite(fits, z3::shl(s.umin, k), r.umin);
  r.umax = z3::ite(fits, z3::shl(s.umax, k), r.umax);
  r.bits = tnum_mirror::shl(s.bits, k);
  return normalized(r);
}
Staged shr_by(const ZScalar& s, const z3::expr& k) {
  ZScalar r = top(s.umin);
  r.umin = z3::lshr(s.umin, k);
  r.umax = z3::lshr(s.umax, k);
  r.bits = tnum_mirror::shr(s.bits, k);
  return normalized(r);
}
Staged sar_by(const ZScalar& s, const z3::expr& k) {
  ZScalar r = top(s.umin);
  r.smin = z3::ashr(s.smin, k);
  r.smax = z3::ashr(s.smax, k);
  r.bits = tnum_mirror::sar(s.bits, k);
  return normalized(r);
}
// truncate<V>(): the low `narrow` bits.
Staged truncate(const ZScalar& s, unsigned narrow) {
  const unsigned w = width_of(s.umin);
  auto low = [narrow](const z3::expr& e) { return e.extract(narrow - 1, 0); };
  auto high = [narrow, w](const z3::expr& e) { return e.extract(w - 1, narrow); };
  ZScalar r = top(low(s.umin));
  const z3::expr same_block = high(s.umin) == high(s.umax);
  r.umin = z3::ite(same_block, low(s.umin), r.umin);
  r.umax = z3::ite(same_block, low(s.umax), r.umax);
  const z3::expr fits = z3::sge(s.smin, z3::sext(signed_min_like(r.umin), w - narrow)) &&
                        z3::sle(s.smax, z3::sext(signed_max_like(r.umin), w - narrow));
  r.smin = z3::ite(fits, low(s.smin), r.smin);
  r.smax = z3::ite(fits, low(s.smax), r.smax);
  r.bits = {low(s.bits.value), low(s.bits.mask)};
  return normalized(r);
}
Staged zero_extend(const ZScalar& n, unsigned wide) {
  const unsigned extra = wide - width_of(n.umin);
  ZScalar r = top(z3::zext(n.umin, extra));
  r.umin = z3::zext(n.umin, extra);
  r.umax = z3::zext(n.umax, extra);
  r.bits = {z3::zext(n.bits.value, extra), z3::zext(n.bits.mask, extra)};
  return normalized(r);
}
Staged sign_extend(const ZScalar& n, unsigned wide) {
  const unsigned extra = wide - width_of(n.umin);
  ZScalar r = top(z3::zext(n.umin, extra));
  r.smin = z3::sext(n.smin, extra);
  r.smax = z3::sext(n.smax, extra);
  r.bits = {z3::sext(n.bits.value, extra), z3::sext(n.bits.mask, extra)};
  return normalized(r);
}
Staged join(const ZScalar& a, const ZScalar& b) {
  const ZScalar r{umin2(a.umin, b.umin), umax2(a.umax, b.umax), smin2(a.smin, b.smin), smax2(a.smax, b.smax),
                  tnum_mirror::join(a.bits, b.bits)};
  return select(is_bottom(a), as_is(b), select(is_bottom(b), as_is(a), normalized(r)));
}
Staged widen(const ZScalar& old, const ZScalar& next) {
  ZScalar r = top(old.umin);
  r.umin = z3::ite(z3::ult(next.umin, old.umin), zero_like(old.umin), old.umin);
  r.umax = z3::ite(z3::ugt(next.umax, old.umax), ones_like(old.umin), old.umax);
  r.smin = z3::ite(z3::slt(next.smin, old.smin), signed_min_like(old.umin), old.smin);
  r.smax = z3::ite(z3::sgt(next.smax, old.smax), signed_max_like(old.umin), old.smax);
  r.bits = tnum_mirror::widen(old.bits, next.bits);
  return select(is_bottom(old), as_is(next), normalized(r));
}
// meet() before its normalize(); `ok` is whether the tnums meet.
ZScalar meet(const ZScalar& a, const ZScalar& b, z3::expr& ok) {
  return {umax2(a.umin, b.umin), umin2(a.umax, b.umax), smax2(a.smin, b.smin), smin2(a.smax, b.smax),
          tnum_mirror::meet(a.bits, b.bits, ok)};
}

}  // namespace scalar_mirror

// ---- tnum proofs ----

using ZBinary = std::function<z3::expr(const z3::expr&, const z3::expr&)>;

struct TnumCase {
  const char* name;
  std::function<ZTnum(const ZTnum&, const ZTnum&)> abstract;
  ZBinary concrete;
};
const TnumCase kTnumAdd{"+", tnum_mirror::add, [](const z3::expr& x, const z3::expr& y) { return x + y; }};
const TnumCase kTnumSub{"-", tnum_mirror::sub, [](const z3::expr& x, const z3::expr& y) { return x - y; }};
const TnumCase kTnumAnd{"&", tnum_mirror::bit_and, [](const z3::expr& x, const z3::expr& y) { return x & y; }};
const TnumCase kTnumOr{"|", tnum_mirror::bit_or, [](const z3::expr& x, const z3::expr& y) { return x | y; }};
const TnumCase kTnumXor{"^", tnum_mirror::bit_xor, [](const z3::expr& x, const z3::expr& y) { return x ^ y; }};
const TnumCase kTnumMul{"*", tnum_mirror::mul, [](const z3::expr& x, const z3::expr& y) { return x * y; }};

void prove_tnum_binary(const TnumCase& op, unsigned width) {
  z3::context ctx;
  Vars var(ctx, width);
  const ZTnum a{var("a.value"), var("a.mask")}, b{var("b.value"), var("b.mask")};
  const z3::expr x = var("x"), y = var("y");
  const z3::expr claim = z3::implies(wellformed(a) && wellformed(b) && holds(a, x) && holds(b, y),
                                     holds(op.abstract(a, b), op.concrete(x, y)));
  expect_proven(claim, var, "tnum " + std::string(op.name) + " at " + std::to_string(width) + " bits");
}

TEST(TnumProof, AddAt64Bits) { prove_tnum_binary(kTnumAdd, 64); }
TEST(TnumProof, SubAt64Bits) { prove_tnum_binary(kTnumSub, 64); }
TEST(TnumProof, AndAt64Bits) { prove_tnum_binary(kTnumAnd, 64); }
TEST(TnumProof, OrAt64Bits) { prove_tnum_binary(kTnumOr, 64); }
TEST(TnumProof, XorAt64Bits) { prove_tnum_binary(kTnumXor, 64); }
TEST(TnumProof, MulAt8Bits) { prove_tnum_binary(kTnumMul, 8); }

// Tnum multiplication at 64 bits, by induction over its loop: Z3 does not
// finish the whole loop at once (a multiplier circuit against 64 chained
// additions). Long multiplication splits x·y − a.value·b.value into one
// term per bit k of a: (bit k of a.value)·(y − b.value)·2^k +
// (bit k of x − a.value)·y·2^k. Pass k of the loop adds to `uncertain` the
// tnum for term k: {0, b.mask << k} when bit k of a.value is set, {0,
// (b.value | b.mask) << k} when bit k of a.mask is, nothing otherwise. The
// step below is proven for every k, every `uncertain` U and every p in
// γ(U) (where the terms before k summed to): p plus term k lies in γ of
// what pass k makes of U. From P_0 = 0 in γ(constant 0), the terms' sum
// lies in γ(uncertain) when the loop stops, and the loop stops only once a
// has no bit left, where x has none either (the second claim): the terms
// after it are 0. So x·y = a.value·b.value + that sum lies in
// γ(constant(a.value·b.value) + uncertain), by the addition proof.
// MulAt8Bits proves the whole loop at once where Z3 can, and
// MirrorsMatchCode ties the mirror's passes to the C++.
TEST(TnumProof, MulStepAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZTnum a{var("a.value"), var("a.mask")}, b{var("b.value"), var("b.mask")};
  const ZTnum u{var("uncertain.value"), var("uncertain.mask")};
  const z3::expr x = var("x"), y = var("y"), p = var("p"), k = var("k");
  const z3::expr zero = ctx.bv_val(0, 64), one = ctx.bv_val(1, 64);
  auto bit = [&](const z3::expr& v) { return (z3::lshr(v, k) & one) != 0; };
  const ZTnum next = tnum_mirror::select(
      bit(a.value), tnum_mirror::add(u, {zero, z3::shl(b.mask, k)}),
      tnum_mirror::select(bit(a.mask), tnum_mirror::add(u, {zero, z3::shl(b.value | b.mask, k)}), u));
  const z3::expr term = z3::ite(bit(a.value), z3::shl(y - b.value, k), zero) +
                        z3::ite(bit(x - a.value), z3::shl(y, k), zero);
  const z3::expr given = wellformed(a) && wellformed(b) && wellformed(u) && holds(a, x) && holds(b, y) &&
                         holds(u, p) && z3::ult(k, ctx.bv_val(64, 64));
  expect_proven(z3::implies(given, holds(next, p + term)), var, "tnum * at 64 bits: one pass of the loop");
  const z3::expr stopped = z3::lshr(a.value, k) == 0 && z3::lshr(a.mask, k) == 0;
  expect_proven(z3::implies(given && stopped, z3::lshr(x, k) == 0), var,
                "tnum * at 64 bits: no term after the loop stops");
}

TEST(TnumProof, ShiftsAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZTnum a{var("a.value"), var("a.mask")};
  const z3::expr x = var("x"), k = var("k");
  const z3::expr pre = wellformed(a) && holds(a, x) && z3::ult(k, 64);
  expect_proven(z3::implies(pre, holds(tnum_mirror::shl(a, k), z3::shl(x, k))), var, "tnum shl");
  expect_proven(z3::implies(pre, holds(tnum_mirror::shr(a, k), z3::lshr(x, k))), var, "tnum shr");
  expect_proven(z3::implies(pre, holds(tnum_mirror::sar(a, k), z3::ashr(x, k))), var, "tnum sar");
}

TEST(TnumProof, JoinWidenMeetRangeAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZTnum a{var("a.value"), var("a.mask")}, b{var("b.value"), var("b.mask")};
  const z3::expr x = var("x"), lo = var("min"), hi = var("max");
  const z3::expr pre = wellformed(a) && wellformed(b);
  expect_proven(z3::implies(pre && (holds(a, x) || holds(b, x)), holds(tnum_mirror::join(a, b), x)), var,
                "tnum join");
  expect_proven(z3::implies(pre && (holds(a, x) || holds(b, x)), holds(tnum_mirror::widen(a, b), x)), var,
                "tnum widen");
  z3::expr ok = ctx.bool_val(true);
  const ZTnum m = tnum_mirror::meet(a, b, ok);
  expect_proven(z3::implies(pre && holds(a, x) && holds(b, x), ok && holds(m, x)), var, "tnum meet");
  expect_proven(z3::implies(z3::ule(lo, x) && z3::ule(x, hi), holds(tnum_mirror::range(lo, hi), x)), var,
                "tnum range");
}

// ---- scalar proofs ----

// A symbolic abstract scalar. It need not be normalised: the transfer
// functions must be sound whatever the components.
ZScalar scalar_var(Vars& var, const std::string& name) {
  return {var(name + ".umin"), var(name + ".umax"), var(name + ".smin"), var(name + ".smax"),
          {var(name + ".value"), var(name + ".mask")}};
}

// One query per component of `r`: each is much easier for Z3 than all at once.
void expect_holds(const z3::expr& pre, const ZScalar& r, const z3::expr& z, const Vars& var, const std::string& what,
                  bool with_bits = true) {
  expect_proven(z3::implies(pre, z3::ule(r.umin, z)), var, what + ": umin");
  expect_proven(z3::implies(pre, z3::ule(z, r.umax)), var, what + ": umax");
  expect_proven(z3::implies(pre, z3::sle(r.smin, z)), var, what + ": smin");
  expect_proven(z3::implies(pre, z3::sle(z, r.smax)), var, what + ": smax");
  if (with_bits) expect_proven(z3::implies(pre, holds(r.bits, z)), var, what + ": known bits");
}

using ScalarMirror = std::function<Staged(const ZScalar&, const ZScalar&)>;

// Each bound of op#(a, b) before normalize() holds op(x, y). The known bits
// of +, -, &, |, ^ are the tnum operations, proven above.
void prove_scalar_binary(const std::string& name, const ScalarMirror& op, const ZBinary& concrete, unsigned width,
                         bool tnum_proven) {
  z3::context ctx;
  Vars var(ctx, width);
  const ZScalar a = scalar_var(var, "a"), b = scalar_var(var, "b");
  const z3::expr x = var("x"), y = var("y");
  const Staged r = op(a, b);
  expect_holds(holds(a, x) && holds(b, y), r.state, concrete(x, y), var,
               "scalar " + name + " at " + std::to_string(width) + " bits", !tnum_proven);
}

// BPF division: x / 0 = 0, x % 0 = x. Signed division truncates; the
// primitives make MIN / -1 = MIN and MIN % -1 = 0 (bvsdiv and bvsrem do).
ZBinary bpf_udiv(const Division& d) {
  return [d](const z3::expr& x, const z3::expr& y) { return z3::ite(y == 0, zero_like(x), d.udiv(x, y)); };
}
ZBinary bpf_umod(const Division& d) {
  return [d](const z3::expr& x, const z3::expr& y) { return z3::ite(y == 0, x, d.urem(x, y)); };
}
ZBinary bpf_sdiv(const Division& d) {
  return [d](const z3::expr& x, const z3::expr& y) { return z3::ite(y == 0, zero_like(x), d.sdiv(x, y)); };
}
ZBinary bpf_smod(const Division& d) {
  return [d](const z3::expr& x, const z3::expr& y) { return z3::ite(y == 0, x, d.srem(x, y)); };
}

TEST(ScalarProof, AddAt64Bits) { prove_scalar_binary("+", scalar_mirror::add, kTnumAdd.concrete, 64, true); }
TEST(ScalarProof, SubAt64Bits) { prove_scalar_binary("-", scalar_mirror::sub, kTnumSub.concrete, 64, true); }
TEST(ScalarProof, AndAt64Bits) { prove_scalar_binary("&", scalar_mirror::bit_and, kTnumAnd.concrete, 64, true); }
TEST(ScalarProof, OrAt64Bits) { prove_scalar_binary("|", scalar_mirror::bit_or, kTnumOr.concrete, 64, true); }
TEST(ScalarProof, XorAt64Bits) { prove_scalar_binary("^", scalar_mirror::bit_xor, kTnumXor.concrete, 64, true); }
// ---- division ----
//
// Bit-blasting a 64-bit divider is beyond Z3 in a test's time: even
// "x1 <= x2 implies x1 / y <= x2 / y" times out at 16 bits. So the 64-bit
// proofs take the unsigned quotient and remainder as unknown functions that
// obey only the facts below, each proven over the integers (SMT-LIB defines
// bvudiv and bvurem by a nonzero divisor as integer division and its
// remainder). Signed division and remainder are built from them the way
// SMT-LIB defines bvsdiv and bvsrem. A claim that holds for every pair of
// functions obeying the facts holds for the real ones. At 8 bits the same
// claims are also proven with Z3's own operators.
using ZFunction = std::function<z3::expr(const z3::expr&, const z3::expr&)>;

// SMT-LIB's definitions of bvsdiv and bvsrem: divide the magnitudes, then
// fix the sign.
Division with_signed(const ZFunction& udiv, const ZFunction& urem) {
  auto negative = [](const z3::expr& v) { return z3::slt(v, zero_like(v)); };
  auto sdiv = [udiv, negative](const z3::expr& s, const z3::expr& t) {
    const z3::expr ns = zero_like(s) - s, nt = zero_like(t) - t;
    return z3::ite(!negative(s) && !negative(t), udiv(s, t),
                   z3::ite(negative(s) && !negative(t), zero_like(s) - udiv(ns, t),
                           z3::ite(!negative(s) && negative(t), zero_like(s) - udiv(s, nt), udiv(ns, nt))));
  };
  auto srem = [urem, negative](const z3::expr& s, const z3::expr& t) {
    const z3::expr ns = zero_like(s) - s, nt = zero_like(t) - t;
    return z3::ite(!negative(s) && !negative(t), urem(s, t),
                   z3::ite(negative(s) && !negative(t), zero_like(s) - urem(ns, t),
                           z3::ite(!negative(s) && negative(t), urem(s, nt), zero_like(s) - urem(ns, nt))));
  };
  return {udiv, urem, sdiv, srem};
}

class DivisionFacts {
 public:
  DivisionFacts(z3::context& ctx, unsigned width)
      : quotient_(ctx.function("udiv", ctx.bv_sort(width), ctx.bv_sort(width), ctx.bv_sort(width))),
        remainder_(ctx.function("urem", ctx.bv_sort(width), ctx.bv_sort(width), ctx.bv_sort(width))) {}

  Division division() const {
    const z3::func_decl q = quotient_, r = remainder_;
    return with_signed([q](const z3::expr& x, const z3::expr& y) { return q(x, y); },
                       [r](const z3::expr& x, const z3::expr& y) { return r(x, y); });
  }

  // The facts about quotients and remainders at every dividend and divisor
  // term given, and about division by one. The terms are those each proof
  // needs: more of them only slow Z3 down.
  z3::expr quotients(const std::vector<z3::expr>& dividends, const std::vector<z3::expr>& divisors) const {
    const z3::func_decl& q = quotient_;
    z3::expr all = dividends[0].ctx().bool_val(true);
    for (const z3::expr& d : dividends)
      for (const z3::expr& e : divisors) {
        for (const z3::expr& d2 : dividends)
          all = all && z3::implies(z3::ule(d, d2) && e != 0, z3::ule(q(d, e), q(d2, e)));
        for (const z3::expr& e2 : divisors)
          all = all && z3::implies(e != 0 && z3::ule(e, e2), z3::ule(q(d, e2), q(d, e)));
      }
    return all;
  }
  z3::expr remainders(const std::vector<z3::expr>& dividends, const std::vector<z3::expr>& divisors) const {
    const z3::func_decl& r = remainder_;
    z3::expr all = dividends[0].ctx().bool_val(true);
    for (const z3::expr& d : dividends)
      for (const z3::expr& e : divisors) {
        all = all && z3::implies(z3::ult(d, e), r(d, e) == d);
        all = all && z3::implies(e != 0, z3::ult(r(d, e), e) && z3::ule(r(d, e), d));
      }
    return all;
  }
  z3::expr by_one(const std::vector<z3::expr>& dividends) const {
    z3::expr all = dividends[0].ctx().bool_val(true);
    for (const z3::expr& d : dividends)
      all = all && quotient_(d, num_like(d, 1)) == d && remainder_(d, num_like(d, 1)) == 0;
    return all;
  }

 private:
  z3::func_decl quotient_, remainder_;
};

TEST(ScalarProof, DivisionFactsHoldForIntegerDivision) {
  z3::context ctx;
  const z3::expr d = ctx.int_const("d"), d2 = ctx.int_const("d2"), e = ctx.int_const("e"), e2 = ctx.int_const("e2");
  const z3::expr limit = ctx.int_val("18446744073709551616");  // 2^64
  auto word = [&limit](const z3::expr& v) { return v >= 0 && v < limit; };
  const z3::expr words = word(d) && word(d2) && word(e) && word(e2);
  const std::pair<const char*, z3::expr> facts[] = {
      {"d / 1 = d, d % 1 = 0", d / 1 == d && z3::mod(d, 1) == 0},
      {"d < e: d % e = d", z3::implies(d < e, z3::mod(d, e) == d)},
      {"d % e < e, d % e <= d", z3::implies(e != 0, z3::mod(d, e) < e && z3::mod(d, e) <= d)},
      {"d <= d2: d / e <= d2 / e", z3::implies(d <= d2 && e != 0, d / e <= d2 / e)},
      {"e <= e2: d / e2 <= d / e", z3::implies(e != 0 && e <= e2, d / e2 <= d / e)},
  };
  for (const auto& [name, fact] : facts) {
    z3::solver solver(ctx);
    z3::params params(ctx);
    params.set("timeout", kTimeoutMs);
    solver.set(params);
    solver.add(words && !fact);
    EXPECT_EQ(solver.check(), z3::unsat) << name;
  }
}

// with_signed() is bvsdiv and bvsrem: proven at 8 bits, where Z3 is quick,
// and compared at random 64-bit values.
TEST(ScalarProof, SignedDivisionFromUnsignedIsSmtLibs) {
  z3::context ctx;
  Vars var(ctx, 8);
  const z3::expr x = var("x"), y = var("y");
  const Division real = z3_division();
  const Division built = with_signed(real.udiv, real.urem);
  expect_proven(built.sdiv(x, y) == x / y, var, "sdiv from udiv");
  expect_proven(built.srem(x, y) == z3::srem(x, y), var, "srem from urem");
  Vars var64(ctx, 64);
  const z3::expr x64 = var64("x"), y64 = var64("y");
  const z3::expr same = built.sdiv(x64, y64) == x64 / y64 && built.srem(x64, y64) == z3::srem(x64, y64);
  std::mt19937_64 rng(5);
  for (int n = 0; n < 300; ++n) {
    Bindings bs(ctx);
    bs.bind(x64, rng() >> (rng() % 64));  // every magnitude; a shift by 0 keeps the sign
    bs.bind(y64, rng() % 4 ? rng() >> (rng() % 64) : ~uint64_t{0} - rng() % 3);
    EXPECT_EQ(bs(same), 1u);
  }
}

void prove_division(unsigned width, bool with_facts) {
  z3::context ctx;
  Vars var(ctx, width);
  const ZScalar a = scalar_var(var, "a"), b = scalar_var(var, "b");
  const z3::expr x = var("x"), y = var("y");
  const DivisionFacts facts(ctx, width);
  const Division d = with_facts ? facts.division() : z3_division();
  const z3::expr pre = holds(a, x) && holds(b, y);
  z3::expr quotient_facts = ctx.bool_val(true), remainder_facts = ctx.bool_val(true), sign_facts = ctx.bool_val(true);
  if (with_facts) {
    // The quotient lies between a.umin / b.umax and a.umax / max(b.umin, 1).
    const z3::expr at_least_one = scalar_mirror::umax2(b.umin, num_like(x, 1));
    quotient_facts = facts.quotients({x, a.umin, a.umax}, {y, b.umax, at_least_one});
    remainder_facts = facts.remainders({x}, {y});
    sign_facts = facts.by_one({x, zero_like(x) - x});  // x / -1 and x % -1
  }
  // The facts must not contradict each other, or every claim would follow.
  z3::solver consistent(ctx);
  consistent.add(pre && quotient_facts && remainder_facts && sign_facts);
  ASSERT_EQ(consistent.check(), z3::sat) << "the division facts contradict each other";
  const std::string at = " at " + std::to_string(width) + " bits";
  expect_holds(pre && quotient_facts, scalar_mirror::udiv(a, b, d).state, bpf_udiv(d)(x, y), var, "udiv" + at);
  expect_holds(pre && remainder_facts, scalar_mirror::umod(a, b, d).state, bpf_umod(d)(x, y), var, "umod" + at);
  expect_holds(pre && quotient_facts && sign_facts, scalar_mirror::sdiv(a, b, d).state, bpf_sdiv(d)(x, y), var,
               "sdiv" + at);
  expect_holds(pre && remainder_facts && sign_facts, scalar_mirror::smod(a, b, d).state, bpf_smod(d)(x, y), var,
               "smod" + at);
}

TEST(ScalarProof, DivisionAt64Bits) { prove_division(64, true); }
TEST(ScalarProof, DivisionAt8BitsWithZ3sOperators) { prove_division(8, false); }

// ---- multiplication ----
//
// As for division: the 64-bit proof takes the wrapped product and both
// overflow tests as unknown functions that obey only the facts below, each
// proven over the integers and, as stated over bit-vectors, at 8 bits.
class MultiplicationFacts {
 public:
  // The three as unknown functions.
  MultiplicationFacts(z3::context& ctx, unsigned width) {
    const z3::sort word = ctx.bv_sort(width);
    const z3::func_decl p = ctx.function("mul", word, word, word);
    const z3::func_decl u = ctx.function("umul_overflow", word, word, ctx.bool_sort());
    const z3::func_decl s = ctx.function("smul_overflow", word, word, ctx.bool_sort());
    m_ = {[p](const z3::expr& x, const z3::expr& y) { return p(x, y); },
          [u](const z3::expr& x, const z3::expr& y) { return u(x, y); },
          [s](const z3::expr& x, const z3::expr& y) { return s(x, y); }};
  }
  // The facts about `m` itself: z3_multiplication(), to check them at 8 bits.
  explicit MultiplicationFacts(Multiplication m) : m_(std::move(m)) {}

  const Multiplication& multiplication() const { return m_; }

  // For every two of the factor pairs given: x1 <=u x2, y1 <=u y2 and x2·y2
  // fitting imply that x1·y1 fits and is no larger.
  z3::expr unsigned_box(const std::vector<std::pair<z3::expr, z3::expr>>& pairs) const {
    z3::expr all = pairs[0].first.ctx().bool_val(true);
    for (const auto& [x1, y1] : pairs)
      for (const auto& [x2, y2] : pairs)
        all = all && z3::implies(z3::ule(x1, x2) && z3::ule(y1, y2) && !m_.unsigned_overflow(x2, y2),
                                 !m_.unsigned_overflow(x1, y1) && z3::ule(m_.mul(x1, y1), m_.mul(x2, y2)));
    return all;
  }
  // x in [a, b] and y in [c, d], signed, with none of the corner products
  // a·c, a·d, b·c, b·d overflowing: x·y does not overflow and lies between
  // two of them (x·y is linear in each factor).
  z3::expr signed_box(const z3::expr& a, const z3::expr& b, const z3::expr& c, const z3::expr& d, const z3::expr& x,
                      const z3::expr& y) const {
    const z3::expr in_box = z3::sle(a, x) && z3::sle(x, b) && z3::sle(c, y) && z3::sle(y, d);
    z3::expr corners_fit = a.ctx().bool_val(true), above = a.ctx().bool_val(false), below = above;
    const z3::expr xy = m_.mul(x, y);
    for (const auto& [f, g] : {std::pair{a, c}, std::pair{a, d}, std::pair{b, c}, std::pair{b, d}}) {
      corners_fit = corners_fit && !m_.signed_overflow(f, g);
      above = above || z3::sge(xy, m_.mul(f, g));
      below = below || z3::sle(xy, m_.mul(f, g));
    }
    return z3::implies(in_box && corners_fit, !m_.signed_overflow(x, y) && above && below);
  }

 private:
  Multiplication m_;
};

// The facts read over the integers: a word's value is an integer in
// [0, 2^64) unsigned or [-2^63, 2^63) signed; overflow is the exact product
// leaving that range, and without it the product is the exact one, so <=u
// and <=s of products are <= of integers. Each is stated over the reals,
// where Z3's nonlinear arithmetic decides it at once; what holds for every
// real holds for every integer.
TEST(ScalarProof, MultiplicationFactsHoldForIntegers) {
  z3::context ctx;
  auto real = [&ctx](const char* name) { return ctx.real_const(name); };
  const z3::expr x1 = real("x1"), x2 = real("x2"), y1 = real("y1"), y2 = real("y2");
  const z3::expr a = real("a"), b = real("b"), c = real("c"), d = real("d"), x = real("x"), y = real("y");
  const z3::expr two64 = ctx.real_val("18446744073709551616"), two63 = ctx.real_val("9223372036854775808");
  auto unsigned_word = [&](const z3::expr& v) { return v >= 0 && v < two64; };
  auto signed_word = [&](const z3::expr& v) { return v >= -two63 && v < two63; };
  const z3::expr unsigned_words = unsigned_word(x1) && unsigned_word(x2) && unsigned_word(y1) && unsigned_word(y2);
  const z3::expr signed_words =
      signed_word(a) && signed_word(b) && signed_word(c) && signed_word(d) && signed_word(x) && signed_word(y);
  const z3::expr corners[] = {a * c, a * d, b * c, b * d};
  z3::expr corners_fit = ctx.bool_val(true), above = ctx.bool_val(false), below = ctx.bool_val(false);
  for (const z3::expr& corner : corners) {
    corners_fit = corners_fit && signed_word(corner);
    above = above || x * y >= corner;
    below = below || x * y <= corner;
  }
  const std::pair<const char*, z3::expr> facts[] = {
      {"unsigned box", z3::implies(unsigned_words && x1 <= x2 && y1 <= y2 && unsigned_word(x2 * y2),
                                   unsigned_word(x1 * y1) && x1 * y1 <= x2 * y2)},
      {"signed box", z3::implies(signed_words && a <= x && x <= b && c <= y && y <= d && corners_fit,
                                 signed_word(x * y) && above && below)},
  };
  for (const auto& [name, fact] : facts) {
    z3::solver solver(ctx);
    z3::params params(ctx);
    params.set("timeout", kTimeoutMs);
    solver.set(params);
    solver.add(!fact);
    EXPECT_EQ(solver.check(), z3::unsat) << name;
  }
}

// The facts as the proofs state them, over bit-vectors: proven for Z3's own
// operators at 8 bits, as a check on their translation to integers above.
TEST(ScalarProof, MultiplicationFactsHoldAt8Bits) {
  z3::context ctx;
  Vars var(ctx, 8);
  const MultiplicationFacts facts(z3_multiplication());
  const z3::expr x1 = var("x1"), y1 = var("y1"), x2 = var("x2"), y2 = var("y2");
  expect_proven(facts.unsigned_box({{x1, y1}, {x2, y2}}), var, "unsigned box at 8 bits");
  const z3::expr a = var("a"), b = var("b"), c = var("c"), d = var("d"), x = var("x"), y = var("y");
  expect_proven(facts.signed_box(a, b, c, d, x, y), var, "signed box at 8 bits");
}

void prove_multiplication(unsigned width, bool with_facts) {
  z3::context ctx;
  Vars var(ctx, width);
  const ZScalar a = scalar_var(var, "a"), b = scalar_var(var, "b");
  const z3::expr x = var("x"), y = var("y");
  const MultiplicationFacts facts(ctx, width);
  const Multiplication m = with_facts ? facts.multiplication() : z3_multiplication();
  const z3::expr pre = holds(a, x) && holds(b, y);
  z3::expr box = ctx.bool_val(true);
  if (with_facts)
    box = facts.unsigned_box({{a.umin, b.umin}, {x, y}, {a.umax, b.umax}}) &&
          facts.signed_box(a.smin, a.smax, b.smin, b.smax, x, y);
  z3::solver consistent(ctx);
  consistent.add(pre && box);
  ASSERT_EQ(consistent.check(), z3::sat) << "the multiplication facts contradict each other";
  // The known bits are tnum multiplication, proven above.
  expect_holds(pre && box, scalar_mirror::mul(a, b, m).state, m.mul(x, y), var,
               "scalar * at " + std::to_string(width) + " bits", false);
}

TEST(ScalarProof, MultiplicationAt64Bits) { prove_multiplication(64, true); }
TEST(ScalarProof, MultiplicationAt8BitsWithZ3sOperators) { prove_multiplication(8, false); }

TEST(ScalarProof, ShiftsByConstantsAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZScalar a = scalar_var(var, "a");
  const z3::expr x = var("x"), k = var("k");
  const z3::expr pre = holds(a, x) && z3::ult(k, 64);
  expect_holds(pre, scalar_mirror::shl_by(a, k).state, z3::shl(x, k), var, "shl_by", false);
  expect_holds(pre, scalar_mirror::shr_by(a, k).state, z3::lshr(x, k), var, "shr_by", false);
  expect_holds(pre, scalar_mirror::sar_by(a, k).state, z3::ashr(x, k), var, "sar_by", false);
}

// shift() joins shl_by/shr_by/sar_by over the amounts the masked count can
// take; those must include y & 63 for every y of the amount.
TEST(ScalarProof, ShiftAmountsCoverTheMaskedCountAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZScalar amount = scalar_var(var, "amount");
  const z3::expr y = var("y"), masked = y & 63;
  const z3::expr narrow = z3::ult(amount.umax, 64);
  const z3::expr lo = z3::ite(narrow, amount.umin, ctx.bv_val(0, 64));
  const z3::expr hi = z3::ite(narrow, amount.umax, ctx.bv_val(63, 64));
  const z3::expr visited = z3::ite(scalar_mirror::is_const(amount), masked == (amount.umin & 63),
                                   z3::ule(lo, masked) && z3::ule(masked, hi));
  expect_proven(z3::implies(holds(amount, y), visited), var, "shift amounts");
}

// One round keeps every value, so the loop of two does.
TEST(ScalarProof, NormalizeKeepsEveryValueAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZScalar s = scalar_var(var, "s");
  const z3::expr x = var("x");
  z3::expr done = ctx.bool_val(false);
  expect_holds(holds(s, x), scalar_mirror::normalize_round(s, done), x, var, "a round of normalize");
}

// The analysis prunes a path whose state is_bottom(), and join and widen drop
// a bottom operand: a scalar that holds a value must not say so.
TEST(ScalarProof, ScalarWithAValueIsNotBottomAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZScalar s = scalar_var(var, "s");
  const z3::expr x = var("x");
  expect_proven(z3::implies(holds(s, x), !is_bottom(s)), var, "is_bottom()");
}

// join and widen hold both operands; meet, before its normalize(), holds
// what both hold.
TEST(ScalarProof, LatticeAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZScalar a = scalar_var(var, "a"), b = scalar_var(var, "b");
  const z3::expr x = var("x");
  const Staged join = scalar_mirror::join(a, b), widen = scalar_mirror::widen(a, b);
  expect_holds(holds(a, x), join.state, x, var, "scalar join, a value of a");
  expect_holds(holds(b, x), join.state, x, var, "scalar join, a value of b");
  expect_holds(holds(a, x), widen.state, x, var, "scalar widen, a value of old");
  expect_holds(holds(b, x), widen.state, x, var, "scalar widen, a value of next");
  z3::expr ok = ctx.bool_val(true);
  const ZScalar m = scalar_mirror::meet(a, b, ok);
  expect_proven(z3::implies(holds(a, x) && holds(b, x), ok), var, "scalar meet: tnums meet");
  expect_holds(holds(a, x) && holds(b, x), m, x, var, "scalar meet");
}

TEST(ScalarProof, TruncateAndExtendAt64Bits) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZScalar s = scalar_var(var, "s");
  const z3::expr x = var("x");
  expect_holds(holds(s, x), scalar_mirror::truncate(s, 32).state, x.extract(31, 0), var, "truncate to 32 bits");
  Vars var32(ctx, 32);
  const ZScalar n = scalar_var(var32, "n");
  const z3::expr v = var32("v");
  expect_holds(holds(n, v), scalar_mirror::zero_extend(n, 64).state, z3::zext(v, 32), var32, "zero_extend to 64 bits");
  expect_holds(holds(n, v), scalar_mirror::sign_extend(n, 64).state, z3::sext(v, 32), var32, "sign_extend to 64 bits");
}

// ---- the mirrors are the code ----

template <typename U>
BasicTnum<U> random_tnum(std::mt19937_64& rng) {
  const auto sparse = static_cast<U>(rng() & rng() & rng()), dense = static_cast<U>(rng() | rng());
  const auto low = static_cast<U>((U{1} << (rng() % (sizeof(U) * 8))) - 1);
  const U m = std::array<U, 3>{sparse, dense, low}[rng() % 3];
  if (rng() % 8 == 0) return {static_cast<U>(rng()), m};  // not well-formed: the mirror must agree all the same
  return {static_cast<U>(rng() & ~m), m};
}

template <typename U>
U random_edge(std::mt19937_64& rng) {
  using S = std::make_signed_t<U>;
  const auto p = static_cast<U>(U{1} << (rng() % (sizeof(U) * 8)));
  const U e[] = {0, 1, 2, static_cast<U>(p - 1), p, static_cast<U>(p + 1),
                 static_cast<U>(std::numeric_limits<S>::max()), static_cast<U>(std::numeric_limits<S>::min()),
                 static_cast<U>(~U{0}), static_cast<U>(~U{0} - 1)};
  return rng() % 3 ? e[rng() % std::size(e)] : static_cast<U>(rng() >> (rng() % 64));
}

// A random scalar of every shape, normalised or raw.
template <typename U>
BasicScalar<U> random_scalar(std::mt19937_64& rng) {
  using Sc = BasicScalar<U>;
  using S = typename Sc::S;
  U lo = random_edge<U>(rng), hi = random_edge<U>(rng);
  if (rng() % 4 == 0) hi = static_cast<U>(lo + rng() % 8);
  if (lo > hi && rng() % 4) std::swap(lo, hi);
  auto slo = static_cast<S>(random_edge<U>(rng)), shi = static_cast<S>(random_edge<U>(rng));
  if (slo > shi && rng() % 4) std::swap(slo, shi);
  Sc s;
  switch (rng() % 6) {
    case 0: return Sc::constant(random_edge<U>(rng));
    case 1: return Sc::unsigned_range(lo, hi);
    case 2: return Sc::signed_range(slo, shi);
    case 3: s.bits = random_tnum<U>(rng); break;
    default: s = {lo, hi, slo, shi, random_tnum<U>(rng)}; break;
  }
  if (rng() % 2) s.normalize();
  return s;
}

template <typename U>
void bind(Bindings& b, const ZTnum& z, const BasicTnum<U>& t) {
  b.bind(z.value, t.value);
  b.bind(z.mask, t.mask);
}
template <typename U>
void bind(Bindings& b, const ZScalar& z, const BasicScalar<U>& s) {
  b.bind(z.umin, s.umin);
  b.bind(z.umax, s.umax);
  b.bind(z.smin, static_cast<U>(s.smin));
  b.bind(z.smax, static_cast<U>(s.smax));
  bind(b, z.bits, s.bits);
}

// "" when the mirror evaluates to the code's result, else both.
template <typename U>
std::string mismatch(const Bindings& b, const ZTnum& z, const BasicTnum<U>& t) {
  std::ostringstream o;
  if (b(z.value) != t.value || b(z.mask) != t.mask)
    o << " mirror bits {" << b(z.value) << ", " << b(z.mask) << "}, code {" << +t.value << ", " << +t.mask << "}";
  return o.str();
}
template <typename U>
std::string mismatch(const Bindings& b, const ZScalar& z, const BasicScalar<U>& s) {
  std::ostringstream o;
  const U got[] = {static_cast<U>(b(z.umin)), static_cast<U>(b(z.umax)), static_cast<U>(b(z.smin)),
                   static_cast<U>(b(z.smax))};
  const U want[] = {s.umin, s.umax, static_cast<U>(s.smin), static_cast<U>(s.smax)};
  if (!std::equal(got, got + 4, want))
    o << "mirror u[" << +got[0] << "," << +got[1] << "] s[" << +got[2] << "," << +got[3] << "], code u[" << +want[0]
      << "," << +want[1] << "] s[" << +want[2] << "," << +want[3] << "]";
  return o.str() + mismatch(b, z.bits, s.bits);
}
template <typename U>
std::string show(const BasicScalar<U>& s) {
  std::ostringstream o;
  o << "{u[" << +s.umin << "," << +s.umax << "] s[" << +s.smin << "," << +s.smax << "] value " << +s.bits.value
    << " mask " << +s.bits.mask << "}";
  return o.str();
}

#ifdef NDEBUG
constexpr int kSamples = 300;
#else
constexpr int kSamples = 60;  // unoptimised, under the sanitizers
#endif

template <typename U>
void tnum_mirror_matches_code(const char* name, const std::function<ZTnum(const ZTnum&, const ZTnum&)>& mirror,
                              const std::function<BasicTnum<U>(const BasicTnum<U>&, const BasicTnum<U>&)>& code) {
  z3::context ctx;
  Vars var(ctx, sizeof(U) * 8);
  const ZTnum a{var("a.value"), var("a.mask")}, b{var("b.value"), var("b.mask")};
  const ZTnum r = mirror(a, b);
  std::mt19937_64 rng(1);
  for (int n = 0; n < kSamples; ++n) {
    const BasicTnum<U> ca = random_tnum<U>(rng), cb = random_tnum<U>(rng);
    Bindings bs(ctx);
    bind(bs, a, ca);
    bind(bs, b, cb);
    ASSERT_EQ(mismatch(bs, r, code(ca, cb)), "") << "tnum " << name << " at " << sizeof(U) * 8 << " bits, a {"
                                                 << +ca.value << ", " << +ca.mask << "}, b {" << +cb.value << ", "
                                                 << +cb.mask << "}";
  }
}

TEST(TnumProof, MirrorsMatchCode) {
  using T = Tnum;
  using T8 = BasicTnum<uint8_t>;
  tnum_mirror_matches_code<uint64_t>("+", tnum_mirror::add, [](const T& a, const T& b) { return a + b; });
  tnum_mirror_matches_code<uint64_t>("-", tnum_mirror::sub, [](const T& a, const T& b) { return a - b; });
  tnum_mirror_matches_code<uint64_t>("&", tnum_mirror::bit_and, [](const T& a, const T& b) { return a & b; });
  tnum_mirror_matches_code<uint64_t>("|", tnum_mirror::bit_or, [](const T& a, const T& b) { return a | b; });
  tnum_mirror_matches_code<uint64_t>("^", tnum_mirror::bit_xor, [](const T& a, const T& b) { return a ^ b; });
  tnum_mirror_matches_code<uint64_t>("*", tnum_mirror::mul, [](const T& a, const T& b) { return a * b; });
  tnum_mirror_matches_code<uint8_t>("*", tnum_mirror::mul, [](const T8& a, const T8& b) { return a * b; });
  tnum_mirror_matches_code<uint64_t>("join", tnum_mirror::join, [](const T& a, const T& b) { return join(a, b); });
  tnum_mirror_matches_code<uint64_t>("widen", tnum_mirror::widen, [](const T& a, const T& b) { return widen(a, b); });
  tnum_mirror_matches_code<uint64_t>(
      "meet",
      [](const ZTnum& a, const ZTnum& b) {
        z3::expr ok = a.value.ctx().bool_val(true);
        return tnum_mirror::meet(a, b, ok);
      },
      [](const T& a, const T& b) {
        bool ok = true;
        return meet(a, b, ok);
      });
}

TEST(TnumProof, ShiftRangeAndMeetMirrorsMatchCode) {
  z3::context ctx;
  Vars var(ctx, 64);
  const ZTnum a{var("a.value"), var("a.mask")}, b{var("b.value"), var("b.mask")};
  const z3::expr k = var("k"), lo = var("min"), hi = var("max");
  const ZTnum l = tnum_mirror::shl(a, k), r = tnum_mirror::shr(a, k), s = tnum_mirror::sar(a, k);
  const ZTnum rg = tnum_mirror::range(lo, hi);
  z3::expr ok = ctx.bool_val(true);
  tnum_mirror::meet(a, b, ok);
  std::mt19937_64 rng(2);
  for (int n = 0; n < kSamples; ++n) {
    const Tnum ca = random_tnum<uint64_t>(rng), cb = random_tnum<uint64_t>(rng);
    const int ck = static_cast<int>(rng() % 64);
    uint64_t clo = random_edge<uint64_t>(rng), chi = random_edge<uint64_t>(rng);
    if (clo > chi) std::swap(clo, chi);
    Bindings bs(ctx);
    bind(bs, a, ca);
    bind(bs, b, cb);
    bs.bind(k, static_cast<uint64_t>(ck));
    bs.bind(lo, clo);
    bs.bind(hi, chi);
    EXPECT_EQ(mismatch(bs, l, ca.shl(ck)), "") << "shl " << ck;
    EXPECT_EQ(mismatch(bs, r, ca.shr(ck)), "") << "shr " << ck;
    EXPECT_EQ(mismatch(bs, s, ca.sar(ck)), "") << "sar " << ck;
    EXPECT_EQ(mismatch(bs, rg, Tnum::range(clo, chi)), "") << "range " << clo << " " << chi;
    bool cok = true;
    (void)meet(ca, cb, cok);
    EXPECT_EQ(bs(ok), cok ? 1u : 0u) << "meet's ok";
  }
}

template <typename U>
using ScalarCode = std::function<BasicScalar<U>(const BasicScalar<U>&, const BasicScalar<U>&)>;

template <typename U>
void scalar_mirror_matches_code(const std::string& name, const ScalarMirror& mirror, const ScalarCode<U>& code) {
  z3::context ctx;
  Vars var(ctx, sizeof(U) * 8);
  const ZScalar a = scalar_var(var, "a"), b = scalar_var(var, "b");
  const ZScalar r = scalar_mirror::finish(mirror(a, b));
  std::mt19937_64 rng(3);
  for (int n = 0; n < kSamples; ++n) {
    const BasicScalar<U> ca = random_scalar<U>(rng), cb = random_scalar<U>(rng);
    Bindings bs(ctx);
    bind(bs, a, ca);
    bind(bs, b, cb);
    ASSERT_EQ(mismatch(bs, r, code(ca, cb)), "") << name << " at " << sizeof(U) * 8 << " bits " << show(ca) << ", "
                                                 << show(cb);
  }
}

TEST(ScalarProof, MirrorsMatchCode) {
  using Sc = Scalar;
  scalar_mirror_matches_code<uint64_t>("+", scalar_mirror::add, [](const Sc& a, const Sc& b) { return a + b; });
  scalar_mirror_matches_code<uint64_t>("-", scalar_mirror::sub, [](const Sc& a, const Sc& b) { return a - b; });
  scalar_mirror_matches_code<uint64_t>("&", scalar_mirror::bit_and, [](const Sc& a, const Sc& b) { return a & b; });
  scalar_mirror_matches_code<uint64_t>("|", scalar_mirror::bit_or, [](const Sc& a, const Sc& b) { return a | b; });
  scalar_mirror_matches_code<uint64_t>("^", scalar_mirror::bit_xor, [](const Sc& a, const Sc& b) { return a ^ b; });
  scalar_mirror_matches_code<uint64_t>("join", scalar_mirror::join,
                                       [](const Sc& a, const Sc& b) { return join(a, b); });
  scalar_mirror_matches_code<uint64_t>("widen", scalar_mirror::widen,
                                       [](const Sc& a, const Sc& b) { return widen(a, b); });
  // Multiplication and division are proven at 8 bits too: compare them there as well.
  auto mul = [](const ZScalar& a, const ZScalar& b) { return scalar_mirror::mul(a, b, z3_multiplication()); };
  scalar_mirror_matches_code<uint64_t>("*", mul, [](const Sc& a, const Sc& b) { return a * b; });
  using Sc8 = BasicScalar<uint8_t>;
  scalar_mirror_matches_code<uint8_t>("*", mul, [](const Sc8& a, const Sc8& b) { return a * b; });
  using Op = Staged (*)(const ZScalar&, const ZScalar&, const Division&);
  for (const auto& [name, op] : std::vector<std::pair<std::string, Op>>{
           {"udiv", scalar_mirror::udiv}, {"umod", scalar_mirror::umod},
           {"sdiv", scalar_mirror::sdiv}, {"smod", scalar_mirror::smod}}) {
    auto mirror = [op = op](const ZScalar& a, const ZScalar& b) { return op(a, b, z3_division()); };
    auto code = [&name = name]<typename U>(const BasicScalar<U>& a, const BasicScalar<U>& b) {
      return name == "udiv" ? udiv(a, b) : name == "umod" ? umod(a, b) : name == "sdiv" ? sdiv(a, b) : smod(a, b);
    };
    scalar_mirror_matches_code<uint64_t>(name, mirror, ScalarCode<uint64_t>(code));
    scalar_mirror_matches_code<uint8_t>(name, mirror, ScalarCode<uint8_t>(code));
  }
  // The amount is b.umin & 63, an int below 64 as shl_by() takes.
  auto by = [](Staged (*shift)(const ZScalar&, const z3::expr&)) {
    return [shift](const ZScalar& a, const ZScalar& b) { return shift(a, b.umin & 63); };
  };
  auto amount = [](const Sc& b) { return static_cast<int>(b.umin & 63); };
  scalar_mirror_matches_code<uint64_t>("shl_by", by(scalar_mirror::shl_by),
                                       [&](const Sc& a, const Sc& b) { return a.shl_by(amount(b)); });
  scalar_mirror_matches_code<uint64_t>("shr_by", by(scalar_mirror::shr_by),
                                       [&](const Sc& a, const Sc& b) { return a.shr_by(amount(b)); });
  scalar_mirror_matches_code<uint64_t>("sar_by", by(scalar_mirror::sar_by),
                                       [&](const Sc& a, const Sc& b) { return a.sar_by(amount(b)); });
}

// z3_multiplication() is __builtin_mul_overflow: its product and both
// overflow tests at every pair of 8-bit words and at random 64-bit ones.
template <typename U>
void multiplication_matches_builtins(const std::vector<std::pair<U, U>>& pairs) {
  using S = std::make_signed_t<U>;
  z3::context ctx;
  Vars var(ctx, sizeof(U) * 8);
  const z3::expr x = var("x"), y = var("y");
  const Multiplication m = z3_multiplication();
  const z3::expr product = m.mul(x, y), uovf = m.unsigned_overflow(x, y), sovf = m.signed_overflow(x, y);
  for (const auto& [cx, cy] : pairs) {
    U p;
    S sp;
    const bool cuovf = __builtin_mul_overflow(cx, cy, &p);
    const bool csovf = __builtin_mul_overflow(static_cast<S>(cx), static_cast<S>(cy), &sp);
    Bindings bs(ctx);
    bs.bind(x, cx);
    bs.bind(y, cy);
    const std::string where =
        std::to_string(sizeof(U) * 8) + " bits, " + std::to_string(+cx) + " * " + std::to_string(+cy);
    ASSERT_EQ(bs(product), p) << where;
    ASSERT_EQ(bs(uovf), cuovf ? 1u : 0u) << "unsigned overflow at " << where;
    ASSERT_EQ(bs(sovf), csovf ? 1u : 0u) << "signed overflow at " << where;
  }
}

TEST(ScalarProof, MultiplicationPrimitivesAreTheBuiltins) {
  std::vector<std::pair<uint8_t, uint8_t>> every;
  for (unsigned x = 0; x < 256; ++x)
    for (unsigned y = 0; y < 256; ++y) every.emplace_back(x, y);
  multiplication_matches_builtins(every);
  std::mt19937_64 rng(6);
  std::vector<std::pair<uint64_t, uint64_t>> some;
  for (int n = 0; n < kSamples; ++n) some.emplace_back(random_edge<uint64_t>(rng), random_edge<uint64_t>(rng));
  multiplication_matches_builtins(some);
}

TEST(ScalarProof, NormalizeMeetAndWidthMirrorsMatchCode) {
  z3::context ctx;
  Vars var(ctx, 64);
  Vars var32(ctx, 32);
  const ZScalar s = scalar_var(var, "s"), t = scalar_var(var, "t"), n = scalar_var(var32, "n");
  const ZScalar normalized = scalar_mirror::normalize(s);
  z3::expr ok = ctx.bool_val(true);
  const ZScalar met = scalar_mirror::normalize(scalar_mirror::meet(s, t, ok));
  const z3::expr met_empty = !ok || is_bottom(met);
  const ZScalar truncated = scalar_mirror::finish(scalar_mirror::truncate(s, 32));
  const ZScalar zext = scalar_mirror::finish(scalar_mirror::zero_extend(n, 64));
  const ZScalar sext = scalar_mirror::finish(scalar_mirror::sign_extend(n, 64));
  std::mt19937_64 rng(4);
  for (int i = 0; i < kSamples; ++i) {
    Scalar cs = random_scalar<uint64_t>(rng);
    const Scalar ct = random_scalar<uint64_t>(rng);
    const Scalar32 cn = random_scalar<uint32_t>(rng);
    Bindings bs(ctx);
    bind(bs, s, cs);
    bind(bs, t, ct);
    bind(bs, n, cn);
    const std::string where = show(cs) + ", " + show(ct) + ", " + show(cn);
    EXPECT_EQ(mismatch(bs, truncated, cs.truncate<uint32_t>()), "") << "truncate " << where;
    EXPECT_EQ(mismatch(bs, zext, Scalar::zero_extend(cn)), "") << "zero_extend " << where;
    EXPECT_EQ(mismatch(bs, sext, Scalar::sign_extend(cn)), "") << "sign_extend " << where;
    const std::optional<Scalar> cmet = meet(cs, ct);
    ASSERT_EQ(bs(met_empty) == 1, !cmet.has_value()) << "meet " << where;
    if (cmet) {
      EXPECT_EQ(mismatch(bs, met, *cmet), "") << "meet " << where;
    }
    cs.normalize();
    EXPECT_EQ(mismatch(bs, normalized, cs), "") << "normalize " << where;
  }
}

}  // namespace
}  // namespace sbpf::verifier
