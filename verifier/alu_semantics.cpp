// Arithmetic: the scalar domain's transfer functions applied per RFC 9669,
// pointer arithmetic limited to what keeps a pointer a pointer, and the
// difference bounds kept where an operation is exact.
#include <limits>

#include "verifier/analyzer.h"

namespace sbpf::verifier {

namespace {

using isa::Instruction;
using DB = DifferenceBounds;

const char* alu_name(uint8_t op) {
  switch (op) {
    case isa::kAluAdd: return "add";
    case isa::kAluSub: return "sub";
    case isa::kAluMul: return "mul";
    case isa::kAluDiv: return "div";
    case isa::kAluOr: return "or";
    case isa::kAluAnd: return "and";
    case isa::kAluLsh: return "lsh";
    case isa::kAluRsh: return "rsh";
    case isa::kAluNeg: return "neg";
    case isa::kAluMod: return "mod";
    case isa::kAluXor: return "xor";
    case isa::kAluMov: return "mov";
    case isa::kAluArsh: return "arsh";
    case isa::kAluEnd: return "byte swap";
  }
  return "alu";
}

// x + d without signed overflow for every x in `s` and d in [lo, hi].
bool add_is_exact(const Scalar& s, int64_t lo, int64_t hi) {
  int64_t r;
  return !__builtin_add_overflow(s.smin, lo, &r) && !__builtin_add_overflow(s.smax, hi, &r);
}

template <typename U>
BasicScalar<U> apply(uint8_t op, bool is_signed, const BasicScalar<U>& d, const BasicScalar<U>& s) {
  switch (op) {
    case isa::kAluAdd: return d + s;
    case isa::kAluSub: return d - s;
    case isa::kAluMul: return d * s;
    case isa::kAluDiv: return is_signed ? sdiv(d, s) : udiv(d, s);
    case isa::kAluMod: return is_signed ? smod(d, s) : umod(d, s);
    case isa::kAluOr: return d | s;
    case isa::kAluAnd: return d & s;
    case isa::kAluXor: return d ^ s;
    case isa::kAluLsh: return shl(d, s);
    case isa::kAluRsh: return shr(d, s);
    case isa::kAluArsh: return sar(d, s);
    case isa::kAluNeg: return neg(d);
  }
  return BasicScalar<U>::top();
}

Scalar sign_extend_from(const Scalar& v, int bits) {
  switch (bits) {
    case 8: return Scalar::sign_extend(v.truncate<uint8_t>());
    case 16: return Scalar::sign_extend(v.truncate<uint16_t>());
    case 32: return Scalar::sign_extend(v.truncate<uint32_t>());
  }
  return v;
}

template <typename U>
BasicTnum<U> swap_bytes(const BasicTnum<U>& t) {
  auto swap = [](U x) -> U {
    if constexpr (sizeof(U) == 2) return __builtin_bswap16(x);
    else if constexpr (sizeof(U) == 4) return __builtin_bswap32(x);
    else return __builtin_bswap64(x);
  };
  return {swap(t.value), swap(t.mask)};
}

template <typename U>
Scalar byte_swapped(const Scalar& v) {
  BasicScalar<U> n;
  n.bits = swap_bytes(v.truncate<U>().bits);
  n.normalize();
  return Scalar::zero_extend(n);
}

}  // namespace

Value Analyzer::use(size_t pc, const AbstractState& s, int r) {
  const Value& v = s.reg(r);
  if (v.is_init()) return v;
  error(pc, Rule::kUninitialized, "r" + std::to_string(r) + " is read before it is written");
  return Value::scalar(Scalar::top());
}

void Analyzer::sync_bounds(AbstractState& s, int r) {
  const Value& v = s.reg(r);
  if (v.is_init() && (v.is_scalar() || v.is_pointer()))
    s.relations.bound(DB::reg(r), v.num.smin, v.num.smax);
}

void Analyzer::set_value(AbstractState& s, int r, const Value& v) {
  s.reg(r) = v;
  s.relations.forget(DB::reg(r));
  sync_bounds(s, r);
}

void Analyzer::set_scalar(AbstractState& s, int r, const Scalar& v) { set_value(s, r, Value::scalar(v)); }

void Analyzer::alu(size_t pc, AbstractState& s) {
  const Instruction& insn = program_.insns[pc];
  const bool wide = insn.cls() == isa::kClassAlu64;
  const uint8_t op = insn.op();
  const int d = insn.dst;
  const bool from_reg = insn.source() == isa::kSourceX && op != isa::kAluNeg && op != isa::kAluEnd;
  const Value imm = Value::constant(static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  const std::string where = std::string(alu_name(op)) + (wide ? "" : "32");

  // mov: copies whatever the source is; no read of the destination.
  if (op == isa::kAluMov) {
    Value src = from_reg ? use(pc, s, insn.src) : imm;
    if (wide && insn.offset == 0) {
      s.reg(d) = src;
      if (from_reg) {
        s.relations.assign(DB::reg(d), DB::reg(insn.src), 0);
      } else {
        s.relations.forget(DB::reg(d));
        sync_bounds(s, d);
      }
      return;
    }
    if (src.is_pointer()) {
      error(pc, Rule::kPointerLeak,
            "r" + std::to_string(insn.src) + " is a pointer; " + (wide ? "sign-extending" : "truncating") +
                " it would turn its address into a number");
      src = Value::scalar(Scalar::top());
    }
    Scalar result;
    if (wide) {
      result = sign_extend_from(src.num, insn.offset);
    } else if (insn.offset == 8) {
      result = Scalar::zero_extend(Scalar32::sign_extend(src.num.truncate<uint8_t>()));
    } else if (insn.offset == 16) {
      result = Scalar::zero_extend(Scalar32::sign_extend(src.num.truncate<uint16_t>()));
    } else {
      result = Scalar::zero_extend(src.num.truncate<uint32_t>());
    }
    const bool same_value = result == src.num && from_reg;
    set_scalar(s, d, result);
    if (same_value) s.relations.assign(DB::reg(d), DB::reg(insn.src), 0);
    return;
  }

  Value dst = use(pc, s, d);
  if (op == isa::kAluEnd) {
    if (dst.is_pointer()) {
      error(pc, Rule::kPointerLeak, "r" + std::to_string(d) + " is a pointer; a byte swap would expose its address");
      dst = Value::scalar(Scalar::top());
    }
    const bool swap = wide || insn.source() == isa::kSourceX;  // bswap, or `be` on this little-endian ISA
    Scalar r;
    switch (insn.imm) {
      case 16: r = swap ? byte_swapped<uint16_t>(dst.num) : Scalar::zero_extend(dst.num.truncate<uint16_t>()); break;
      case 32: r = swap ? byte_swapped<uint32_t>(dst.num) : Scalar::zero_extend(dst.num.truncate<uint32_t>()); break;
      default: r = swap ? byte_swapped<uint64_t>(dst.num) : dst.num; break;
    }
    set_scalar(s, d, r);
    return;
  }

  Value src = op == isa::kAluNeg ? Value::constant(0) : from_reg ? use(pc, s, insn.src) : imm;

  // Pointer arithmetic: pointer ± scalar and pointer - pointer (same region),
  // 64-bit only. Anything else would let the address leak out as a number.
  if (dst.is_pointer() || src.is_pointer()) {
    const bool add = op == isa::kAluAdd, sub = op == isa::kAluSub;
    if (wide && add && dst.is_pointer() != src.is_pointer()) {
      const bool dst_is_ptr = dst.is_pointer();
      const Value& ptr = dst_is_ptr ? dst : src;
      const Value& n = dst_is_ptr ? src : dst;
      Value r = ptr;
      r.num = ptr.num + n.num;
      // The offset's relations survive when the addition is exact.
      const int ptr_var = dst_is_ptr ? DB::reg(d) : DB::reg(insn.src);
      const int n_var = dst_is_ptr ? (from_reg ? DB::reg(insn.src) : -1) : DB::reg(d);
      const bool exact = add_is_exact(ptr.num, n.num.smin, n.num.smax);
      s.reg(d) = r;
      if (!exact) {
        s.relations.forget(DB::reg(d));
      } else if (n.num.is_const()) {
        s.relations.assign(DB::reg(d), ptr_var, static_cast<int64_t>(n.num.umin));
      } else if (ptr.num.is_const() && n_var >= 0) {
        s.relations.assign(DB::reg(d), n_var, static_cast<int64_t>(ptr.num.umin));
      } else {
        s.relations.assign_range(DB::reg(d), ptr_var, n.num.smin, n.num.smax);
      }
      sync_bounds(s, d);
      return;
    }
    if (wide && sub && dst.is_pointer() && !src.is_pointer()) {
      Value r = dst;
      r.num = dst.num - src.num;
      const bool exact = src.num.smin != Scalar::kSMin && add_is_exact(dst.num, -src.num.smax, -src.num.smin);
      s.reg(d) = r;
      if (exact && src.num.is_const())
        s.relations.assign(DB::reg(d), DB::reg(d), -static_cast<int64_t>(src.num.umin));
      else if (exact)
        s.relations.assign_range(DB::reg(d), DB::reg(d), -src.num.smax, -src.num.smin);
      else
        s.relations.forget(DB::reg(d));
      sync_bounds(s, d);
      return;
    }
    if (wide && sub && dst.is_pointer() && src.is_pointer() && dst.regions == src.regions &&
        (dst.regions & (dst.regions - 1)) == 0 && dst.frame == src.frame && !dst.maybe_null && !src.maybe_null) {
      // The distance between two pointers into one region says nothing
      // about where the region is.
      set_scalar(s, d, dst.num - src.num);
      return;
    }
    error(pc, Rule::kPointerLeak,
          where + " on " + (dst.is_pointer() ? "pointer r" + std::to_string(d) : "r" + std::to_string(d)) +
              (src.is_pointer() && from_reg ? " and pointer r" + std::to_string(insn.src) : "") +
              " would turn an address into a number; only 64-bit add/sub of a scalar (or the difference of two "
              "pointers into one region) keeps a pointer a pointer");
    set_scalar(s, d, Scalar::top());
    return;
  }

  const bool is_signed = (op == isa::kAluDiv || op == isa::kAluMod) && insn.offset == 1;
  Scalar r;
  if (wide) {
    r = apply<uint64_t>(op, is_signed, dst.num, src.num);
  } else {
    r = Scalar::zero_extend(apply<uint32_t>(op, is_signed, dst.num.truncate<uint32_t>(), src.num.truncate<uint32_t>()));
  }
  // Keep relations through exact 64-bit additions and subtractions.
  if (wide && (op == isa::kAluAdd || op == isa::kAluSub) && !r.is_bottom()) {
    const Scalar& n = src.num;
    const bool add = op == isa::kAluAdd;
    if (n.is_const() && n.umin != (uint64_t{1} << 63)) {
      const int64_t c = add ? static_cast<int64_t>(n.umin) : -static_cast<int64_t>(n.umin);
      if (add_is_exact(dst.num, c, c)) {
        s.reg(d) = Value::scalar(r);
        s.relations.assign(DB::reg(d), DB::reg(d), c);
        sync_bounds(s, d);
        return;
      }
    } else if (add && from_reg && add_is_exact(dst.num, n.smin, n.smax)) {
      const Scalar old = dst.num;
      s.reg(d) = Value::scalar(r);
      s.relations.assign_range(DB::reg(d), DB::reg(d), n.smin, n.smax);
      // and d' - src in [old d]
      s.relations.add(DB::reg(d), DB::reg(insn.src), old.smax);
      s.relations.add(DB::reg(insn.src), DB::reg(d), old.smin == Scalar::kSMin ? DB::kInfinity : -old.smin);
      sync_bounds(s, d);
      return;
    }
  }
  set_scalar(s, d, r.is_bottom() ? Scalar::top() : r);
}

}  // namespace sbpf::verifier
