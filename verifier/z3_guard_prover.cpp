#include "verifier/z3_guard_prover.h"

#include <z3++.h>

#include <algorithm>
#include <bit>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "verifier/argument_registers.h"
#include "verifier/guard_prover.h"

namespace sbpf::verifier {

namespace {

using DB = DifferenceBounds;
using isa::Instruction;
constexpr int kRegisters = isa::kNumRegisters;
constexpr RegisterMask kAllRegisters = (1u << kRegisters) - 1;

// A register's value relative to the loop head's: not yet known, some
// register's value at the head plus a constant (wrapping), or anything else.
struct Step {
  enum Kind : uint8_t { kUnseen, kAffine, kOther };
  Kind kind = kUnseen;
  uint8_t from = 0;  // kAffine: the register at the head
  uint64_t by = 0;
  bool operator==(const Step&) const = default;
};
using Steps = std::array<Step, kRegisters>;

Step join(const Step& a, const Step& b) {
  if (a.kind == Step::kUnseen) return b;
  if (b.kind == Step::kUnseen || a == b) return a;
  return {Step::kOther, 0, 0};
}

void join_into(std::optional<Steps>& into, const Steps& s) {
  if (!into) {
    into = s;
    return;
  }
  for (int r = 0; r < kRegisters; ++r) (*into)[r] = join((*into)[r], s[r]);
}

// What `insn` does to the registers' values relative to the head.
void step_over(const Instruction& insn, Steps& s) {
  const RegisterMask written = registers_written(insn);
  const bool wide_k = insn.cls() == isa::kClassAlu64 && insn.source() == isa::kSourceK;
  const bool moves = wide_k && (insn.op() == isa::kAluAdd || insn.op() == isa::kAluSub);
  const bool copies = insn.cls() == isa::kClassAlu64 && insn.source() == isa::kSourceX &&
                      insn.op() == isa::kAluMov && insn.offset == 0;
  for (int r = 0; r < kRegisters; ++r) {
    if (!(written & (1u << r))) continue;
    if (moves && s[r].kind == Step::kAffine) {
      const uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
      s[r].by += insn.op() == isa::kAluAdd ? imm : 0 - imm;
    } else if (copies) {
      s[r] = s[insn.src];
    } else {
      s[r] = {Step::kOther, 0, 0};
    }
  }
}

// One loop's registers relative to its head: at the end of each block that
// jumps back to the head, and over a whole trip (a register the trip moves
// by a constant k, the same on every way round, is an induction variable).
struct LoopSteps {
  Steps trip;
  std::vector<std::pair<size_t, Steps>> latches;  // block, registers at its end
};

// A forward pass over the loop's blocks from its head, nested loops'
// cycles included, so it iterates until nothing changes.
LoopSteps loop_steps(const isa::Program& program, const isa::FunctionGraph& g, size_t loop) {
  const isa::Loop& l = g.loops[loop];
  const int li = static_cast<int>(loop);
  Steps at_head;
  for (int r = 0; r < kRegisters; ++r) at_head[r] = {Step::kAffine, static_cast<uint8_t>(r), 0};
  std::vector<std::optional<Steps>> out(g.blocks.size());
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t b : g.order) {
      if (!g.loop_contains(li, b)) continue;
      std::optional<Steps> s;
      if (b == l.head) {
        s = at_head;
      } else {
        for (size_t p : g.blocks[b].predecessors)
          if (g.loop_contains(li, p) && out[p]) join_into(s, *out[p]);
      }
      if (!s) continue;
      for (size_t pc = g.blocks[b].first; pc <= g.blocks[b].last; ++pc)
        if (!program.is_lddw_tail(pc)) step_over(program.insns[pc], *s);
      if (out[b] != s) {
        out[b] = s;
        changed = true;
      }
    }
  }
  LoopSteps result;
  std::optional<Steps> trip;
  for (size_t p : l.latches) {
    if (!out[p]) continue;
    join_into(trip, *out[p]);
    result.latches.emplace_back(p, *out[p]);
  }
  result.trip.fill({Step::kOther, 0, 0});
  if (trip)
    for (int r = 0; r < kRegisters; ++r)
      if ((*trip)[r].kind == Step::kAffine && (*trip)[r].from == r) result.trip[r] = (*trip)[r];
  return result;
}

z3::expr sign_extend_to(const z3::expr& x, unsigned bits) { return z3::sext(x, bits - x.get_sort().bv_size()); }

}  // namespace

namespace {

using Regs = std::vector<z3::expr>;

// The part of a function one query depends on. Blocks: those on a path to
// the access once loops are cut at their heads. Registers, per
// instruction: the ones the accessed address depends on, and the operands
// of decisive branches (one way leads away from the access, or the ways
// write different needed registers), back through what computes them. The
// rest becomes fresh values without facts: the query loses nothing it uses,
// and Z3 gets a much smaller problem.
struct QuerySlice {
  size_t target_block = 0;
  std::vector<bool> relevant;           // per block
  std::vector<bool> decisive;           // per block: its final branch
  std::vector<RegisterMask> need_before;  // per pc
  std::vector<RegisterMask> need_after;   // per pc
};

// The operands of a latch's conditional jump, when one is affine in the
// head's registers (else 0: the condition says nothing about them). An
// operand that is not is a fresh value with the facts at the latch.
RegisterMask latch_operands(const Instruction& insn, const Steps& at_end);

QuerySlice slice_query(const isa::Program& program, const isa::FunctionGraph& g, size_t pc, int base,
                       const std::function<const LoopSteps&(size_t)>& steps_of);

// One query: the paths of one function to one access, as formulas.
class PathEncoding {
 public:
  PathEncoding(z3::context& z, z3::solver& solver, const isa::Program& program, const isa::FunctionGraph& g,
               const RegionTable& regions, const std::vector<std::unique_ptr<PointFacts>>& facts,
               uint64_t loop_budget, const QuerySlice& slice)
      : z_(z),
        solver_(solver),
        program_(program),
        g_(g),
        regions_(regions),
        facts_(facts),
        loop_budget_(loop_budget),
        slice_(slice) {
    for (size_t id = 0; id < regions.regions.size(); ++id) {
      const AnalysisRegion& r = regions.regions[id];
      if (r.length.min == r.length.max) {
        lengths_.push_back(z_.bv_val(r.length.min, 64));
        continue;
      }
      z3::expr len = z_.bv_const(("len" + std::to_string(id)).c_str(), 64);
      solver_.add(z3::uge(len, z_.bv_val(r.length.min, 64)) && z3::ule(len, z_.bv_val(r.length.max, 64)) &&
                  (len & z_.bv_val(r.length.alignment - 1, 64)) == 0);
      lengths_.push_back(len);
    }
  }

  // The condition under which an execution reaches `pc` (a load, store or
  // atomic) with its registers in `regs`; false when the blocks are not in
  // an order that puts every forward edge forward.
  bool reach(size_t pc, z3::expr& reached, Regs& regs, const std::function<const LoopSteps&(size_t)>& steps_of);

  const z3::expr& length(size_t region) const { return lengths_[region]; }

 private:
  struct BlockEnd {
    z3::expr reach;
    Regs regs;
    std::optional<z3::expr> taken;  // the condition of a final conditional jump
  };

  z3::expr fresh(const char* what) { return z_.bv_const((std::string(what) + "#" + std::to_string(fresh_++)).c_str(), 64); }
  z3::expr number(int64_t v) { return z_.bv_val(v, 64); }

  // The facts recorded at `pc` about the registers in `mask`, and with
  // `relations` the difference bounds that involve them, assumed when `reach`.
  void assume(const z3::expr& reach, size_t pc, const Regs& regs, RegisterMask mask, bool relations);
  z3::expr holds(const Value& v, const z3::expr& x);
  void execute(size_t pc, Regs& regs, RegisterMask& pending);
  std::optional<z3::expr> alu(const Instruction& insn, const PointFacts& f, const Regs& regs);
  z3::expr condition(const Instruction& insn, const PointFacts& f, const Regs& regs);
  z3::expr edge(const BlockEnd& from, size_t from_block, size_t to_block) const;
  // Replaces the registers entering loop head `head` (`regs`, on entry to
  // the loop) by their values after some number of trips.
  void enter_loop(size_t head, const LoopSteps& steps, const z3::expr& reach, Regs& regs);
  // A loop with one way back, taken while an induction variable that
  // entered as a known constant differs from a constant (`jne r, END` back,
  // or `jeq r, END` out): the trips it can make before they are equal.
  // `entry`: the registers entering the loop.
  std::optional<uint64_t> trips_to_exit(size_t head, const LoopSteps& steps, const Regs& entry) const;

  z3::context& z_;
  z3::solver& solver_;
  const isa::Program& program_;
  const isa::FunctionGraph& g_;
  const RegionTable& regions_;
  const std::vector<std::unique_ptr<PointFacts>>& facts_;
  uint64_t loop_budget_;
  const QuerySlice& slice_;
  std::vector<z3::expr> lengths_;  // per region id
  unsigned fresh_ = 0;
};

z3::expr PathEncoding::holds(const Value& v, const z3::expr& x) {
  z3::expr all = z_.bool_val(true);
  // A maybe-null pointer's number is 0 or an offset: no bound applies to both.
  if (!v.is_init() || v.maybe_null) return all;
  const Scalar& n = v.num;
  if (n.is_const()) return x == z_.bv_val(n.umin, 64);
  // Only what the unsigned range does not already say.
  if (n.umin > 0) all = all && z3::uge(x, z_.bv_val(n.umin, 64));
  if (n.umax < UINT64_MAX) all = all && z3::ule(x, z_.bv_val(n.umax, 64));
  if (!n.non_negative()) {
    if (n.smin > INT64_MIN) all = all && x >= number(n.smin);
    if (n.smax < INT64_MAX) all = all && x <= number(n.smax);
  }
  if (!(Tnum::range(n.umin, n.umax) <= n.bits))
    all = all && (x & z_.bv_val(~n.bits.mask, 64)) == z_.bv_val(n.bits.value, 64);
  return all;
}

void PathEncoding::assume(const z3::expr& reach, size_t pc, const Regs& regs, RegisterMask mask, bool relations) {
  const PointFacts& f = *facts_[pc];
  z3::expr all = z_.bool_val(true);
  for (int r = 0; r < kRegisters; ++r)
    if (mask & (1u << r)) all = all && holds(f.regs[static_cast<size_t>(r)], regs[static_cast<size_t>(r)]);
  if (relations) {
    // Each difference-bounds variable as a 66-bit integer (no difference of
    // two signed 64-bit values wraps there), with the interval its own
    // bounds give, so that only relational facts are added.
    struct Var {
      std::optional<z3::expr> value;
      __int128 lo, hi;
      bool in_mask;
    };
    std::vector<Var> vars(DB::kVariables, Var{std::nullopt, 0, 0, false});
    vars[DB::kZero] = {z_.bv_val(0, 66), 0, 0, false};
    for (int r = 0; r < kRegisters; ++r) {
      const Value& v = f.regs[static_cast<size_t>(r)];
      if (!v.is_init() || v.maybe_null) continue;
      vars[DB::reg(r)] = {sign_extend_to(regs[static_cast<size_t>(r)], 66), v.num.smin, v.num.smax,
                          (mask & (1u << r)) != 0};
    }
    for (size_t id = 0; id < regions_.regions.size(); ++id) {
      const AnalysisRegion& r = regions_.regions[id];
      if (r.length_symbol < 0) continue;
      vars[DB::length(r.length_symbol)] = {z3::zext(lengths_[id], 2), r.length.min, r.length.max, false};
    }
    // The bounds worth stating, then without those two others imply (the
    // matrix is closed, so most are): each one dropped follows from ones
    // still kept, so the kept ones imply them all.
    constexpr int n = DB::kVariables;
    std::array<std::array<bool, n>, n> kept{};
    for (int x = 0; x < n; ++x) {
      for (int y = 0; y < n; ++y) {
        const Var& vx = vars[static_cast<size_t>(x)];
        const Var& vy = vars[static_cast<size_t>(y)];
        if (x == y || !vx.value || !vy.value || !(vx.in_mask || vy.in_mask)) continue;
        const int64_t c = f.relations.upper(x, y);
        kept[x][y] = c != DB::kInfinity && static_cast<__int128>(c) < vx.hi - vy.lo;
      }
    }
    for (int x = 0; x < n; ++x) {
      for (int y = 0; y < n; ++y) {
        if (!kept[x][y]) continue;
        const __int128 c = f.relations.upper(x, y);
        for (int z = 0; z < n && kept[x][y]; ++z)
          if (z != x && z != y && kept[x][z] && kept[z][y] &&
              static_cast<__int128>(f.relations.upper(x, z)) + f.relations.upper(z, y) <= c)
            kept[x][y] = false;
        if (kept[x][y])
          all = all && *vars[static_cast<size_t>(x)].value - *vars[static_cast<size_t>(y)].value <=
                           z_.bv_val(f.relations.upper(x, y), 66);
      }
    }
  }
  solver_.add(z3::implies(reach, all));
}

std::optional<z3::expr> PathEncoding::alu(const Instruction& insn, const PointFacts& f, const Regs& regs) {
  const bool wide = insn.cls() == isa::kClassAlu64;
  const bool from_reg = insn.source() == isa::kSourceX;
  const uint8_t op = insn.op();
  z3::expr a = regs[insn.dst];
  z3::expr b = from_reg ? regs[insn.src] : number(insn.imm);
  // Which operands are numbers on every path (a pointer's number is its offset).
  const bool a_number = f.regs[insn.dst].is_scalar();
  const bool b_number = !from_reg || f.regs[insn.src].is_scalar();
  if (op == isa::kAluMov) {
    if (wide && insn.offset == 0) return b;  // pointers too
    if (!b_number) return std::nullopt;
    if (insn.offset == 0) return z3::zext(b.extract(31, 0), 32);
    const unsigned bits = static_cast<unsigned>(insn.offset);  // movsx: 8, 16 or 32
    const z3::expr low = b.extract(bits - 1, 0);
    return wide ? sign_extend_to(low, 64) : z3::zext(sign_extend_to(low, 32), 32);
  }
  // Moving a pointer by a number moves its offset.
  if (wide && op == isa::kAluAdd && (a_number || b_number)) return a + b;
  if (wide && op == isa::kAluSub && b_number) return a - b;
  if (!a_number || !b_number) return std::nullopt;
  const unsigned w = wide ? 64 : 32;
  if (!wide) {
    a = a.extract(31, 0);
    b = b.extract(31, 0);
  }
  // Multiplying or dividing, except by a power of two, and shifting by a
  // variable make Z3 build a circuit per bit, and xor mixes bits no bound
  // survives: addresses are not computed that way (hashes are), and the
  // recorded facts describe such results well enough.
  const uint64_t k = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
  const bool power_of_two = !from_reg && std::has_single_bit(wide ? k : static_cast<uint32_t>(k));
  const bool arithmetic = op == isa::kAluMul || op == isa::kAluDiv || op == isa::kAluMod;
  const bool shift = op == isa::kAluLsh || op == isa::kAluRsh || op == isa::kAluArsh;
  if ((arithmetic && !power_of_two) || (shift && from_reg) || op == isa::kAluXor) return std::nullopt;
  const z3::expr zero = z_.bv_val(0, w);
  const bool is_signed = insn.offset == 1;
  std::optional<z3::expr> r;
  switch (op) {
    case isa::kAluAdd: r = a + b; break;
    case isa::kAluSub: r = a - b; break;
    case isa::kAluMul: r = a * b; break;
    // RFC 9669: x / 0 = 0, x % 0 = x; INT_MIN / -1 wraps to INT_MIN, as bvsdiv does.
    case isa::kAluDiv: r = z3::ite(b == zero, zero, is_signed ? a / b : z3::udiv(a, b)); break;
    case isa::kAluMod: r = z3::ite(b == zero, a, is_signed ? z3::srem(a, b) : z3::urem(a, b)); break;
    case isa::kAluOr: r = a | b; break;
    case isa::kAluAnd: r = a & b; break;
    case isa::kAluXor: r = a ^ b; break;
    case isa::kAluLsh: r = z3::shl(a, b & z_.bv_val(w - 1, w)); break;
    case isa::kAluRsh: r = z3::lshr(a, b & z_.bv_val(w - 1, w)); break;
    case isa::kAluArsh: r = z3::ashr(a, b & z_.bv_val(w - 1, w)); break;
    case isa::kAluNeg: r = -a; break;
    default: return std::nullopt;  // byte swaps
  }
  return wide ? *r : z3::zext(*r, 32);
}

z3::expr PathEncoding::condition(const Instruction& insn, const PointFacts& f, const Regs& regs) {
  const bool wide = insn.cls() == isa::kClassJmp;
  const bool from_reg = insn.source() == isa::kSourceX;
  z3::expr a = regs[insn.dst];
  z3::expr b = from_reg ? regs[insn.src] : number(insn.imm);
  const Value& x = f.regs[insn.dst];
  const Value y = from_reg ? f.regs[insn.src] : Value::constant(0);
  const uint8_t op = insn.op();
  if (!x.is_scalar() || !y.is_scalar()) {
    // Two pointers into one region compare like their offsets (equality
    // always; order while no offset can wrap the address space, the
    // analysis's own rule in branch_semantics.cpp).
    const bool same_region = wide && from_reg && x.is_pointer() && y.is_pointer() && x.regions == y.regions &&
                             (x.regions & (x.regions - 1)) == 0 && x.frame == y.frame && !x.maybe_null &&
                             !y.maybe_null;
    constexpr int64_t kSafeOffset = int64_t{1} << 62;
    const bool orderable = x.num.smin >= 0 && y.num.smin >= 0 && x.num.smax < kSafeOffset && y.num.smax < kSafeOffset;
    const bool equality = op == isa::kJmpJeq || op == isa::kJmpJne;
    if (!same_region || op == isa::kJmpJset || !(equality || orderable))
      return z_.bool_const(("branch#" + std::to_string(fresh_++)).c_str());
  }
  if (!wide) {
    a = a.extract(31, 0);
    b = b.extract(31, 0);
  }
  switch (op) {
    case isa::kJmpJeq: return a == b;
    case isa::kJmpJne: return a != b;
    case isa::kJmpJgt: return z3::ugt(a, b);
    case isa::kJmpJge: return z3::uge(a, b);
    case isa::kJmpJlt: return z3::ult(a, b);
    case isa::kJmpJle: return z3::ule(a, b);
    case isa::kJmpJsgt: return a > b;
    case isa::kJmpJsge: return a >= b;
    case isa::kJmpJslt: return a < b;
    case isa::kJmpJsle: return a <= b;
    case isa::kJmpJset: return (a & b) != z_.bv_val(0, a.get_sort().bv_size());
    default: return z_.bool_const(("branch#" + std::to_string(fresh_++)).c_str());
  }
}

void PathEncoding::execute(size_t pc, Regs& regs, RegisterMask& pending) {
  const Instruction& insn = program_.insns[pc];
  const PointFacts& f = *facts_[pc];
  const RegisterMask written = registers_written(insn);
  if ((written & slice_.need_after[pc]) == 0) {
    // Nothing the query depends on: no term, no facts.
    for (int r = 0; r < kRegisters; ++r)
      if (written & (1u << r)) regs[static_cast<size_t>(r)] = fresh("unused");
    return;
  }
  if (insn.is_alu()) {
    if (std::optional<z3::expr> r = alu(insn, f, regs)) {
      regs[insn.dst] = *r;
      return;
    }
  } else if (insn.is_lddw() && insn.src == isa::kLddwImm64) {
    regs[insn.dst] = z_.bv_val(isa::lddw_value(insn, program_.insns[pc + 1]), 64);
    return;
  }
  // Everything else that writes a register writes a value only the
  // recorded facts describe: loads, atomics' fetches, calls, addresses.
  for (int r = 0; r < kRegisters; ++r) {
    if (!(written & (1u << r))) continue;
    regs[static_cast<size_t>(r)] = fresh("v");
    pending |= static_cast<RegisterMask>(1u << r);
  }
}

z3::expr PathEncoding::edge(const BlockEnd& from, size_t from_block, size_t to_block) const {
  if (!from.taken) return from.reach;
  const isa::BasicBlock& b = g_.blocks[from_block];
  const Instruction& insn = program_.insns[b.last];
  const size_t target = g_.block_of(static_cast<size_t>(insn.jump_target(b.last)));
  const size_t next = g_.block_of(b.last + 1);
  z3::expr via = z_.bool_val(false);
  if (to_block == target) via = via || *from.taken;
  if (to_block == next) via = via || !*from.taken;
  return from.reach && via;
}

void PathEncoding::enter_loop(size_t head, const LoopSteps& steps, const z3::expr& reach, Regs& regs) {
  const RegisterMask need = slice_.need_before[g_.blocks[head].first];
  // One trip count per loop, shared by its induction variables. The budget
  // counts a counted loop's back jumps and bounds a free loop's (one more,
  // in case the abort comes a jump late), so the count needs few bits:
  // that keeps n·k a small circuit.
  const uint64_t max_trips = loop_budget_ == UINT64_MAX ? UINT64_MAX : loop_budget_ + 1;
  const unsigned bits = static_cast<unsigned>(std::bit_width(max_trips));
  const z3::expr count = z_.bv_const(("trips#" + std::to_string(fresh_++)).c_str(), bits);
  solver_.add(z3::ule(count, z_.bv_val(max_trips, bits)));
  const z3::expr trips = bits < 64 ? z3::zext(count, 64 - bits) : count;
  if (const std::optional<uint64_t> limit = trips_to_exit(head, steps, regs))
    solver_.add(z3::implies(reach, z3::ule(trips, z_.bv_val(*limit, 64))));
  Regs before = regs;  // at the head one trip earlier, when trips > 0
  for (size_t r = 0; r < regs.size(); ++r) {
    const Step& s = steps.trip[r];
    if (s.kind != Step::kAffine || !(need & (1u << r))) {
      regs[r] = fresh("loop");
      before[r] = fresh("loop");
    } else if (s.by != 0) {
      // A step down as a subtraction: its two's complement has every high bit set.
      const bool down = s.by >> 63;
      const z3::expr by = z_.bv_val(down ? 0 - s.by : s.by, 64);
      regs[r] = down ? regs[r] - trips * by : regs[r] + trips * by;
      before[r] = down ? regs[r] + by : regs[r] - by;
    }
  }
  // After a trip, the last one came back along a latch, whose jump
  // condition held over the registers it had then: the head's one trip
  // earlier, moved as the way from the head to that latch moves them.
  const size_t head_pc = g_.blocks[head].first;
  const z3::expr again = reach && trips != 0;
  assume(again, head_pc, before, need, true);
  z3::expr some_latch = z_.bool_val(false);
  for (const auto& [latch, at_end] : steps.latches) {
    const isa::BasicBlock& block = g_.blocks[latch];
    const Instruction& insn = program_.insns[block.last];
    const RegisterMask operands = latch_operands(insn, at_end);
    if (!facts_[block.last] || operands == 0) {
      some_latch = z_.bool_val(true);  // a way back that says nothing
      continue;
    }
    Regs there;
    for (size_t r = 0; r < regs.size(); ++r) {
      const Step& s = at_end[r];
      const bool affine = (operands & (1u << r)) && s.kind == Step::kAffine;
      there.push_back(affine ? before[s.from] + z_.bv_val(s.by, 64) : fresh("latch"));
    }
    const z3::expr via = z_.bool_const(("latch#" + std::to_string(fresh_++)).c_str());
    BlockEnd end{via, there, condition(insn, *facts_[block.last], there)};
    assume(via, block.last, there, operands, true);
    solver_.add(z3::implies(via, edge(end, latch, head)));
    some_latch = some_latch || via;
  }
  solver_.add(z3::implies(again, some_latch));
}

std::optional<uint64_t> PathEncoding::trips_to_exit(size_t head, const LoopSteps& steps, const Regs& entry) const {
  if (steps.latches.size() != 1) return std::nullopt;
  const auto& [latch, at_end] = steps.latches[0];
  const isa::BasicBlock& block = g_.blocks[latch];
  const Instruction& insn = program_.insns[block.last];
  if (insn.cls() != isa::kClassJmp || insn.source() != isa::kSourceK ||
      (insn.op() != isa::kJmpJne && insn.op() != isa::kJmpJeq))
    return std::nullopt;
  // The way back must be the "not equal" side.
  const size_t target = g_.block_of(static_cast<size_t>(insn.jump_target(block.last)));
  const size_t next = g_.block_of(block.last + 1);
  const size_t back_when_different = insn.op() == isa::kJmpJne ? target : next;
  const size_t out_when_equal = insn.op() == isa::kJmpJne ? next : target;
  if (back_when_different != head || out_when_equal == head) return std::nullopt;
  const int r = insn.dst;
  const Step& trip = steps.trip[static_cast<size_t>(r)];
  const Step& there = at_end[static_cast<size_t>(r)];
  if (trip.kind != Step::kAffine || trip.by == 0 || there.kind != Step::kAffine || there.from != r)
    return std::nullopt;
  const z3::expr start = entry[static_cast<size_t>(r)].simplify();
  uint64_t pre = 0;
  if (!start.is_numeral_u64(pre)) return std::nullopt;
  // Trip m reaches the jump with pre + m·k + c; the first m where that is
  // END solves m·k = END − pre − c modulo 2^64.
  const uint64_t k = trip.by;
  const uint64_t d = static_cast<uint64_t>(static_cast<int64_t>(insn.imm)) - pre - there.by;
  const int shift = std::countr_zero(k);
  if (d != 0 && std::countr_zero(d) < shift) return std::nullopt;  // never equal: no bound from it
  const uint64_t odd = k >> shift;
  uint64_t inverse = odd;  // Newton's iteration doubles the correct low bits: 3, 6, 12, 24, 48, 96
  for (int i = 0; i < 5; ++i) inverse *= 2 - odd * inverse;
  const uint64_t mask = shift == 0 ? ~uint64_t{0} : (uint64_t{1} << (64 - shift)) - 1;
  return ((d >> shift) * inverse) & mask;
}

RegisterMask latch_operands(const Instruction& insn, const Steps& at_end) {
  if (!insn.is_branch() || insn.op() == isa::kJmpJa) return 0;
  RegisterMask operands = static_cast<RegisterMask>(1u << insn.dst);
  if (insn.source() == isa::kSourceX) operands |= static_cast<RegisterMask>(1u << insn.src);
  for (int r = 0; r < kRegisters; ++r)
    if ((operands & (1u << r)) && at_end[static_cast<size_t>(r)].kind == Step::kAffine) return operands;
  return 0;
}

// What a register's value needs, backwards: the registers an instruction
// reads to compute the ones it writes that are needed.
RegisterMask value_inputs(const Instruction& insn) {
  const auto bit = [](int r) { return static_cast<RegisterMask>(1u << r); };
  if (!insn.is_alu()) return 0;  // loads, calls, lddw: the encoding makes fresh values
  const bool from_reg = insn.source() == isa::kSourceX;
  if (insn.op() == isa::kAluMov) return from_reg ? bit(insn.src) : 0;
  return bit(insn.dst) | (from_reg && insn.op() != isa::kAluNeg && insn.op() != isa::kAluEnd ? bit(insn.src) : 0);
}

QuerySlice slice_query(const isa::Program& program, const isa::FunctionGraph& g, size_t pc, int base,
                       const std::function<const LoopSteps&(size_t)>& steps_of) {
  QuerySlice q;
  q.target_block = g.block_of(pc);
  q.relevant.assign(g.blocks.size(), false);
  q.decisive.assign(g.blocks.size(), false);
  q.need_before.assign(program.size(), 0);
  q.need_after.assign(program.size(), 0);
  std::vector<size_t> work{q.target_block};
  q.relevant[q.target_block] = true;
  while (!work.empty()) {
    const size_t b = work.back();
    work.pop_back();
    for (size_t p : g.blocks[b].predecessors) {
      if (q.relevant[p] || g.is_back_edge(p, b)) continue;
      q.relevant[p] = true;
      work.push_back(p);
    }
  }
  // What a loop head needs from the blocks that enter it: its induction
  // variables' values on entry (the others start fresh).
  std::vector<RegisterMask> entry_need(g.blocks.size(), 0);
  for (auto it = g.order.rbegin(); it != g.order.rend(); ++it) {
    const size_t b = *it;
    if (!q.relevant[b]) continue;
    const isa::BasicBlock& block = g.blocks[b];
    RegisterMask need = 0;
    size_t last = block.last;
    if (b == q.target_block) {
      need = static_cast<RegisterMask>(1u << base);
      last = pc;
      q.need_after[pc] = need;
    } else {
      bool decisive = false;
      for (size_t s : block.successors) {
        if (g.is_back_edge(b, s) || !q.relevant[s]) {
          decisive = true;  // one way leads away from the access
          continue;
        }
        need |= entry_need[s];
      }
      // A branch that picks between ways that write what is needed matters too.
      for (size_t s : block.successors)
        if (q.relevant[s] && !g.is_back_edge(b, s))
          for (size_t at = g.blocks[s].first; at <= g.blocks[s].last; ++at)
            if (!program.is_lddw_tail(at) && (registers_written(program.insns[at]) & need)) decisive = true;
      const Instruction& insn = program.insns[block.last];
      if (insn.is_branch() && insn.op() != isa::kJmpJa && decisive) {
        q.decisive[b] = true;
        need |= static_cast<RegisterMask>(1u << insn.dst);
        if (insn.source() == isa::kSourceX) need |= static_cast<RegisterMask>(1u << insn.src);
      }
    }
    for (size_t at = last + 1; at-- > block.first;) {
      if (program.is_lddw_tail(at)) continue;
      const Instruction& insn = program.insns[at];
      if (at != last || b != q.target_block) q.need_after[at] = need;
      if (at == pc) {
        q.need_before[at] = need;
        continue;
      }
      const RegisterMask written = registers_written(insn);
      if (written & need) need = static_cast<RegisterMask>((need & ~written) | value_inputs(insn));
      q.need_before[at] = need;
    }
    entry_need[b] = need;
    if (g.loop_head[b]) {
      for (size_t l = 0; l < g.loops.size(); ++l) {
        if (g.loops[l].head != b) continue;
        const LoopSteps& steps = steps_of(l);
        // The latch conditions are stated over head values.
        for (const auto& [latch, at_end] : steps.latches) {
          const RegisterMask operands = latch_operands(program.insns[g.blocks[latch].last], at_end);
          for (int r = 0; r < kRegisters; ++r)
            if ((operands & (1u << r)) && at_end[static_cast<size_t>(r)].kind == Step::kAffine)
              need |= static_cast<RegisterMask>(1u << at_end[static_cast<size_t>(r)].from);
        }
        q.need_before[block.first] = need;
        RegisterMask from_entry = 0;
        for (int r = 0; r < kRegisters; ++r)
          if ((need & (1u << r)) && steps.trip[static_cast<size_t>(r)].kind == Step::kAffine)
            from_entry |= static_cast<RegisterMask>(1u << r);
        entry_need[b] = from_entry;
      }
    }
  }
  return q;
}

bool PathEncoding::reach(size_t pc, z3::expr& reached, Regs& regs,
                         const std::function<const LoopSteps&(size_t)>& steps_of) {
  std::vector<std::optional<BlockEnd>> ends(g_.blocks.size());
  for (size_t b : g_.order) {
    if (!slice_.relevant[b]) continue;
    const isa::BasicBlock& block = g_.blocks[b];
    if (!facts_[block.first]) continue;  // the analysis shows no path here
    z3::expr in_reach = z_.bool_val(b == 0);
    Regs in;
    RegisterMask merged = 0;
    if (b == 0) {
      for (int r = 0; r < kRegisters; ++r) in.push_back(fresh("entry"));
    }
    for (size_t p : block.predecessors) {
      if (g_.is_back_edge(p, b)) continue;
      if (g_.rank[p] >= g_.rank[b]) return false;  // not an acyclic order: give up
      if (!ends[p]) continue;
      const z3::expr via = edge(*ends[p], p, b);
      if (in.empty()) {
        in = ends[p]->regs;
      } else {
        for (size_t r = 0; r < in.size(); ++r) {
          if (z3::eq(in[r], ends[p]->regs[r])) continue;
          in[r] = z3::ite(via, ends[p]->regs[r], in[r]);
          merged |= static_cast<RegisterMask>(1u << r);
        }
      }
      in_reach = in_reach || via;
    }
    if (in.empty()) continue;
    // The recorded facts describe what the encoding lost: registers merged
    // from several paths, and at the entry and loop heads, whose values are
    // fresh, every register with its difference bounds. (A value that came
    // along one path is already as precise as the facts there.)
    const bool fresh_start = b == 0 || g_.loop_head[b];
    if (g_.loop_head[b]) {
      for (size_t l = 0; l < g_.loops.size(); ++l)
        if (g_.loops[l].head == b) enter_loop(b, steps_of(l), in_reach, in);
    }
    RegisterMask pending = fresh_start ? kAllRegisters : merged;
    bool relations = fresh_start || merged != 0;
    BlockEnd end{in_reach.simplify(), std::move(in), std::nullopt};
    for (size_t at = block.first; at <= block.last; ++at) {
      if (program_.is_lddw_tail(at)) continue;
      if (!facts_[at]) {  // the analysis shows no path past this point
        end.reach = z_.bool_val(false);
        break;
      }
      pending &= slice_.need_before[at];
      if (at == pc) {
        assume(end.reach, at, end.regs, slice_.need_before[at] | pending, true);
        reached = end.reach;
        regs = end.regs;
        return true;
      }
      if (pending != 0) assume(end.reach, at, end.regs, pending, relations);
      pending = 0;
      const Instruction& insn = program_.insns[at];
      if (at == block.last && insn.is_branch() && insn.op() != isa::kJmpJa) {
        end.taken = slice_.decisive[b] ? condition(insn, *facts_[at], end.regs)
                                       : z_.bool_const(("branch#" + std::to_string(fresh_++)).c_str());
      } else {
        execute(at, end.regs, pending);
        relations = pending != 0;
      }
    }
    ends[b] = std::move(end);
  }
  reached = z_.bool_val(false);  // the analysis shows the access unreachable
  return true;
}

class Z3GuardProver final : public GuardProver {
 public:
  explicit Z3GuardProver(const ProverInput& in)
      : program_(in.program),
        graph_(in.graph),
        regions_(in.regions),
        facts_(in.facts),
        loop_budget_(in.loop_budget),
        timeout_ms_(in.timeout_ms) {}
  Verdict prove(size_t pc) override;

 private:
  const LoopSteps& loop_steps_of(size_t function, size_t loop) {
    auto it = steps_.find({function, loop});
    if (it == steps_.end())
      it = steps_.emplace(std::pair{function, loop}, loop_steps(program_, graph_.functions[function], loop)).first;
    return it->second;
  }

  const isa::Program& program_;
  const isa::ProgramGraph& graph_;
  const RegionTable& regions_;
  const std::vector<std::unique_ptr<PointFacts>>& facts_;
  uint64_t loop_budget_;
  unsigned timeout_ms_;
  z3::context z_;
  std::map<std::pair<size_t, size_t>, LoopSteps> steps_;  // by function and loop
};

GuardProver::Verdict Z3GuardProver::prove(size_t pc) {
  const Instruction& insn = program_.insns[pc];
  if (!facts_[pc] || !(insn.is_load() || insn.is_store() || insn.is_atomic())) return Verdict::kUnproven;
  const int base = insn.is_load() ? insn.src : insn.dst;
  const Value& ptr = facts_[pc]->regs[static_cast<size_t>(base)];
  if (!ptr.is_pointer() || ptr.maybe_null || (ptr.regions & (regions_.stack_id() | regions_.ctx_id())) != 0)
    return Verdict::kUnproven;
  const isa::Function& f = program_.function_at(pc);
  const size_t function = static_cast<size_t>(&f - program_.functions.data());

  // Z3's bit-vector preprocessing, then bit-blasting to SAT: for these
  // queries about twice as fast as the general QF_BV solver.
  z3::solver solver = (z3::tactic(z_, "simplify") & z3::tactic(z_, "propagate-values") &
                       z3::tactic(z_, "ctx-simplify") & z3::tactic(z_, "solve-eqs") &
                       z3::tactic(z_, "elim-uncnstr") & z3::tactic(z_, "max-bv-sharing") &
                       z3::tactic(z_, "bit-blast") & z3::tactic(z_, "sat"))
                          .mk_solver();
  z3::params params(z_);
  params.set("timeout", timeout_ms_);
  solver.set(params);
  const isa::FunctionGraph& g = graph_.functions[function];
  for (const isa::Loop& l : g.loops)
    if (!l.reducible) return Verdict::kUnproven;  // the encoding needs every cycle through a head
  auto steps_of = [&](size_t loop) -> const LoopSteps& { return loop_steps_of(function, loop); };
  const QuerySlice slice = slice_query(program_, g, pc, base, steps_of);
  PathEncoding paths(z_, solver, program_, g, regions_, facts_, loop_budget_, slice);
  z3::expr reached = z_.bool_val(false);
  Regs regs;
  if (!paths.reach(pc, reached, regs, steps_of)) return Verdict::kUnproven;

  // Out of region `id`: the first byte before its start or the last past its end.
  const z3::expr first = sign_extend_to(regs[static_cast<size_t>(base)], 66) + z_.bv_val(insn.offset, 66);
  const z3::expr size = z_.bv_val(insn.access_bytes(), 66);
  for (size_t id = 0; id < regions_.regions.size(); ++id) {
    if (!(ptr.regions & (RegionIds{1} << id))) continue;
    solver.push();
    solver.add(reached && (first < 0 || first + size > z3::zext(paths.length(id), 2)));
    const z3::check_result r = solver.check();
    solver.pop();
    if (r == z3::sat) return Verdict::kUnproven;
    if (r == z3::unknown) return Verdict::kTimeout;
  }
  return Verdict::kInBounds;
}

}  // namespace

std::unique_ptr<GuardProver> make_z3_guard_prover(const ProverInput& input) {
  return std::make_unique<Z3GuardProver>(input);
}

}  // namespace sbpf::verifier
