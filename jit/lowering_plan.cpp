#include "jit/lowering_plan.h"

#include <algorithm>
#include <string>

#include "isa/control_flow.h"

namespace sbpf::jit {

namespace {

using verifier::AccessCheck;

constexpr HelperPointer kMemmovePointers[] = {{1, true}, {2, false}};
constexpr HelperPointer kMemcmpPointers[] = {{1, false}, {2, false}};
constexpr HelperPointer kMemsetPointers[] = {{1, true}};

// At most this many slots per versioned loop: each copy grows the code.
constexpr size_t kMaxVersionedSlots = 512;

}  // namespace

std::span<const HelperPointer> helper_pointers(MemoryHelper kind) {
  switch (kind) {
    case MemoryHelper::kMemmove: return kMemmovePointers;
    case MemoryHelper::kMemcmp: return kMemcmpPointers;
    case MemoryHelper::kMemset: return kMemsetPointers;
  }
  return {};
}

bool VersionedLoop::is_hoisted(size_t pc) const { return std::binary_search(hoisted.begin(), hoisted.end(), pc); }

LoweringPlan::LoweringPlan(const isa::Program& program, const verifier::Annotations& annotations,
                           const CompileOptions& options, std::vector<uint32_t> source_pc)
    : program_(program), annotations_(annotations), options_(options), source_pc_(std::move(source_pc)) {
  plan_loop_versions();
  find_selects_and_sites();
  number_copy_sites();
}

// One walk: a select folds the slots after its jump, which then have no
// guard sites of their own; every other access or inline helper numbers
// its sites, in pc order. Also resolves every lddw: a program the JIT
// cannot express fails before any code is emitted.
void LoweringPlan::find_selects_and_sites() {
  const size_t n = program_.size();
  select_.assign(n, std::nullopt);
  folded_.assign(n, 0);
  main_site_.assign(n, UINT32_MAX);
  for (size_t pc = 0; pc < n; ++pc) {
    if (folded_[pc]) continue;
    const isa::Instruction& insn = program_.insns[pc];
    if (insn.is_lddw()) {
      constant_at(pc);
      folded_[pc + 1] = 1;  // its second slot
      continue;
    }
    if (!insn.is_branch()) {
      if (!insn.is_alu()) main_site_[pc] = add_sites(pc, nullptr);  // most slots: no sites
      continue;
    }
    if (insn.op() == isa::kJmpJa) continue;
    select_[pc] = select_shape(pc);
    if (!select_[pc]) continue;
    const size_t end = select_[pc]->block_end + (select_[pc]->then_jump ? 1 : 0);
    for (size_t at = pc + 1; at < end; ++at) folded_[at] = 1;
  }
}

std::optional<Select> LoweringPlan::select_shape(size_t pc) const {
  const isa::Instruction& insn = program_.insns[pc];
  const int64_t target = insn.jump_target(pc);
  const size_t n = program_.size();
  uint8_t dst = 0;
  for (size_t at = pc + 1; at < n && at <= pc + 4; ++at) {
    if (is_jump_target(at) && static_cast<int64_t>(at) != target) return std::nullopt;
    const isa::Instruction& next = program_.insns[at];
    const size_t moves = at - pc - 1;
    if (moves > 0 && static_cast<int64_t>(at) == target) return Select{static_cast<uint32_t>(at), false, dst};
    if (moves > 0 && next.opcode == isa::kOpJa && next.jump_target(at) == target && !is_jump_target(at) &&
        counted_back_edge(at, target) == counted_back_edge(pc, target))
      return Select{static_cast<uint32_t>(at), true, dst};
    if (moves == 3 || next.cls() != isa::kClassAlu64) return std::nullopt;
    const uint8_t op = next.op();
    const bool arithmetic = op == isa::kAluAdd || op == isa::kAluSub || op == isa::kAluAnd || op == isa::kAluOr ||
                            op == isa::kAluXor || op == isa::kAluMul;
    if (moves == 0) {
      if (op != isa::kAluMov || next.offset != 0) return std::nullopt;
      dst = next.dst;
    } else if (next.dst != dst || !(arithmetic || (op == isa::kAluMov && next.offset == 0))) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

size_t LoweringPlan::successor(size_t pc) const {
  const size_t n = program_.size();
  size_t next = pc + (program_.insns[pc].is_lddw() ? 2 : 1);
  while (next < n && folded_[next]) ++next;
  return std::min(next, n);
}

uint64_t LoweringPlan::constant_at(size_t pc) const {
  const isa::Instruction& insn = program_.insns[pc];
  switch (insn.src) {
    case isa::kLddwImm64: return program_.lddw_value_at(pc);
    case isa::kLddwMapValue: {
      const auto section = static_cast<uint32_t>(insn.imm);
      if (section >= options_.section_addresses.size())
        throw std::invalid_argument("jit: no address given for data section " + std::to_string(section));
      return options_.section_addresses[section] + static_cast<uint32_t>(program_.insns[pc + 1].imm);
    }
    default:
      throw UnsupportedForJit("pc " + std::to_string(pc) + ": lddw form " + std::to_string(insn.src) +
                              " (maps, kernel variables, code addresses) needs a kernel");
  }
}

std::optional<MemoryHelper> LoweringPlan::memory_helper_at(size_t pc) const {
  const isa::Instruction& insn = program_.insns[pc];
  if (!insn.is_helper_call()) return std::nullopt;
  const auto it = options_.memory_helpers.find(insn.imm);
  if (it == options_.memory_helpers.end()) return std::nullopt;
  return it->second;
}

void LoweringPlan::plan_loop_versions() {
  const size_t n = program_.size();
  loop_at_.assign(n, -1);
  loop_of_.assign(n, -1);
  // The entry check's immediates come from the program's constants: a
  // blinded program keeps its loops as they are.
  if (options_.blind_constants) return;
  const auto hoistable = [&](size_t pc) {
    const verifier::AccessAnnotation& a = annotations_.access[pc];
    return a.check == AccessCheck::kGuarded && a.relative.base < isa::kNumRegisters - 1 &&
           a.relative.low <= a.relative.high && static_cast<int64_t>(a.relative.high) - a.relative.low <= INT32_MAX / 2;
  };
  // Only loops that hold such an access can be versioned, or have a
  // versioned loop inside them: the others are not looked for.
  std::vector<size_t> accesses;
  for (size_t f = 0; f < program_.functions.size(); ++f) {
    const isa::Function& function = program_.functions[f];
    accesses.clear();
    for (size_t pc = function.start; pc < function.end; ++pc)
      if (hoistable(pc)) accesses.push_back(pc);
    if (accesses.empty()) continue;
    const isa::FunctionLoops g = isa::find_loops_holding(program_, f, accesses);
    std::vector<std::optional<VersionedLoop>> candidates(g.loops.size());
    for (size_t index = 0; index < g.loops.size(); ++index) {
      const isa::Loop& loop = g.loops[index];
      if (!loop.reducible) continue;
      VersionedLoop v;
      v.head = g.blocks[loop.head].first;
      for (size_t b : loop.blocks)
        for (size_t pc = g.blocks[b].first; pc <= g.blocks[b].last && v.members.size() <= kMaxVersionedSlots; ++pc)
          if (!program_.is_lddw_tail(pc)) v.members.push_back(pc);
      if (v.members.size() > kMaxVersionedSlots) continue;
      std::sort(v.members.begin(), v.members.end());
      // The copy starts at the header, where the entry check falls into it,
      // and goes on in address order, wrapping around.
      std::rotate(v.members.begin(), std::find(v.members.begin(), v.members.end(), v.head), v.members.end());
      for (size_t pc : v.members)
        if (hoistable(pc) && (loop.registers_written >> annotations_.access[pc].relative.base & 1) == 0)
          v.hoisted.push_back(pc);
      std::sort(v.hoisted.begin(), v.hoisted.end());
      if (!v.hoisted.empty()) candidates[index] = std::move(v);
    }
    // Innermost candidates only. Loops come parents first, so each marks
    // its ancestors.
    for (size_t index = g.loops.size(); index-- > 0;) {
      if (!candidates[index]) continue;
      for (int up = g.loops[index].parent; up >= 0; up = g.loops[static_cast<size_t>(up)].parent)
        candidates[static_cast<size_t>(up)].reset();
    }
    for (std::optional<VersionedLoop>& v : candidates)
      if (v) loops_.push_back(std::move(*v));
  }
  std::sort(loops_.begin(), loops_.end(), [](const VersionedLoop& a, const VersionedLoop& b) { return a.head < b.head; });
  for (size_t i = 0; i < loops_.size(); ++i) {
    loop_at_[loops_[i].head] = static_cast<int>(i);
    for (size_t pc : loops_[i].members) loop_of_[pc] = static_cast<int>(i);
    // An lddw's second slot belongs where its first does.
    for (size_t pc : loops_[i].members)
      if (program_.insns[pc].is_lddw() && pc + 1 < n) loop_of_[pc + 1] = static_cast<int>(i);
  }
}

bool LoweringPlan::falls_through_from(size_t pc, const VersionedLoop& loop) const {
  if (pc == 0) return false;
  const size_t before = program_.is_lddw_tail(pc - 1) ? pc - 2 : pc - 1;
  return in_loop(loop, before) && !program_.insns[before].ends_block_unconditionally();
}

JumpDestination LoweringPlan::destination(size_t from, int64_t target, const VersionedLoop* copying) const {
  const auto t = static_cast<size_t>(target);
  if (copying != nullptr && in_loop(*copying, t)) return {JumpDestination::kCopy, t, 0};
  if (t < loop_at_.size() && loop_at_[t] >= 0) {
    const auto index = static_cast<size_t>(loop_at_[t]);
    return {in_loop(loops_[index], from) ? JumpDestination::kCheckedHead : JumpDestination::kLoopEntry, t, index};
  }
  return {JumpDestination::kInstruction, t, 0};
}

bool LoweringPlan::needs_guard(size_t pc, const VersionedLoop* copying) const {
  if (annotations_.access[pc].check == AccessCheck::kProven) return false;
  return copying == nullptr || !copying->is_hoisted(pc);
}

uint32_t LoweringPlan::add_sites(size_t pc, const VersionedLoop* copying) {
  const isa::Instruction& insn = program_.insns[pc];
  const auto first = static_cast<uint32_t>(sites_.size());
  if (insn.is_load() || insn.is_store() || insn.is_atomic()) {
    if (!needs_guard(pc, copying)) return UINT32_MAX;
    const verifier::AccessAnnotation& access = annotations_.access[pc];
    const verifier::RegionSet regions =
        access.check == AccessCheck::kGuarded ? access.regions : verifier::kAllRegionKinds;
    sites_.push_back({static_cast<uint32_t>(source_pc(pc)), static_cast<uint8_t>(insn.access_bytes()), !insn.is_load(), regions});
    return first;
  }
  if (const std::optional<MemoryHelper> kind = memory_helper_at(pc)) {
    for (const HelperPointer& p : helper_pointers(*kind))
      sites_.push_back({static_cast<uint32_t>(source_pc(pc)), 0, p.write, verifier::kAllRegionKinds, p.reg});
    return first;
  }
  return UINT32_MAX;
}

void LoweringPlan::number_copy_sites() {
  copy_site_.resize(loops_.size());
  for (size_t i = 0; i < loops_.size(); ++i) {
    for (size_t pc : loops_[i].members)
      if (!folded_[pc])
        if (const uint32_t first = add_sites(pc, &loops_[i]); first != UINT32_MAX) copy_site_[i].push_back({pc, first});
    std::sort(copy_site_[i].begin(), copy_site_[i].end());
  }
}

uint32_t LoweringPlan::site(size_t pc, const VersionedLoop* copying) const {
  if (copying == nullptr) return main_site_[pc];
  const auto& sites = copy_site_[static_cast<size_t>(copying - loops_.data())];
  const auto it = std::lower_bound(sites.begin(), sites.end(), std::pair<size_t, uint32_t>{pc, 0});
  return it != sites.end() && it->first == pc ? it->second : UINT32_MAX;
}

}  // namespace sbpf::jit
