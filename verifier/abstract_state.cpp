#include "verifier/abstract_state.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace sbpf::verifier {

int RegionTable::find(RegionKind kind) const {
  for (size_t i = 0; i < regions.size(); ++i)
    if (regions[i].kind == kind) return static_cast<int>(i);
  return -1;
}

std::string RegionTable::names(RegionIds ids) const {
  std::string out;
  for (size_t i = 0; i < regions.size(); ++i) {
    if (!(ids & (RegionIds{1} << i))) continue;
    if (!out.empty()) out += "|";
    out += region_name(regions[i].kind);
  }
  return out;
}

RegionSet RegionTable::kinds(RegionIds ids) const {
  RegionSet set = 0;
  for (size_t i = 0; i < regions.size(); ++i)
    if (ids & (RegionIds{1} << i)) set |= region_bit(regions[i].kind);
  return set;
}

RegionTable build_region_table(const isa::Program& program, const ProgramType& type) {
  RegionTable t;
  int symbols = 0;
  auto add = [&](AnalysisRegion r) {
    if (r.length.min != r.length.max && symbols < DifferenceBounds::kMaxLengths) r.length_symbol = symbols++;
    t.regions.push_back(r);
    return static_cast<int>(t.regions.size() - 1);
  };
  if (type.ctx_size != 0) {
    // The ctx region's writability is per field; the region itself is
    // writable exactly when some field is.
    bool writable = false;
    for (const auto& f : type.ctx_fields) writable |= f.writable;
    t.ctx = add({RegionKind::kCtx, RegionLength::fixed(type.ctx_size), writable});
  }
  for (const auto& r : type.regions) add({r.kind, r.length, r.writable});
  t.stack = add({RegionKind::kStack, RegionLength::fixed(kFrameBytes), true});
  for (size_t i = 0; i < program.sections.size(); ++i) {
    const auto& s = program.sections[i];
    const bool rodata = s.kind == isa::SectionKind::kRodata;
    AnalysisRegion r{rodata ? RegionKind::kRodata : RegionKind::kData, RegionLength::fixed(s.bytes.size()), !rodata};
    r.section = static_cast<int>(i);
    t.section_region.push_back(static_cast<int>(t.regions.size()) < kMaxRegions ? add(r) : -1);
  }
  return t;
}

// ---- stack slots ----

namespace {

const StackSlot kUntouched{};

void join_slot(StackSlot& x, const StackSlot& y, int stack_region) {
  x.spilled = join(x.spilled, y.spilled, stack_region);
  x.lengths.join_with(y.lengths);
  if (!x.spilled.is_init()) x.forget_value();
  x.written &= y.written;
  x.pointer_bytes |= y.pointer_bytes;
}

}  // namespace

// The first stored slot at or after index i.
template <typename Entries>
auto StackSlots::position(Entries& entries, int i) {
  return std::lower_bound(entries.begin(), entries.end(), i, [](const Entry& e, int index) { return e.first < index; });
}

namespace {
// No slot stored: every fresh frame shares it (and it is never changed,
// since it is always shared).
const std::shared_ptr<const std::vector<StackSlots::Entry>>& no_slots() {
  static const auto kEmpty = std::make_shared<std::vector<StackSlots::Entry>>();
  static const std::shared_ptr<const std::vector<StackSlots::Entry>> kShared = kEmpty;
  return kShared;
}
}  // namespace

StackSlots::StackSlots() : entries_(no_slots()) {}

void StackSlots::clear() { entries_ = no_slots(); }

std::vector<StackSlots::Entry>& StackSlots::mut() {
  if (entries_.use_count() != 1) entries_ = std::make_shared<std::vector<Entry>>(*entries_);
  return const_cast<std::vector<Entry>&>(*entries_);
}

void StackSlots::replace(std::vector<Entry>&& entries) {
  if (entries == *entries_) return;
  entries_ = entries.empty() ? no_slots() : std::make_shared<std::vector<Entry>>(std::move(entries));
}

const StackSlot& StackSlots::get(int i) const {
  auto it = position(*entries_, i);
  return it != entries_->end() && it->first == i ? it->second : kUntouched;
}

StackSlot& StackSlots::set(int i) {
  std::vector<Entry>& entries = mut();
  auto it = position(entries, i);
  if (it == entries.end() || it->first != i) it = entries.insert(it, {static_cast<uint8_t>(i), StackSlot{}});
  return it->second;
}

void StackSlots::forget_value(int i) {
  auto it = position(*entries_, i);
  if (it == entries_->end() || it->first != i) return;
  if (!it->second.spilled.is_init() && it->second.lengths == LengthBounds{}) return;  // nothing to forget
  std::vector<Entry>& entries = mut();
  position(entries, i)->second.forget_value();
}

namespace {

// Calls f(i, a's slot i, b's slot i) for every index either side stores,
// in order, until f returns false; false if it did.
template <typename F>
bool zip(const std::vector<StackSlots::Entry>& a, const std::vector<StackSlots::Entry>& b, F f) {
  auto x = a.begin();
  auto y = b.begin();
  while (x != a.end() || y != b.end()) {
    const int i = y == b.end() || (x != a.end() && x->first < y->first) ? x->first : y->first;
    const StackSlot& p = x != a.end() && x->first == i ? (x++)->second : kUntouched;
    const StackSlot& q = y != b.end() && y->first == i ? (y++)->second : kUntouched;
    if (!f(i, p, q)) return false;
  }
  return true;
}

}  // namespace

template <typename Op>
void StackSlots::merge(const StackSlots& other, Op op) {
  if (entries_ == other.entries_) return;  // join, widen and narrow of a value with itself leave it
  std::vector<Entry> out;
  out.reserve(entries_->size() + other.entries_->size());
  zip(*entries_, *other.entries_, [&](int i, const StackSlot& a, const StackSlot& b) {
    StackSlot x = a;
    op(x, b);
    if (!x.untouched()) out.push_back({static_cast<uint8_t>(i), std::move(x)});
    return true;
  });
  replace(std::move(out));
}

void StackSlots::restore_unwritten(const StackSlots& before, uint64_t written) {
  if (entries_ == before.entries_) return;
  std::vector<Entry> out;
  zip(*entries_, *before.entries_, [&](int i, const StackSlot& now, const StackSlot& then) {
    const StackSlot& keep = (written >> i) & 1 ? now : then;
    if (!keep.untouched()) out.push_back({static_cast<uint8_t>(i), keep});
    return true;
  });
  replace(std::move(out));
}

void StackSlots::join_with(const StackSlots& other, int stack_region) {
  merge(other, [stack_region](StackSlot& x, const StackSlot& y) { join_slot(x, y, stack_region); });
}

void StackSlots::widen_with(const StackSlots& next, int stack_region, const LoopThresholds& thresholds) {
  merge(next, [&](StackSlot& x, const StackSlot& y) {
    x.spilled = widen(x.spilled, y.spilled, stack_region, thresholds);
    x.lengths.widen_with(y.lengths);
    if (!x.spilled.is_init()) x.forget_value();
    x.written &= y.written;
    x.pointer_bytes |= y.pointer_bytes;
  });
}

void StackSlots::narrow_with(const StackSlots& next) {
  merge(next, [](StackSlot& x, const StackSlot& y) {
    const bool same_kind = x.spilled.kind == y.spilled.kind;
    x.spilled = narrow(x.spilled, y.spilled);
    if (same_kind) x.lengths.narrow_with(y.lengths);
    if (!x.spilled.is_init()) x.forget_value();
  });
}

bool StackSlots::leq(const StackSlots& other, uint64_t only) const {
  if (entries_ == other.entries_) return true;
  return zip(*entries_, *other.entries_, [only](int i, const StackSlot& x, const StackSlot& y) {
    if (!((only >> i) & 1)) return true;
    if ((y.written & ~x.written) || (x.pointer_bytes & ~y.pointer_bytes) || !verifier::leq(x.spilled, y.spilled))
      return false;
    return !y.spilled.is_init() || x.lengths <= y.lengths;
  });
}

bool StackSlots::operator==(const StackSlots& other) const {
  if (entries_ == other.entries_) return true;
  return zip(*entries_, *other.entries_, [](int, const StackSlot& x, const StackSlot& y) { return x == y; });
}

// ---- states ----

void AbstractState::join_with(const AbstractState& other, int stack_region) {
  if (!other.reachable) return;
  if (!reachable) {
    *this = other;
    return;
  }
  for (size_t f = 0; f < frames.size(); ++f) {
    Frame& a = frames[f];
    const Frame& b = other.frames[f];
    for (size_t r = 0; r < a.regs.size(); ++r) a.regs[r] = join(a.regs[r], b.regs[r], stack_region);
    a.slots.join_with(b.slots, stack_region);
  }
  relations.join_with(other.relations);
}

void AbstractState::widen_with(const AbstractState& next, int stack_region, const LoopThresholds& thresholds) {
  if (!next.reachable) return;
  if (!reachable) {
    *this = next;
    return;
  }
  for (size_t f = 0; f < frames.size(); ++f) {
    Frame& a = frames[f];
    const Frame& b = next.frames[f];
    for (size_t r = 0; r < a.regs.size(); ++r) a.regs[r] = widen(a.regs[r], b.regs[r], stack_region, thresholds);
    a.slots.widen_with(b.slots, stack_region, thresholds);
  }
  relations.widen_with(next.relations);
}

void AbstractState::narrow_with(const AbstractState& next) {
  if (!reachable || !next.reachable) return;
  for (size_t f = 0; f < frames.size(); ++f) {
    Frame& a = frames[f];
    const Frame& b = next.frames[f];
    for (size_t r = 0; r < a.regs.size(); ++r) a.regs[r] = narrow(a.regs[r], b.regs[r]);
    a.slots.narrow_with(b.slots);
  }
  relations.narrow_with(next.relations);
}

bool AbstractState::leq(const AbstractState& other) const {
  std::array<uint64_t, kMaxFrames> every_slot;
  every_slot.fill(~uint64_t{0});
  return leq_at(other, every_slot);
}

bool AbstractState::leq_at(const AbstractState& other, const std::array<uint64_t, kMaxFrames>& caller_slots) const {
  if (!reachable) return true;
  if (!other.reachable) return false;
  for (size_t f = 0; f < frames.size(); ++f) {
    const Frame& a = frames[f];
    const Frame& b = other.frames[f];
    for (size_t r = 0; r < a.regs.size(); ++r)
      if (!verifier::leq(a.regs[r], b.regs[r])) return false;
    if (!a.slots.leq(b.slots, f + 1 < frames.size() ? caller_slots[f] : ~uint64_t{0})) return false;
  }
  return relations <= other.relations;
}

namespace {

std::string number(uint64_t v) {
  char buf[32];
  if (v <= 4096) std::snprintf(buf, sizeof buf, "%" PRIu64, v);
  else if (static_cast<int64_t>(v) < 0 && static_cast<int64_t>(v) >= -4096) std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(v));
  else std::snprintf(buf, sizeof buf, "%#" PRIx64, v);
  return buf;
}

std::string describe_scalar(const Scalar& s) {
  if (s.is_const()) return number(s.umin);
  if (s.is_top()) return "any";
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (s.non_negative() || s.smin == Scalar::kSMin) {
    if (s.umin != 0 || s.umax != Scalar::kUMax) add("[" + number(s.umin) + ", " + number(s.umax) + "]");
  } else {
    add("[" + std::to_string(s.smin) + ", " + std::to_string(s.smax) + "]");
  }
  if (s.bits.mask != Scalar::kUMax && !(s.bits == Tnum::range(s.umin, s.umax)))
    add("bits " + number(s.bits.value) + "/" + number(s.bits.mask));
  return out.empty() ? "any" : out;
}

}  // namespace

std::string describe_value(const Value& v, const RegionTable& regions) {
  switch (v.kind) {
    case Value::Kind::kUninit: return "uninitialised";
    case Value::Kind::kScalar: return "scalar " + describe_scalar(v.num);
    case Value::Kind::kPointer: {
      std::string out = "pointer to " + regions.names(v.regions);
      if (v.regions & (RegionIds{1} << regions.stack)) out += " (frame " + std::to_string(v.frame) + ")";
      out += v.num.is_const() ? (static_cast<int64_t>(v.num.umin) < 0 ? "" : "+") + number(v.num.umin)
                              : " + " + describe_scalar(v.num);
      if (v.maybe_null) out += " or null";
      return out;
    }
  }
  return "?";
}

std::string AbstractState::describe(const RegionTable& regions) const {
  if (!reachable) return "unreachable";
  std::string out;
  const Frame& f = top();
  for (int r = 0; r < 11; ++r) {
    if (!f.regs[static_cast<size_t>(r)].is_init()) continue;
    if (!out.empty()) out += "; ";
    out += "r" + std::to_string(r) + "=" + describe_value(f.regs[static_cast<size_t>(r)], regions);
  }
  for (const auto& [s, slot] : f.slots.entries()) {
    if (slot.written == 0) continue;
    out += "; fp-" + std::to_string((s + 1) * 8) + "=";
    out += slot.spilled.is_init() ? describe_value(slot.spilled, regions)
                                  : (slot.pointer_bytes ? "pointer bytes" : "data") +
                                        std::string(slot.written == 0xff ? "" : " (partly written)");
  }
  // Name the variables in use, and what their intervals already imply.
  using DB = DifferenceBounds;
  std::array<std::string, DB::kVariables> names;
  std::array<int64_t, DB::kVariables> lo, hi;
  lo.fill(INT64_MIN);
  hi.fill(INT64_MAX);
  for (int r = 0; r < 11; ++r) {
    const Value& v = f.regs[static_cast<size_t>(r)];
    if (!v.is_init()) continue;
    names[DB::reg(r)] = "r" + std::to_string(r);
    lo[DB::reg(r)] = v.num.smin;
    hi[DB::reg(r)] = v.num.smax;
  }
  for (const auto& r : regions.regions) {
    if (r.length_symbol < 0) continue;
    names[DB::length(r.length_symbol)] = std::string("len(") + region_name(r.kind) + ")";
    lo[DB::length(r.length_symbol)] = static_cast<int64_t>(r.length.min);
    hi[DB::length(r.length_symbol)] = static_cast<int64_t>(r.length.max);
  }
  std::array<std::array<int64_t, DB::kVariables>, DB::kVariables> implied;
  for (int y = 0; y < DB::kVariables; ++y)
    for (int x = 0; x < DB::kVariables; ++x) {
      int64_t d;
      implied[y][x] = __builtin_sub_overflow(hi[x], lo[y], &d) ? DB::kInfinity : d;
    }
  const std::string rel = relations.describe(names, implied);
  if (!rel.empty()) out += "; " + rel;
  if (frames.size() > 1) out += "; frame " + std::to_string(frames.size() - 1);
  return out;
}

}  // namespace sbpf::verifier
