// Conditional jumps: each side of the branch learns what its condition
// says, in the intervals, the known bits and the difference bounds. A side
// whose condition cannot hold becomes unreachable.
#include "verifier/analyzer.h"

namespace sbpf::verifier {

namespace {

using isa::Instruction;
using DB = DifferenceBounds;

// The comparison a branch makes, and its negation for the other side.
enum class Cmp { kEq, kNe, kUlt, kUle, kUgt, kUge, kSlt, kSle, kSgt, kSge, kSet, kClear };

Cmp comparison(uint8_t op) {
  switch (op) {
    case isa::kJmpJeq: return Cmp::kEq;
    case isa::kJmpJne: return Cmp::kNe;
    case isa::kJmpJgt: return Cmp::kUgt;
    case isa::kJmpJge: return Cmp::kUge;
    case isa::kJmpJlt: return Cmp::kUlt;
    case isa::kJmpJle: return Cmp::kUle;
    case isa::kJmpJsgt: return Cmp::kSgt;
    case isa::kJmpJsge: return Cmp::kSge;
    case isa::kJmpJslt: return Cmp::kSlt;
    case isa::kJmpJsle: return Cmp::kSle;
    default: return Cmp::kSet;
  }
}

Cmp negate(Cmp c) {
  switch (c) {
    case Cmp::kEq: return Cmp::kNe;
    case Cmp::kNe: return Cmp::kEq;
    case Cmp::kUlt: return Cmp::kUge;
    case Cmp::kUle: return Cmp::kUgt;
    case Cmp::kUgt: return Cmp::kUle;
    case Cmp::kUge: return Cmp::kUlt;
    case Cmp::kSlt: return Cmp::kSge;
    case Cmp::kSle: return Cmp::kSgt;
    case Cmp::kSgt: return Cmp::kSle;
    case Cmp::kSge: return Cmp::kSlt;
    case Cmp::kSet: return Cmp::kClear;
    case Cmp::kClear: return Cmp::kSet;
  }
  return c;
}

bool is_unsigned(Cmp c) { return c == Cmp::kUlt || c == Cmp::kUle || c == Cmp::kUgt || c == Cmp::kUge; }
bool is_signed(Cmp c) { return c == Cmp::kSlt || c == Cmp::kSle || c == Cmp::kSgt || c == Cmp::kSge; }

constexpr uint64_t kU64Max = ~uint64_t{0};
constexpr int64_t kS64Max = INT64_MAX, kS64Min = INT64_MIN;

// Refines x and y (64-bit values) so that `x c y` holds. False: it cannot.
bool refine(Cmp c, Scalar& x, Scalar& y) {
  auto cut = [](Scalar& v) {
    v.normalize();
    return !v.is_bottom();
  };
  switch (c) {
    case Cmp::kEq: {
      auto m = meet(x, y);
      if (!m) return false;
      x = y = *m;
      return true;
    }
    case Cmp::kNe:
      if (x.is_const() && y.is_const()) return x.umin != y.umin;
      // A constant at an end of the other's range shaves it off.
      for (auto [v, k] : {std::pair<Scalar*, Scalar*>{&x, &y}, {&y, &x}}) {
        if (!k->is_const()) continue;
        const uint64_t n = k->umin;
        if (v->umin == n && v->umin != kU64Max) v->umin++;
        if (v->umax == n && v->umax != 0) v->umax--;
        if (v->smin == static_cast<int64_t>(n) && v->smin != kS64Max) v->smin++;
        if (v->smax == static_cast<int64_t>(n) && v->smax != kS64Min) v->smax--;
        if (!cut(*v)) return false;
      }
      return true;
    case Cmp::kUlt:
      if (y.umax == 0 || x.umin == kU64Max) return false;
      x.umax = std::min(x.umax, y.umax - 1);
      y.umin = std::max(y.umin, x.umin + 1);
      return cut(x) && cut(y);
    case Cmp::kUle:
      x.umax = std::min(x.umax, y.umax);
      y.umin = std::max(y.umin, x.umin);
      return cut(x) && cut(y);
    case Cmp::kUgt: return refine(Cmp::kUlt, y, x);
    case Cmp::kUge: return refine(Cmp::kUle, y, x);
    case Cmp::kSlt:
      if (y.smax == kS64Min || x.smin == kS64Max) return false;
      x.smax = std::min(x.smax, y.smax - 1);
      y.smin = std::max(y.smin, x.smin + 1);
      return cut(x) && cut(y);
    case Cmp::kSle:
      x.smax = std::min(x.smax, y.smax);
      y.smin = std::max(y.smin, x.smin);
      return cut(x) && cut(y);
    case Cmp::kSgt: return refine(Cmp::kSlt, y, x);
    case Cmp::kSge: return refine(Cmp::kSle, y, x);
    case Cmp::kSet:
      if (y.is_const()) {
        if ((x.bits.umax() & y.umin) == 0) return false;  // no bit of y can be set in x
        if (std::has_single_bit(y.umin)) {
          bool ok = true;
          x.bits = meet(x.bits, Tnum{y.umin, static_cast<uint64_t>(~y.umin)}, ok);
          return ok && cut(x);
        }
      }
      return true;
    case Cmp::kClear:
      if (y.is_const()) {
        if ((x.bits.value & y.umin) != 0) return false;  // a bit of y is known set in x
        bool ok = true;
        x.bits = meet(x.bits, Tnum{0, static_cast<uint64_t>(~y.umin)}, ok);
        return ok && cut(x);
      }
      return true;
  }
  return true;
}

// Adds what `x c y` says to the difference bounds (both exact 64-bit
// values, read as signed). False: contradiction.
bool relate(Cmp c, DB& rel, int x, int y) {
  switch (c) {
    case Cmp::kEq: return rel.add(x, y, 0) && rel.add(y, x, 0);
    case Cmp::kUlt:
    case Cmp::kSlt: return rel.add(x, y, -1);
    case Cmp::kUle:
    case Cmp::kSle: return rel.add(x, y, 0);
    case Cmp::kUgt:
    case Cmp::kSgt: return rel.add(y, x, -1);
    case Cmp::kUge:
    case Cmp::kSge: return rel.add(y, x, 0);
    default: return true;
  }
}

// Reads back the bounds the difference bounds imply for a variable.
void tighten_from_relations(const DB& rel, int var, Scalar& v) {
  const int64_t hi = rel.upper(var, DB::kZero);
  const int64_t neg_lo = rel.upper(DB::kZero, var);
  if (hi != DB::kInfinity) v.smax = std::min(v.smax, hi);
  if (neg_lo != DB::kInfinity && neg_lo != INT64_MIN) v.smin = std::max(v.smin, -neg_lo);
  v.normalize();
}

}  // namespace

void Analyzer::branch(size_t pc, const AbstractState& s, AbstractState& taken, AbstractState& not_taken) {
  const Instruction& insn = program_.insns[pc];
  taken = not_taken = s;
  if (insn.opcode == isa::kOpJa || insn.opcode == isa::kOpGotol) {
    not_taken.reachable = false;
    return;
  }
  const bool wide = insn.cls() == isa::kClassJmp;
  const bool from_reg = insn.source() == isa::kSourceX;
  const Value x = use(pc, s, insn.dst);
  const Value y = from_reg ? use(pc, s, insn.src) : Value::constant(static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  const Cmp cmp = comparison(insn.op());
  const int xv = DB::reg(insn.dst);
  const int yv = from_reg ? DB::reg(insn.src) : -1;

  // Pointers: a null check, or two pointers into one region compared by
  // offset. Comparing an address with a number would reveal it.
  if (x.is_pointer() || y.is_pointer()) {
    const bool null_check = wide && (cmp == Cmp::kEq || cmp == Cmp::kNe) && x.is_pointer() != y.is_pointer() &&
                            (x.is_pointer() ? y : x).num == Scalar::constant(0);
    if (null_check) {
      const int preg = x.is_pointer() ? insn.dst : insn.src;
      const Value& p = x.is_pointer() ? x : y;
      AbstractState& is_null = cmp == Cmp::kEq ? taken : not_taken;
      AbstractState& non_null = cmp == Cmp::kEq ? not_taken : taken;
      if (p.maybe_null) {
        set_scalar(is_null, preg, Scalar::constant(0));
        non_null.reg(preg).maybe_null = false;
      } else {
        is_null.reachable = false;
      }
      return;
    }
    const bool same_region = x.is_pointer() && y.is_pointer() && x.regions == y.regions &&
                             (x.regions & (x.regions - 1)) == 0 && x.frame == y.frame && !x.maybe_null &&
                             !y.maybe_null;
    if (!wide || !same_region || cmp == Cmp::kSet) {
      error(pc, Rule::kPointerLeak,
            "compares " + describe_value(x, regions_) + " with " + describe_value(y, regions_) +
                "; only a null check or a 64-bit comparison of two pointers into one region is allowed");
      return;
    }
    // Addresses order like offsets while no offset can wrap around the
    // address space: region bases are below 2^48 on every supported host.
    constexpr int64_t kSafeOffset = int64_t{1} << 62;
    const bool orderable = x.num.smin >= 0 && y.num.smin >= 0 && x.num.smax < kSafeOffset && y.num.smax < kSafeOffset;
    if (!orderable && cmp != Cmp::kEq && cmp != Cmp::kNe) return;
  } else if (!x.is_scalar() || !y.is_scalar()) {
    return;
  }

  Scalar xs = x.num, ys = y.num;
  // jmp32 on values that fit in 32 bits (upper halves known zero) is the
  // 64-bit comparison; signed ones need them below 2^31 as well.
  if (!wide) {
    const uint64_t limit = is_signed(cmp) ? 0x7fffffffu : 0xffffffffu;
    if (xs.umax > limit || ys.umax > limit) return;  // no refinement: both sides stay as they are
  }
  for (int side = 0; side < 2; ++side) {
    AbstractState& st = side == 0 ? taken : not_taken;
    const Cmp c = side == 0 ? cmp : negate(cmp);
    Scalar a = xs, b = ys;
    if (!refine(c, a, b)) {
      st.reachable = false;
      continue;
    }
    // Difference bounds hold for signed readings; an unsigned comparison
    // means the same when both sides are non-negative.
    const bool relational = !is_unsigned(c) || (a.non_negative() && b.non_negative());
    if (relational && c != Cmp::kSet && c != Cmp::kClear && c != Cmp::kNe) {
      if (yv < 0) {
        // Against a constant: the bound goes through zero.
        st.relations.bound(xv, a.smin, a.smax);
      } else if (!relate(c, st.relations, xv, yv)) {
        st.reachable = false;
        continue;
      }
    }
    tighten_from_relations(st.relations, xv, a);
    if (yv >= 0) tighten_from_relations(st.relations, yv, b);
    if (a.is_bottom() || b.is_bottom()) {
      st.reachable = false;
      continue;
    }
    st.reg(insn.dst).num = a;
    if (from_reg) st.reg(insn.src).num = b;
    sync_bounds(st, insn.dst);
    if (from_reg) sync_bounds(st, insn.src);
  }
}

}  // namespace sbpf::verifier
