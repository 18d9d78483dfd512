// Which backward jumps may run uncounted. A loop is bounded when some
// register moves in one direction only, by at least a constant step on
// every trip around the loop, without wrapping, and lies within a known
// range whenever the loop goes round: then the trips are at most the range
// over the step. A loop runs free when its bound times the bounds of every
// loop around it (through calls too) stays within the budget: every loop
// nest then ends, and each nest's uncounted jumps stay within the budget.
#include <algorithm>

#include "verifier/analyzer.h"

namespace sbpf::verifier {

namespace {

constexpr uint64_t kUnbounded = ~uint64_t{0};

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kUnbounded : r;
}

// Does the instruction write register r other than by `add/sub r, imm`?
// Sets `step` for those.
bool writes_other_than_step(const isa::Instruction& insn, int r, int64_t& step) {
  step = 0;
  switch (insn.cls()) {
    case isa::kClassAlu64:
      if (insn.dst != r) return false;
      if ((insn.op() == isa::kAluAdd || insn.op() == isa::kAluSub) && insn.source() == isa::kSourceK) {
        step = insn.op() == isa::kAluAdd ? insn.imm : -static_cast<int64_t>(insn.imm);
        return false;
      }
      return true;
    case isa::kClassAlu:
    case isa::kClassLdx:
    case isa::kClassLd: return insn.dst == r;
    case isa::kClassStx:
      if (!insn.is_atomic()) return false;
      return (insn.imm & isa::kAtomicFetch) ? (insn.src == r || (insn.imm == isa::kAtomicCmpxchg && r == 0)) : false;
    case isa::kClassJmp:
    case isa::kClassJmp32:
      return (insn.opcode == isa::kOpCall || insn.opcode == isa::kOpCallx) && r <= 5;
    default: return false;
  }
}

}  // namespace

uint64_t Analyzer::loop_trip_bound(const Context& c, const isa::FunctionGraph& g, size_t index) {
  const isa::Loop& loop = g.loops[index];
  const AbstractState& head = head_state(c, loop.head);
  if (!head.reachable) return 1;  // the analysis shows it never runs
  uint64_t best = kUnbounded;
  for (int x = 0; x <= 9; ++x) {
    int sign = 0;
    int64_t min_step = INT64_MAX;
    bool ok = true;
    std::vector<bool> steps_in(g.blocks.size(), false);
    std::vector<size_t> step_pcs;
    for (size_t b : loop.blocks) {
      for (size_t pc = g.blocks[b].first; pc <= g.blocks[b].last && ok; ++pc) {
        if (program_.is_lddw_tail(pc)) continue;
        int64_t step = 0;
        if (writes_other_than_step(program_.insns[pc], x, step)) ok = false;
        if (step == 0) continue;
        const int s = step > 0 ? 1 : -1;
        if (sign != 0 && s != sign) ok = false;
        sign = s;
        min_step = std::min(min_step, step > 0 ? step : -step);
        steps_in[b] = true;
        step_pcs.push_back(pc);
      }
    }
    if (!ok || sign == 0) continue;
    // Every cycle through the head must pass a step: without the stepping
    // blocks, the head must not reach itself.
    if (!steps_in[loop.head]) {
      std::vector<bool> seen(g.blocks.size(), false);
      std::vector<size_t> work{loop.head};
      bool cycles = false;
      while (!work.empty() && !cycles) {
        const size_t b = work.back();
        work.pop_back();
        for (size_t s : g.blocks[b].successors) {
          if (!g.loop_contains(static_cast<int>(index), s)) continue;
          if (s == loop.head) cycles = true;
          if (steps_in[s] || seen[s]) continue;
          seen[s] = true;
          work.push_back(s);
        }
      }
      if (cycles) continue;
    }
    // No step may wrap around (signed: offsets and counters alike).
    for (const auto& [pc, v] : c.before) {
      if (std::find(step_pcs.begin(), step_pcs.end(), pc) == step_pcs.end()) continue;
      int64_t step = 0;
      writes_other_than_step(program_.insns[pc], x, step);
      int64_t moved;
      if (!v.is_init() || __builtin_add_overflow(step > 0 ? v.num.smax : v.num.smin, step, &moved)) ok = false;
    }
    if (!ok) continue;
    // The range at the head, and where the loop goes round.
    const Value& at_head = head.reg(x);
    if (!at_head.is_init()) continue;
    __int128 far = sign > 0 ? INT64_MIN : INT64_MAX;
    bool any = false;
    for (const auto& latch : c.latch_states) {
      if (latch.to != loop.head || g.loop_of_edge(latch.from, latch.to) != static_cast<int>(index)) continue;
      const Value& v = latch.regs[static_cast<size_t>(x)];
      if (!v.is_init()) {
        ok = false;
        break;
      }
      any = true;
      far = sign > 0 ? std::max<__int128>(far, v.num.smax) : std::min<__int128>(far, v.num.smin);
    }
    if (!ok) continue;
    if (!any) return 1;  // never goes round
    const __int128 start = sign > 0 ? at_head.num.smin : at_head.num.smax;
    const __int128 span = sign > 0 ? far - start : start - far;
    const __int128 trips = span < 0 ? 1 : span / min_step + 1;
    if (trips < static_cast<__int128>(best)) best = static_cast<uint64_t>(trips);
  }
  return best;
}

void Analyzer::decide_back_edges() {
  const size_t n = program_.size();
  std::vector<int> verdict(n, -1);  // -1 unseen, 0 counted, 1 free
  // Only checked contexts carry loop facts: every call the checking pass
  // made took its callee's exit from one of them, which lists the call
  // among its callers.
  std::vector<std::vector<uint64_t>> bounds(contexts_.size());
  for (size_t ci = 0; ci < contexts_.size(); ++ci) {
    const Context& c = contexts_[ci];
    if (c.checked_block.empty()) continue;
    const isa::FunctionGraph& g = graph_.functions[c.function];
    bounds[ci].resize(g.loops.size());
    for (size_t l = 0; l < g.loops.size(); ++l) bounds[ci][l] = loop_trip_bound(c, g, l);
  }
  // Each checked context's multiplier: how many times its function may be
  // entered, as far as the loops around its callers' call sites tell (the
  // most over its callers, each entered as often as its own multiplier
  // says). Callers run one frame up, so the recursion ends.
  std::vector<uint64_t> multiplier(contexts_.size(), 0);  // 0: not worked out yet
  auto entered = [&](auto& self, size_t ci) -> uint64_t {
    if (multiplier[ci] != 0) return multiplier[ci];
    const Context& c = contexts_[ci];
    // The entry function runs once. Every other checked context was
    // checked for some call, so one without callers would be a slip in the
    // bookkeeping: it, and a caller without facts, count as unbounded.
    uint64_t most = ci == 0 ? 1 : c.callers.empty() ? kUnbounded : 0;
    for (const auto& [caller, call_pc] : c.callers) {
      const size_t p = static_cast<size_t>(caller);
      const isa::FunctionGraph& pg = graph_.functions[contexts_[p].function];
      uint64_t m = contexts_[p].checked_block.empty() ? kUnbounded : self(self, p);
      for (int l = pg.innermost_loop[pg.block_of(call_pc)]; l >= 0 && m != kUnbounded;
           l = pg.loops[static_cast<size_t>(l)].parent)
        m = saturating_mul(m, bounds[p][static_cast<size_t>(l)]);
      most = std::max(most, m);
    }
    return multiplier[ci] = most;
  };
  for (size_t ci = 0; ci < contexts_.size(); ++ci) {
    const Context& c = contexts_[ci];
    if (c.checked_block.empty()) continue;
    const isa::FunctionGraph& g = graph_.functions[c.function];
    for (size_t b = 0; b < g.blocks.size(); ++b) {
      if (!c.checked_block[b]) continue;
      const size_t pc = g.blocks[b].last;
      const isa::Instruction& insn = program_.insns[pc];
      if (!(insn.is_branch() || insn.opcode == isa::kOpGotol) || insn.jump_target(pc) > static_cast<int64_t>(pc)) continue;
      const size_t to = g.block_of(static_cast<size_t>(insn.jump_target(pc)));
      int loop = g.loop_of_edge(b, to);
      uint64_t total = entered(entered, ci);
      for (; loop >= 0 && total != kUnbounded; loop = g.loops[static_cast<size_t>(loop)].parent)
        total = saturating_mul(total, bounds[ci][static_cast<size_t>(loop)]);
      const int v = total <= options_.loop_budget ? 1 : 0;
      verdict[pc] = verdict[pc] < 0 ? v : std::min(verdict[pc], v);
    }
  }
  for (size_t pc = 0; pc < n; ++pc) {
    if (program_.is_lddw_tail(pc)) continue;
    const isa::Instruction& insn = program_.insns[pc];
    if (!(insn.is_branch() || insn.opcode == isa::kOpGotol) || insn.jump_target(pc) > static_cast<int64_t>(pc)) continue;
    result_.annotations.back_edge[pc] = verdict[pc] == 1 ? BackEdge::kFree : BackEdge::kCounted;
  }
}

}  // namespace sbpf::verifier
