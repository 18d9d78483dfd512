// The fixpoint: each function's blocks in reverse post-order from a
// worklist, joining at merge points and widening at loop heads after a few
// precise rounds; then descending rounds that narrow what widening lost;
// then, with the states final, the checking pass that reports diagnostics
// and records annotations. Calls analyse the callee in a context of their
// own (the chain of call sites), so a callee sees its caller's arguments,
// until a function's contexts grow too large; further call strings then
// share one context per shape of entry. A context's last analysis is
// reused for any entry it covers (covers()).
#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include "isa/disassembler.h"
#include "verifier/analyzer.h"

namespace sbpf::verifier {

namespace {

using DB = DifferenceBounds;

// Joins before widening at a loop head: enough to see a loop's first
// iterations precisely (and a counter's alignment) before bounds jump.
constexpr unsigned kWideningDelay = 3;
// Widenings at a loop head that may stop at a threshold before bounds go
// to their limits: each is one more pass over the loop.
constexpr unsigned kThresholdWidenings = 6;
constexpr int kNarrowingRounds = 2;
// Analyses of one function at one call depth, each from its own call
// site's entry, before new call sites start from the join of their entry
// and the last one's.
constexpr unsigned kContextsBeforeMerging = 6;
// How large one function's contexts may grow, in instructions (contexts
// times the function's size), before further call strings stop getting
// their own. Each call string is a context with its own analyses, and its
// calls children of their own: a callee called from hundreds of sites of a
// callee called from hundreds of sites has tens of thousands, each
// analysed again whenever its caller's state at the call grows. Past the
// budget, a new call string shares the one context of its entry's shape
// (caller_frame_shape), whose entry grows to cover all of theirs. Programs
// of a few thousand instructions stay well below it (a callee of 250
// instructions would need 100 call strings) and keep full context
// sensitivity; a callee of 8,000 gets 4.
constexpr size_t kContextInstructionsBeforeSharing = size_t{1} << 15;

// Which caller frames a callee's entry reaches and how: where in which
// stack frame each argument points, the frames the entry holds, and the
// stack pointers spilled there. Call sites whose entries share a shape may
// share an analysis: their joined entry still points at the same slots of
// the same frames, so the callee's writes there stay as precise. (Two
// shapes that hash alike only merge sites that could have stayed apart.)
uint64_t caller_frame_shape(const AbstractState& entry, int stack_region) {
  const RegionIds stack = RegionIds{1} << stack_region;
  auto frame_of = [&](const Value& v) -> uint64_t {
    return v.is_pointer() && (v.regions & stack) ? uint64_t{v.frame} + 1 : 0;
  };
  uint64_t shape = 0;
  for (int r = 1; r <= 5; ++r) {
    const Value& v = entry.top().regs[static_cast<size_t>(r)];
    shape = shape * 16 + frame_of(v);
    if (frame_of(v)) shape = (shape ^ static_cast<uint64_t>(v.num.smin) ^ (static_cast<uint64_t>(v.num.smax) << 32)) *
                             0x100000001b3u;
  }
  for (size_t f = 0; f + 1 < entry.frames.size(); ++f) {
    const auto& slots = entry.frames[f].slots.entries();
    if (slots.empty()) continue;
    shape = shape * 0x100000001b3u ^ (f + 1);
    for (const auto& [index, slot] : slots)
      if (const uint64_t frame = frame_of(slot.spilled)) shape = (shape ^ (index * 16 + frame)) * 0x100000001b3u;
  }
  return shape;
}

}  // namespace

Analyzer::Analyzer(const isa::Program& program, const ProgramType& type, const Options& options,
                   DataPointerTypes data_pointers)
    : program_(program), type_(type), options_(options), data_pointers_(std::move(data_pointers)) {
  data_pointer_stores_.resize(data_pointers_.size());
  for (size_t s = 0; s < data_pointers_.size(); ++s) data_pointer_stores_[s].assign(data_pointers_[s].size(), std::nullopt);
}

std::string Analyzer::insn_text(size_t pc) const {
  return isa::disassemble_instruction(program_, pc);
}

void Analyzer::error(size_t pc, Rule rule, std::string message) {
  if (!checking_ || error_at_[pc]) return;
  error_at_[pc] = 1;
  result_.diagnostics.push_back({pc, rule, std::move(message)});
}

int Analyzer::child_context(int context, size_t call_pc, size_t function, const AbstractState& entry) {
  if (const auto it = context_of_call_.find({context, call_pc}); it != context_of_call_.end()) return it->second;
  auto add = [&](bool shared) {
    const int id = static_cast<int>(contexts_.size());
    Context c;
    c.function = function;
    c.shared = shared;
    contexts_.push_back(std::move(c));
    contexts_of_function_[function].push_back(id);
    return id;
  };
  const isa::Function& f = program_.functions[function];
  if (contexts_of_function_[function].size() * (f.end - f.start) >= kContextInstructionsBeforeSharing) {
    // Not remembered for the call string: the shape of its entry may change
    // as the caller's analysis goes on.
    MergedSites& m = merged_sites_[{function, entry.frames.size(), caller_frame_shape(entry, regions_.stack)}];
    if (m.shared < 0) m.shared = add(true);
    return m.shared;
  }
  const int id = add(false);
  context_of_call_.emplace(std::make_pair(context, call_pc), id);
  return id;
}

bool Analyzer::covers(const Context& c, const AbstractState& entry) {
  if (!c.have_entry || c.last_entry.frames.size() != entry.frames.size()) return false;
  std::array<uint64_t, kMaxFrames> touched;
  for (size_t f = 0; f < touched.size(); ++f) touched[f] = c.caller_reads[f] | c.caller_writes[f];
  return entry.leq_at(c.last_entry, touched);
}

int Analyzer::covering_context(int context, const AbstractState& entry, bool checked) const {
  for (int other : contexts_of_function_[contexts_[static_cast<size_t>(context)].function]) {
    const Context& o = contexts_[static_cast<size_t>(other)];
    if (other == context || (checked && !o.last_checked)) continue;
    if (covers(o, entry)) return other;
  }
  return -1;
}

AbstractState Analyzer::entry_state() {
  AbstractState s;
  s.reachable = true;
  s.frames.resize(1);
  for (const AnalysisRegion& r : regions_.regions)
    if (r.length_symbol >= 0)
      s.relations.bound(DB::length(r.length_symbol), static_cast<int64_t>(r.length.min),
                        static_cast<int64_t>(r.length.max));
  for (int i = 0; i < 5; ++i) {
    const EntryArgument& a = type_.entry[i];
    const int r = i + 1;
    switch (a.kind) {
      case EntryArgument::Kind::kNone: break;
      case EntryArgument::Kind::kCtx:
        if (regions_.ctx >= 0) set_value(s, r, Value::pointer(RegionIds{1} << regions_.ctx, Scalar::constant(0)));
        break;
      case EntryArgument::Kind::kRegionStart: {
        const int id = regions_.find(a.region);
        if (id >= 0) set_value(s, r, Value::pointer(RegionIds{1} << id, Scalar::constant(0)));
        break;
      }
      case EntryArgument::Kind::kRegionLength: {
        const int id = regions_.find(a.region);
        if (id < 0) break;
        const AnalysisRegion& reg = regions_.regions[static_cast<size_t>(id)];
        set_scalar(s, r, Scalar::unsigned_range(reg.length.min, reg.length.max));
        if (reg.length_symbol >= 0) {
          s.relations.add(DB::reg(r), DB::length(reg.length_symbol), 0);
          s.relations.add(DB::length(reg.length_symbol), DB::reg(r), 0);
        }
        break;
      }
    }
  }
  s.reg(10) = Value::pointer(RegionIds{1} << regions_.stack, Scalar::constant(0), 0);
  sync_bounds(s, 10);
  return s;
}

void Analyzer::step(int context, size_t pc, AbstractState& s, bool check, AbstractState& exits) {
  const isa::Instruction& insn = program_.insns[pc];
  if (options_.trace && checking_ && result_.trace[pc].empty()) result_.trace[pc] = s.describe(regions_);
  if (options_.prover && checking_) note_facts(pc, s);
  switch (insn.cls()) {
    case isa::kClassAlu:
    case isa::kClassAlu64:
      if (check && insn.cls() == isa::kClassAlu64 && (insn.op() == isa::kAluAdd || insn.op() == isa::kAluSub) &&
          insn.source() == isa::kSourceK)
        contexts_[static_cast<size_t>(context)].before.emplace_back(pc, s.reg(insn.dst));
      alu(pc, s);
      return;
    case isa::kClassLdx: load(pc, s); return;
    case isa::kClassSt: store(pc, s); return;
    case isa::kClassStx:
      if (insn.is_atomic()) atomic(pc, s);
      else store(pc, s);
      return;
    case isa::kClassLd: lddw(pc, s); return;
    default: break;
  }
  if (insn.is_exit()) {
    exit(pc, s, exits);
    s.reachable = false;
  } else if (insn.is_local_call()) {
    local_call(context, pc, s, check);
  } else if (insn.is_helper_call()) {
    helper_call(pc, insn.imm, s);
  } else if (insn.is_callx()) {
    const Value id = use(pc, s, insn.callx_register());
    if (id.is_scalar() && id.num.is_const() && id.num.umin <= INT32_MAX) {
      helper_call(pc, static_cast<int32_t>(id.num.umin), s);
    } else {
      error(pc, Rule::kHelperArgument, "callx through r" + std::to_string(insn.callx_register()) + ", which is " +
                                           describe_value(id, regions_) + ", not a known helper id");
      for (int r = 0; r <= 5; ++r) set_value(s, r, r == 0 ? Value::scalar(Scalar::top()) : Value::uninit());
    }
  } else if (insn.opcode == isa::kOpCall) {
    error(pc, Rule::kMalformed, "call by BTF id (kfunc) needs a kernel");
  }
}

std::vector<Analyzer::Edge> Analyzer::transfer_block(int context, size_t block, AbstractState s, bool check,
                                                     AbstractState& exits) {
  const isa::FunctionGraph& g = graph_.functions[contexts_[static_cast<size_t>(context)].function];
  const isa::BasicBlock& b = g.blocks[block];
  current_context_ = context;
  std::vector<Edge> out;
  for (size_t pc = b.first; pc <= b.last && s.reachable; ++pc) {
    if (program_.is_lddw_tail(pc)) continue;
    const isa::Instruction& insn = program_.insns[pc];
    if (pc == b.last && (insn.is_branch() || insn.opcode == isa::kOpGotol)) {
      if (options_.trace && checking_ && result_.trace[pc].empty()) result_.trace[pc] = s.describe(regions_);
      if (options_.prover && checking_) note_facts(pc, s);
      AbstractState taken, not_taken;
      branch(pc, s, taken, not_taken);
      if (not_taken.reachable) out.push_back({g.block_of(pc + 1), std::move(not_taken)});
      if (taken.reachable) out.push_back({g.block_of(static_cast<size_t>(insn.jump_target(pc))), std::move(taken)});
      return out;
    }
    step(context, pc, s, check, exits);
  }
  if (s.reachable && !b.successors.empty()) out.push_back({b.successors[0], std::move(s)});
  return out;
}

// Where widening at a loop's head stops first: the constants its exits
// compare with, and the bounds at the head of the registers its exits
// compare with that did not move this round (`i < n` with n in [0, 4096]
// keeps i below 4096; i's own moving bounds are no landmark).
WideningThresholds Analyzer::loop_thresholds(const isa::FunctionGraph& g, const isa::Loop& loop,
                                             const AbstractState& old,
                                             const AbstractState& next) const {
  std::vector<int64_t> constants;
  auto register_bounds = [&](uint8_t r) {
    const Value& v = next.reg(r);
    if (!v.is_init() || !(v == old.reg(r))) return;
    for (uint64_t bound : {v.num.umin, v.num.umax}) constants.push_back(static_cast<int64_t>(bound));
    for (int64_t bound : {v.num.smin, v.num.smax}) constants.push_back(bound);
  };
  for (const isa::Edge& exit : loop.exits) {
    const isa::Instruction& jump = program_.insns[g.blocks[exit.from].last];
    if (!jump.is_branch() || jump.op() == isa::kJmpJa) continue;
    if (jump.source() == isa::kSourceK) {
      constants.push_back(jump.imm);
    } else {
      register_bounds(jump.dst);
      register_bounds(jump.src);
    }
  }
  return WideningThresholds(constants);
}

namespace {

// `last` grown to take `entry` in: joined, or after enough rounds widened.
AbstractState grown_entry(const AbstractState& last, const AbstractState& entry, bool widen, int stack_region) {
  AbstractState joined = last;
  joined.join_with(entry, stack_region);
  if (!widen) return joined;
  AbstractState widened = last;
  widened.widen_with(joined, stack_region);
  return widened;
}

}  // namespace

std::optional<AbstractState> Analyzer::reuse_or_plan(int context, bool check, AbstractState& entry,
                                                     std::vector<AbstractState>& in, std::vector<unsigned>& visits) {
  // A context of the same function whose analysis started from a larger
  // entry covers this one: its exit, and in the checking pass its
  // diagnostics, annotations and loop facts, hold for this entry too (the
  // transfer functions are monotone). Larger except at caller slots the
  // analysis never touched: a run from this entry leaves them alone too,
  // and the call site keeps its own view of them.
  const Context& self = contexts_[static_cast<size_t>(context)];
  if (check && self.last_checked && covers(self, entry)) {
    // Checked from this entry or a larger one already: its diagnostics and
    // annotations are recorded (and its per-block states dropped).
    exit_context_ = context;
    return self.last_exit;
  }
  if (check || !covers(self, entry)) {
    if (const int other = covering_context(context, entry, check); other >= 0) {
      exit_context_ = other;
      return contexts_[static_cast<size_t>(other)].last_exit;
    }
    // A function called from many sites, each with its own arguments,
    // would need an analysis per site: past a few, a new site starts from
    // the join of its entry and the last site's, which then covers most of
    // the sites still to come. Context sensitivity is traded for time only
    // where a function has many callers, and only between sites whose
    // entries reach the callers' frames alike (caller_frame_shape). What
    // comes back to each site is its own view of every slot the callee does
    // not write. (A shared context joins its sites' entries itself.)
    if (!self.shared && (!self.have_entry || (check && !self.checked))) {
      MergedSites& m =
          merged_sites_[{self.function, entry.frames.size(), caller_frame_shape(entry, regions_.stack)}];
      if (++m.analyses > kContextsBeforeMerging && m.last >= 0)
        entry = grown_entry(contexts_[static_cast<size_t>(m.last)].last_entry, entry,
                            m.analyses > kContextsBeforeMerging + kWideningDelay, regions_.stack);
      m.last = context;
    }
  }
  Context& c = contexts_[static_cast<size_t>(context)];
  // The last analysis's loop heads are a post-fixpoint for its entry:
  // ascending from them reaches one for this entry (or, for the checking
  // pass over the same entry, the same states) sooner than from nothing.
  auto warm = [&] {
    in.assign(graph_.functions[c.function].blocks.size(), AbstractState::unreachable());
    for (const auto& [block, state] : c.heads) in[block] = state;
  };
  if (c.have_entry && check && !c.checked && entry == c.last_entry) {
    warm();
  } else if (c.have_entry && (!check || c.checked || c.shared)) {
    // A call inside the caller's loop sees a growing entry on every round;
    // widening it like a loop head keeps the callee's analyses few. The
    // checking pass analyses the callee with its exact final entry, except
    // where the entry must cover earlier ones: a context checked again
    // (its new loop facts replace those that earlier checks' callers
    // took), and a shared one (one check then stands for all its sites).
    if (covers(c, entry)) {
      if (!check) {
        exit_context_ = context;
        return c.last_exit;
      }
      entry = c.last_entry;
    } else {
      // A shared context's entries come from many sites, not from one loop
      // going round: joining them one by one would cost an analysis per
      // site, so they widen at once.
      entry = grown_entry(c.last_entry, entry, ++c.entries_seen > (c.shared ? 0 : kWideningDelay), regions_.stack);
    }
    warm();
    visits = std::move(c.visits);
  }
  return std::nullopt;
}

const AbstractState& Analyzer::head_state(const Context& c, size_t block) {
  const auto it = std::lower_bound(c.heads.begin(), c.heads.end(), block,
                                   [](const auto& entry, size_t b) { return entry.first < b; });
  static const AbstractState kUnreachable;
  return it != c.heads.end() && it->first == block ? it->second : kUnreachable;
}

AbstractState Analyzer::analyze_function(int context, const AbstractState& call_entry, bool check) {
  const isa::FunctionGraph& g = graph_.functions[contexts_[static_cast<size_t>(context)].function];
  const size_t n = g.blocks.size();
  AbstractState entry = call_entry;
  std::vector<AbstractState> in;
  std::vector<unsigned> visits(n, 0);
  if (auto exit = reuse_or_plan(context, check, entry, in, visits)) return std::move(*exit);
  checking_ = false;
  // Ascending rounds: a worklist in reverse post-order. Warm, every block
  // starts on it, so that every edge is evaluated from its block's final
  // state before the rounds end.
  std::set<size_t> work;
  if (in.empty()) {
    in.resize(n);
    in[0] = entry;
    work.insert(0);
  } else {
    in[0].join_with(entry, regions_.stack);
    for (size_t rank = 0; rank < g.order.size(); ++rank) work.insert(rank);
  }
  // Each block's edges from its last transfer, and the state at its exit
  // for a block that ends in one. Every transfer is redone when its
  // block's state changes, so once the rounds end these are what a round
  // over the final states would give: the descending rounds start from
  // them, and an analysis that does not check takes its exit from them.
  std::vector<std::vector<Edge>> out(n);
  std::vector<int> exit_index(n, -1);
  std::vector<AbstractState> exit_of;
  for (size_t b = 0; b < n; ++b)
    if (program_.insns[g.blocks[b].last].is_exit()) {
      exit_index[b] = static_cast<int>(exit_of.size());
      exit_of.emplace_back();
    }
  AbstractState no_exit;  // what the other blocks join into at their exit: nothing
  auto transfer = [&](size_t b) {
    if (exit_index[b] < 0) {
      out[b] = transfer_block(context, b, in[b], false, no_exit);
      return;
    }
    AbstractState& at_exit = exit_of[static_cast<size_t>(exit_index[b])];
    at_exit = AbstractState::unreachable();
    out[b] = transfer_block(context, b, in[b], false, at_exit);
  };

  while (!work.empty()) {
    const size_t b = g.order[*work.begin()];
    work.erase(work.begin());
    ++result_.statistics.states_visited;
    transfer(b);
    for (const Edge& e : out[b]) {
      AbstractState& dst = in[e.to];
      if (e.state.leq(dst)) continue;
      // Widening is for what grows around the loop: a state arriving from
      // outside (an enclosing loop's next round) joins, and the enclosing
      // loop's own head bounds how often that happens.
      const int loop = g.innermost_loop[e.to];
      const bool back_edge = g.loop_head[e.to] && loop >= 0 && g.loop_contains(loop, b);
      if (back_edge && ++visits[e.to] > kWideningDelay) {
        AbstractState joined = dst;
        joined.join_with(e.state, regions_.stack);
        const bool thresholds = visits[e.to] <= kWideningDelay + kThresholdWidenings;
        LoopThresholds t;
        WideningThresholds numbers;
        if (thresholds) {
          numbers = loop_thresholds(g, g.loops[static_cast<size_t>(loop)], dst, joined);
          t = {&numbers, &offset_thresholds_};
        }
        dst.widen_with(joined, regions_.stack, t);
      } else {
        dst.join_with(e.state, regions_.stack);
      }
      work.insert(g.rank[e.to]);
    }
  }
  // Descending rounds: recompute each block's entry from its predecessors'
  // exits, in reverse post-order so that a round carries a refinement all
  // the way around a loop (each block sees its forward predecessors' new
  // states and its back-edge predecessors' states of the round before).
  // Loop heads narrow. With monotone transfer functions the states stay a
  // post-fixpoint: a state only shrinks, so what flows out of it does too.
  {
    for (int round = 0; round < kNarrowingRounds; ++round) {
      bool changed = false;
      for (size_t b : g.order) {
        AbstractState next = b == 0 ? entry : AbstractState::unreachable();
        const std::vector<size_t>& preds = g.blocks[b].predecessors;
        for (size_t i = 0; i < preds.size(); ++i) {
          if (std::find(preds.begin(), preds.begin() + static_cast<std::ptrdiff_t>(i), preds[i]) !=
              preds.begin() + static_cast<std::ptrdiff_t>(i))
            continue;  // an edge listed twice
          for (const Edge& edge : out[preds[i]])
            if (edge.to == b) next.join_with(edge.state, regions_.stack);
        }
        if (b != 0 && g.loop_head[b]) {
          AbstractState narrowed = in[b];
          narrowed.narrow_with(next);
          next = std::move(narrowed);
        }
        if (next == in[b]) continue;
        changed = true;
        in[b] = std::move(next);
        transfer(b);
      }
      if (!changed) break;
    }
  }

  AbstractState exits;
  if (!check) {
    for (size_t b : g.order)
      if (exit_index[b] >= 0) exits.join_with(exit_of[static_cast<size_t>(exit_index[b])], regions_.stack);
  }
  out.clear();
  exit_of.clear();
  Context* c = &contexts_[static_cast<size_t>(context)];
  if (check) {
    // The checking round over the final states: the diagnostics,
    // annotations and loop facts, and the exit state.
    checking_ = true;
    c->latch_states.clear();
    c->before.clear();
    c->checked_block.assign(n, false);
    for (size_t b : g.order) {
      if (!in[b].reachable) continue;
      std::vector<Edge> edges = transfer_block(context, b, in[b], true, exits);
      c = &contexts_[static_cast<size_t>(context)];  // callees may have added contexts
      c->checked_block[b] = true;
      for (const Edge& e : edges) {
        const int loop = g.loop_of_edge(b, e.to);
        if (loop >= 0 && g.loops[static_cast<size_t>(loop)].head == e.to)
          c->latch_states.push_back({b, e.to, e.state.top().regs});
      }
    }
    checking_ = false;
  }
  c->heads.clear();
  for (size_t b = 0; b < n; ++b)
    if (g.loop_head[b]) c->heads.emplace_back(b, std::move(in[b]));
  c->visits = std::move(visits);
  c->have_entry = true;
  c->checked = c->checked || check;
  c->last_checked = check;
  exit_context_ = context;
  c->last_entry = entry;
  c->last_exit = exits;
  return exits;
}

// What the analysis derives from the program and its type before it starts.
void Analyzer::prepare() {
  graph_ = isa::build_graph(program_);
  regions_ = build_region_table(program_, type_);
  arguments_ = argument_registers(program_, graph_, [this](int32_t id) {
    const HelperSignature* sig = type_.helper(id);
    RegisterMask mask = 0;
    for (int i = 0; i < 5; ++i)
      if (sig == nullptr || sig->args[i] != ArgType::kNone) mask |= static_cast<RegisterMask>(1u << (i + 1));
    return mask;
  });
  offset_thresholds_.clear();
  for (const AnalysisRegion& r : regions_.regions) {
    const bool stack = r.kind == RegionKind::kStack;
    offset_thresholds_.emplace_back(stack ? std::vector<int64_t>{-kFrameBytes, 0}
                                          : std::vector<int64_t>{static_cast<int64_t>(r.length.min),
                                                                 static_cast<int64_t>(r.length.max)});
  }
  contexts_.clear();
  context_of_call_.clear();
  contexts_of_function_.assign(program_.functions.size(), {});
  merged_sites_.clear();
  Context root;
  root.function = 0;
  contexts_.push_back(std::move(root));
  contexts_of_function_[0].push_back(0);
}

VerificationResult Analyzer::run() {
  const auto start = std::chrono::steady_clock::now();
  const size_t n = program_.size();
  result_.statistics.instructions = n;
  result_.annotations.access.assign(n, {});
  result_.annotations.back_edge.assign(n, BackEdge::kNone);
  if (options_.trace) result_.trace.assign(n, "");
  access_seen_.assign(n, false);
  off_slots_.assign(n, false);
  slot_guard_.assign(n, 0);
  error_at_.assign(n, 0);
  point_facts_.clear();
  if (options_.prover) point_facts_.resize(n);

  prepare();
  checking_ = true;
  for (size_t pc = 0; pc < n; ++pc) {
    if (graph_.reachable[pc]) continue;
    const isa::Function& f = program_.function_at(pc);
    error(pc, Rule::kMalformed,
          pc == f.start ? "function " + f.name + " is never called" : "instruction is unreachable");
    break;  // one is enough: the rest of a dead stretch says the same
  }
  checking_ = false;

  const AbstractState entry = entry_state();
  analyze_function(0, entry, false);
  analyze_function(0, entry, true);
  decide_back_edges();

  // What the analysis never reached stays checked at run time.
  for (size_t pc = 0; pc < n; ++pc) {
    if (program_.is_lddw_tail(pc)) continue;
    const isa::Instruction& insn = program_.insns[pc];
    if ((insn.is_load() || insn.is_store() || insn.is_atomic()) && !access_seen_[pc])
      result_.annotations.access[pc] = {AccessCheck::kUnreached, kAllRegionKinds,
                                        static_cast<uint8_t>(insn.access_bytes())};
  }
  if (options_.prover && result_.diagnostics.empty()) prove_guards();
  checking_ = true;
  for (size_t pc = 0; pc < n; ++pc)
    if (slot_guard_[pc] == 3)
      error(pc, Rule::kPointerLeak,
            "this access reads or writes an address held in global data on some calls and plain data on others; "
            "one run-time check cannot keep both apart");
  for (size_t pc = 0; pc < n; ++pc) {
    const AccessAnnotation& a = result_.annotations.access[pc];
    if (a.check == AccessCheck::kGuarded) {
      ++result_.statistics.accesses_guarded;
      if (options_.strict)
        error(pc, Rule::kOutOfBounds,
              off_slots_[pc] ? "access may touch an address that global data holds, and --strict forbids the run-time "
                               "guard that keeps it off"
                             : "access cannot be proven in bounds and --strict forbids run-time guards");
    } else if (a.check == AccessCheck::kProven) {
      ++result_.statistics.accesses_proven;
    } else if (a.check == AccessCheck::kUnreached) {
      ++result_.statistics.accesses_unreached;
    }
    const BackEdge e = result_.annotations.back_edge[pc];
    if (e == BackEdge::kFree) ++result_.statistics.back_edges_free;
    if (e == BackEdge::kCounted) {
      ++result_.statistics.back_edges_counted;
      if (options_.strict)
        error(pc, Rule::kUnboundedLoop,
              "loop is not proven to end within " + std::to_string(options_.loop_budget) +
                  " iterations and --strict forbids the run-time loop budget");
    }
  }
  checking_ = false;
  // One diagnostic per pc (error() keeps the first), so sorting by pc is total.
  std::sort(result_.diagnostics.begin(), result_.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.pc < b.pc; });
  result_.accepted = result_.diagnostics.empty();
  result_.statistics.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::move(result_);
}

}  // namespace sbpf::verifier
