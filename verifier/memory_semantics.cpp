// Loads, stores and atomics: where a pointer may point, whether the access
// is proven in bounds or needs a guard, and what the stack and the context
// hold. The stack and the context are never guarded: a run-time check sees
// only their regions, not the frame a pointer belongs to or a field's
// permission, so every access to them must be proven.
#include <algorithm>

#include "verifier/analyzer.h"
#include "verifier/relative_range.h"

namespace sbpf::verifier {

namespace {

using isa::Instruction;
using DB = DifferenceBounds;

std::string signed_text(int64_t v) { return (v < 0 ? "" : "+") + std::to_string(v); }

// The largest power of two known to divide every value of `s` (up to 2^32).
uint64_t known_alignment(const Scalar& s) {
  const uint64_t unknown_or_set = s.bits.mask | s.bits.value;
  if (unknown_or_set == 0) return uint64_t{1} << 32;
  return std::min<uint64_t>(uint64_t{1} << std::countr_zero(unknown_or_set), uint64_t{1} << 32);
}

int64_t floor_to_multiple(int64_t c, int64_t a) {
  int64_t q = c / a;
  if (c % a != 0 && c < 0) --q;
  return q * a;
}

Scalar loaded_scalar(unsigned size, bool sign_extend) {
  const uint64_t max = size == 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1;
  if (!sign_extend) return Scalar::unsigned_range(0, max);
  const int64_t half = static_cast<int64_t>(uint64_t{1} << (size * 8 - 1));
  return Scalar::signed_range(-half, half - 1);
}

}  // namespace

void Analyzer::record_access(size_t pc, const AccessResult& r, unsigned size) {
  if (!checking_) return;
  AccessAnnotation& a = result_.annotations.access[pc];
  const AccessCheck check = r.proven ? AccessCheck::kProven : AccessCheck::kGuarded;
  if (!r.proven) slot_guard_[pc] |= r.slot_access ? 1 : 2;
  const RegionSet kinds = static_cast<RegionSet>(regions_.kinds(r.regions) | (r.slot_access ? kPointerSlotAccess : 0));
  if (!access_seen_[pc]) {
    a = {check, kinds, static_cast<uint8_t>(size), r.relative};
    access_seen_[pc] = true;
  } else {
    if (check == AccessCheck::kGuarded) a.check = AccessCheck::kGuarded;
    a.regions |= kinds;
    a.relative = join(a.relative, r.relative);  // it must hold in every context
  }
}

Analyzer::AccessResult Analyzer::check_access(size_t pc, const AbstractState& s, int base, const Value& ptr,
                                              int64_t offset, uint64_t size_max, Access access, const char* what) {
  AccessResult out;
  const std::string reg = "r" + std::to_string(base);
  if (!ptr.is_pointer()) {
    error(pc, Rule::kScalarDereference,
          std::string(what) + " through " + reg + ", which is a " + describe_value(ptr, regions_) + ", not a pointer");
    return out;
  }
  if (ptr.maybe_null) {
    error(pc, Rule::kScalarDereference,
          std::string(what) + " through " + reg + ", which may be null: compare it with 0 first");
    return out;
  }
  // The stack's and the context's contents are tracked per slot and per
  // field, so a pointer into either must point into that region alone.
  const RegionIds fixed = regions_.stack_id() | regions_.ctx_id();
  if ((ptr.regions & fixed) != 0 && ptr.regions != regions_.stack_id() && ptr.regions != regions_.ctx_id()) {
    error(pc, Rule::kOutOfBounds, std::string(what) + " through " + reg + ", which may point into " +
                                      regions_.names(ptr.regions) +
                                      ": the stack and the context need a fixed region");
    return out;
  }
  out.ok = true;
  out.proven = true;
  out.regions = ptr.regions;
  bool always_out = true;
  const Scalar& o = ptr.num;
  // The accessed bytes' extremes, in 128 bits so no sum wraps.
  const __int128 first = static_cast<__int128>(o.smin) + offset;
  const __int128 last_end = static_cast<__int128>(o.smax) + offset + static_cast<__int128>(size_max);
  for (size_t id = 0; id < regions_.regions.size(); ++id) {
    if (!(ptr.regions & (RegionIds{1} << id))) continue;
    const AnalysisRegion& r = regions_.regions[id];
    if (access == Access::kWrite && !r.writable) {
      error(pc, Rule::kReadOnly,
            std::string(what) + " through " + reg + " writes into " + region_name(r.kind) + ", which is read-only");
      out.ok = false;
      return out;
    }
    const bool stack = static_cast<int>(id) == regions_.stack;
    const __int128 lo = stack ? -kFrameBytes : 0;
    bool in = first >= lo;
    bool never = static_cast<__int128>(o.smax) + offset < lo;
    if (stack) {
      in = in && last_end <= 0;
      never = never || static_cast<__int128>(o.smin) + offset >= 0;
    } else if (r.length.min == r.length.max || last_end <= static_cast<__int128>(r.length.min)) {
      in = in && last_end <= static_cast<__int128>(r.length.min);
      never = never || static_cast<__int128>(o.smin) + offset + 1 > static_cast<__int128>(r.length.max);
    } else if (r.length_symbol >= 0) {
      // Relational: offset - length <= c, tightened because both are
      // multiples of a common power of two.
      int64_t c = s.relations.upper(DB::reg(base), DB::length(r.length_symbol));
      if (c != DB::kInfinity) {
        const int64_t a = static_cast<int64_t>(std::min(known_alignment(o), r.length.alignment));
        if (a > 1) c = floor_to_multiple(c, a);
        in = in && static_cast<__int128>(c) + offset + static_cast<__int128>(size_max) <= 0;
      } else {
        in = false;
      }
      never = never || static_cast<__int128>(o.smin) + offset + 1 > static_cast<__int128>(r.length.max);
    } else {
      in = false;
    }
    always_out = always_out && never;
    if (in) continue;
    out.proven = false;
    if (stack || static_cast<int>(id) == regions_.ctx) {
      // Offsets shown as signed 64-bit values; the 128-bit sums may exceed them.
      auto shown = [](__int128 v) { return signed_text(static_cast<int64_t>(std::clamp<__int128>(v, INT64_MIN, INT64_MAX))); };
      const std::string range = o.is_const() ? shown(first) : "[" + shown(first) + ", " + shown(last_end - 1) + "]";
      error(pc, Rule::kOutOfBounds,
            std::string(what) + " of " + std::to_string(size_max) + " bytes at " + region_name(r.kind) + range +
                (stack ? " is outside the 512-byte stack frame" : " is outside the context (" +
                                                                      std::to_string(r.length.max) + " bytes)") +
                (o.is_const() ? "" : "; " + reg + " is " + describe_value(ptr, regions_)));
      out.ok = false;
      return out;
    }
  }
  if (always_out) {
    error(pc, Rule::kOutOfBounds,
          std::string(what) + " of " + std::to_string(size_max) + " bytes at " + reg + signed_text(offset) +
              " is out of bounds on every path: " + reg + " is " + describe_value(ptr, regions_));
    out.ok = false;
  }
  if (checking_) {
    const isa::FunctionGraph& g = graph_.functions[contexts_[static_cast<size_t>(current_context_)].function];
    const int loop = g.innermost_loop[g.block_of(pc)];
    const uint16_t loop_writes = loop >= 0 ? g.loops[static_cast<size_t>(loop)].registers_written : uint16_t{0xffff};
    out.relative = relative_range(s, base, offset, loop_writes, regions_.stack);
  }
  return out;
}

// ---- global data's address slots (data_pointers.h) ----

Analyzer::SlotTouch Analyzer::data_slots(const Value& ptr, int64_t offset, unsigned size) const {
  SlotTouch t;
  const Scalar& o = ptr.num;
  // Where the access may start, from each region's start, in 128 bits.
  const __int128 first = static_cast<__int128>(o.smin) + offset;
  const __int128 last = static_cast<__int128>(o.smax) + offset;
  bool plain_region = false;  // a region without slots: not every access is a slot
  for (size_t id = 0; id < regions_.regions.size(); ++id) {
    if (!(ptr.regions & (RegionIds{1} << id))) continue;
    const int section = regions_.regions[id].section;
    if (section < 0 || program_.sections[static_cast<size_t>(section)].pointers.empty()) {
      plain_region = true;
      continue;
    }
    const auto& pointers = program_.sections[static_cast<size_t>(section)].pointers;
    // Slots are sorted: skip those that end before the first start.
    const auto from = std::lower_bound(pointers.begin(), pointers.end(), first - 7,
                                       [](const isa::DataPointer& p, __int128 v) { return static_cast<__int128>(p.at) < v; });
    for (auto i = static_cast<size_t>(from - pointers.begin()); i < pointers.size(); ++i) {
      const __int128 at = static_cast<__int128>(pointers[i].at);
      // Starts in [at - size + 1, at + 7] meet the slot.
      if (at - static_cast<__int128>(size) + 1 > last) break;
      const __int128 lo = std::max<__int128>(at - size + 1 - offset, o.smin);
      const __int128 hi = std::min<__int128>(at + 7 - offset, o.smax);
      if (lo > hi || !meet(o, Scalar::signed_range(static_cast<int64_t>(lo), static_cast<int64_t>(hi)))) continue;
      t.any = true;
      t.slots.emplace_back(static_cast<size_t>(section), i);
      if (size == 8 && o.contains(static_cast<uint64_t>(static_cast<int64_t>(at - offset))))
        t.starts.emplace_back(static_cast<size_t>(section), i);
    }
  }
  if (!t.any) return t;
  const bool one_region = (ptr.regions & (ptr.regions - 1)) == 0;
  t.exact = one_region && o.is_const();
  if (size != 8 || plain_region) return t;
  // Whole: every start the offset allows is a slot's. The starts are
  // multiples of the offset's known alignment; more of them than slots
  // cannot all be slots.
  const auto align = static_cast<__int128>(known_alignment(o));
  const __int128 count = (last - first) / align + 1;
  if (count > static_cast<__int128>(t.slots.size()) * 4 + 4) return t;
  for (size_t id = 0; id < regions_.regions.size(); ++id) {
    if (!(ptr.regions & (RegionIds{1} << id))) continue;
    const auto& section = program_.sections[static_cast<size_t>(regions_.regions[id].section)];
    __int128 v = static_cast<__int128>(o.smin);
    if (const __int128 rem = v % align; rem != 0) v += rem < 0 ? -rem : align - rem;
    for (; v <= static_cast<__int128>(o.smax); v += align) {
      if (!o.contains(static_cast<uint64_t>(static_cast<int64_t>(v)))) continue;
      const __int128 at = v + offset;
      const isa::DataPointer* slot = at >= 0 && at < static_cast<__int128>(section.bytes.size())
                                         ? section.pointer_at(static_cast<uint64_t>(at))
                                         : nullptr;
      if (slot == nullptr || static_cast<__int128>(slot->at) != at) return t;
    }
  }
  t.whole = true;
  return t;
}

void Analyzer::guard_off_slots(size_t pc, AccessResult& r) {
  r.proven = false;
  if (checking_) off_slots_[pc] = true;
}

bool Analyzer::guard_to_slot(size_t, AccessResult& r, const SlotTouch& t, unsigned size) {
  // Proven in bounds, the address is one the offset allows, so a slot it
  // finds is one of t.starts (a guard sees kinds, not sections: unproven,
  // it might find another's).
  if (size != 8 || !r.proven || t.starts.empty()) return false;
  r.proven = false;
  r.slot_access = true;
  return true;
}

// ---- the stack ----

namespace {

// Slot index and byte of the stack byte at `offset` (negative) from a frame's top.
std::pair<int, int> slot_of(int64_t offset) {
  const int slot = static_cast<int>((-offset - 1) / 8);
  return {slot, static_cast<int>(offset + (slot + 1) * 8)};
}

}  // namespace

void Analyzer::note_caller_slots(const AbstractState& s, uint8_t frame, int64_t lo, int64_t hi, Access access) {
  if (static_cast<size_t>(frame) + 1 >= s.frames.size() || lo >= hi) return;
  Context& c = contexts_[static_cast<size_t>(current_context_)];
  uint64_t& mask = access == Access::kRead ? c.caller_reads[frame] : c.caller_writes[frame];
  for (int64_t b = lo; b < hi; b += 8) mask |= uint64_t{1} << slot_of(b).first;
  mask |= uint64_t{1} << slot_of(hi - 1).first;
}

bool Analyzer::check_stack_readable(size_t pc, const AbstractState& s, const Value& ptr, int64_t offset,
                                    uint64_t size_max, const char* what) {
  const Frame& f = s.frames[ptr.frame];
  const int64_t lo = ptr.num.smin + offset;
  const int64_t hi = ptr.num.smax + offset + static_cast<int64_t>(size_max);  // exclusive
  note_caller_slots(s, ptr.frame, lo, hi, Access::kRead);
  for (int64_t b = lo; b < hi; ++b) {
    auto [slot, byte] = slot_of(b);
    const StackSlot& st = f.slots.get(slot);
    if (st.pointer_bytes & (1u << byte)) {
      error(pc, Rule::kPointerLeak,
            std::string(what) + " reads byte fp" + std::to_string(b) +
                ", part of a spilled pointer, as data; only an 8-byte load of the whole slot restores a pointer");
      return false;
    }
    if (!(st.written & (1u << byte))) {
      error(pc, Rule::kUninitialized,
            std::string(what) + " reads stack byte fp" + std::to_string(b) + " before it is written");
      return false;
    }
  }
  return true;
}

Value Analyzer::read_stack(size_t pc, AbstractState& s, const Value& ptr, int64_t offset, unsigned size,
                           bool sign_extend, LengthBounds* lengths) {
  const Frame& f = s.frames[ptr.frame];
  if (ptr.num.is_const()) {
    const int64_t at = static_cast<int64_t>(ptr.num.umin) + offset;
    auto [slot, byte] = slot_of(at);
    const StackSlot& st = f.slots.get(slot);
    note_caller_slots(s, ptr.frame, at, at + size, Access::kRead);
    if (size == 8 && byte == 0 && st.spilled.is_init()) {  // a fill
      if (lengths) *lengths = st.lengths;
      return st.spilled;
    }
    if (!check_stack_readable(pc, s, ptr, offset, size, "load")) return Value::scalar(Scalar::top());
    // A narrow read of the low bytes of a spilled scalar.
    if (byte == 0 && st.spilled.is_scalar() && !sign_extend) {
      switch (size) {
        case 1: return Value::scalar(Scalar::zero_extend(st.spilled.num.truncate<uint8_t>()));
        case 2: return Value::scalar(Scalar::zero_extend(st.spilled.num.truncate<uint16_t>()));
        case 4: return Value::scalar(Scalar::zero_extend(st.spilled.num.truncate<uint32_t>()));
      }
    }
    return Value::scalar(loaded_scalar(size, sign_extend));
  }
  if (!check_stack_readable(pc, s, ptr, offset, size, "load")) return Value::scalar(Scalar::top());
  return Value::scalar(loaded_scalar(size, sign_extend));
}

void Analyzer::write_stack(size_t pc, AbstractState& s, const Value& ptr, int64_t offset, uint64_t size_max,
                           const Value* value, bool exact, const LengthBounds& lengths) {
  Frame& f = s.frames[ptr.frame];
  // A write into a caller's frame: that caller keeps its own view of every
  // other slot of it when the call returns.
  note_caller_slots(s, ptr.frame, ptr.num.smin + offset, ptr.num.smax + offset + static_cast<int64_t>(size_max),
                    Access::kWrite);
  if (value && value->is_pointer()) {
    const int64_t at = static_cast<int64_t>(ptr.num.umin) + offset;
    if (!ptr.num.is_const() || size_max != 8 || (at & 7) != 0) {
      error(pc, Rule::kPointerLeak,
            "store of pointer " + describe_value(*value, regions_) +
                " must be an 8-byte store to a fixed, 8-byte-aligned stack slot (anything else splits the address)");
      return;
    }
    StackSlot& st = f.slots.set(slot_of(at).first);
    st.spill(*value, lengths);
    st.written = 0xff;
    st.pointer_bytes = 0xff;
    return;
  }
  if (exact && ptr.num.is_const()) {
    const int64_t at = static_cast<int64_t>(ptr.num.umin) + offset;
    auto [slot, byte] = slot_of(at);
    if (size_max == 8 && byte == 0 && value) {
      StackSlot& st = f.slots.set(slot);
      st.spill(*value, lengths);
      st.written = 0xff;
      st.pointer_bytes = 0;
      return;
    }
    for (int64_t b = at; b < at + static_cast<int64_t>(size_max); ++b) {
      auto [sl, by] = slot_of(b);
      StackSlot& st = f.slots.set(sl);
      st.forget_value();
      st.written |= static_cast<uint8_t>(1u << by);
      st.pointer_bytes &= static_cast<uint8_t>(~(1u << by));
    }
    return;
  }
  // Some bytes in the range are written, which ones is not known: what
  // was there is no longer a known value, and nothing becomes initialised.
  const int64_t lo = ptr.num.smin + offset;
  const int64_t hi = ptr.num.smax + offset + static_cast<int64_t>(size_max);
  for (int64_t b = lo; b < hi; ++b) f.slots.forget_value(slot_of(b).first);
}

// ---- the context ----

Value Analyzer::read_ctx(size_t pc, const Value& ptr, int64_t offset, unsigned size) {
  const int64_t lo = ptr.num.smin + offset;
  const int64_t hi = ptr.num.smax + offset + size;
  for (const CtxField& f : type_.ctx_fields) {
    const int64_t fs = f.offset, fe = f.offset + f.size;
    if (hi <= fs || lo >= fe) continue;
    const bool whole = ptr.num.is_const() && lo == fs && size == f.size;
    if (f.kind == CtxField::Kind::kPointer) {
      if (!whole) {
        error(pc, Rule::kPointerLeak, "load of " + std::to_string(size) + " bytes at ctx" + signed_text(lo) +
                                          " reads part of pointer field `" + f.name + "` as a number");
        return Value::scalar(Scalar::top());
      }
      const int id = regions_.find(f.region);
      if (id < 0) return Value::scalar(Scalar::top());
      return Value::pointer(RegionIds{1} << id, Scalar::constant(0));
    }
    if (f.kind == CtxField::Kind::kRegionLength && whole) {
      const int id = regions_.find(f.region);
      if (id < 0) break;
      const AnalysisRegion& r = regions_.regions[static_cast<size_t>(id)];
      // The region spans the field rounded up to its alignment.
      return Value::scalar(Scalar::unsigned_range(r.length.min > r.length.alignment - 1 ? r.length.min - (r.length.alignment - 1) : 0,
                                                  r.length.max));
    }
  }
  return Value::scalar(loaded_scalar(size, false));
}

bool Analyzer::check_ctx_write(size_t pc, const Value& ptr, int64_t offset, unsigned size) {
  const int64_t lo = ptr.num.smin + offset;
  const int64_t hi = ptr.num.smax + offset + size;
  for (int64_t b = lo; b < hi; ++b) {
    const CtxField* field = nullptr;
    for (const CtxField& f : type_.ctx_fields)
      if (b >= f.offset && b < f.offset + f.size) field = &f;
    if (field == nullptr || !field->writable) {
      error(pc, Rule::kReadOnly,
            "store of " + std::to_string(size) + " bytes at ctx" + signed_text(lo) + " writes " +
                (field ? "field `" + field->name + "`, which is read-only" : "padding of the context, which is read-only"));
      return false;
    }
  }
  return true;
}

// ---- instructions ----

void Analyzer::load(size_t pc, AbstractState& s) {
  const Instruction& insn = program_.insns[pc];
  const unsigned size = insn.access_bytes();
  const bool sx = insn.mode() == isa::kModeMemSx;
  const Value ptr = use(pc, s, insn.src);
  AccessResult r = check_access(pc, s, insn.src, ptr, insn.offset, size, Access::kRead, "load");
  Value loaded = Value::scalar(loaded_scalar(size, sx));
  if (r.ok) {
    if (const SlotTouch t = data_slots(ptr, insn.offset, size); t.any) {
      if (t.whole) {
        // The address (or null) a slot holds, as a pointer: in any run, the
        // slot holds a value of its type.
        loaded = data_pointers_[t.slots.front().first][t.slots.front().second];
        for (const auto& [section, slot] : t.slots)
          loaded = join_data_pointer(loaded, data_pointers_[section][slot], regions_.stack);
      } else if (t.exact) {
        error(pc, Rule::kPointerLeak,
              "load of " + std::to_string(size) + " bytes through r" + std::to_string(insn.src) +
                  " reads part of the address held at " +
                  data_slot_name(program_, t.slots.front().first, t.slots.front().second) +
                  "; only an 8-byte load of the whole slot reads a pointer");
        set_value(s, insn.dst, loaded);
        return;
      } else if (guard_to_slot(pc, r, t, size)) {
        loaded = data_pointers_[t.starts.front().first][t.starts.front().second];
        for (const auto& [section, slot] : t.starts)
          loaded = join_data_pointer(loaded, data_pointers_[section][slot], regions_.stack);
      } else {
        guard_off_slots(pc, r);
      }
    }
    record_access(pc, r, size);
    if (ptr.regions == regions_.stack_id()) {
      LengthBounds lengths;
      loaded = read_stack(pc, s, ptr, insn.offset, size, sx, &lengths);
      set_value(s, insn.dst, loaded);
      if (!s.relations.restore(DB::reg(insn.dst), lengths)) s.reachable = false;
      return;
    } else if (ptr.regions == regions_.ctx_id()) {
      loaded = read_ctx(pc, ptr, insn.offset, size);
      if (sx) loaded = Value::scalar(loaded_scalar(size, true));
      // A length field is related to its region's length.
      const int64_t at = static_cast<int64_t>(ptr.num.umin) + insn.offset;
      if (ptr.num.is_const() && size == 8)
        if (const CtxField* f = type_.field_at(static_cast<uint32_t>(at)); f && f->kind == CtxField::Kind::kRegionLength) {
          set_value(s, insn.dst, loaded);
          const int id = regions_.find(f->region);
          const AnalysisRegion& reg = regions_.regions[static_cast<size_t>(id)];
          if (reg.length_symbol >= 0) {
            const int len = DB::length(reg.length_symbol);
            s.relations.add(DB::reg(insn.dst), len, 0);
            s.relations.add(len, DB::reg(insn.dst), static_cast<int64_t>(reg.length.alignment) - 1);
          }
          return;
        }
    }
  }
  set_value(s, insn.dst, loaded);
}

void Analyzer::store(size_t pc, AbstractState& s) {
  const Instruction& insn = program_.insns[pc];
  const unsigned size = insn.access_bytes();
  const Value ptr = use(pc, s, insn.dst);
  Value value = insn.cls() == isa::kClassStx ? use(pc, s, insn.src)
                                             : Value::constant(static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  AccessResult r = check_access(pc, s, insn.dst, ptr, insn.offset, size, Access::kWrite, "store");
  if (!r.ok) return;
  if (const SlotTouch t = data_slots(ptr, insn.offset, size); t.any) {
    const std::string slot = data_slot_name(program_, t.slots.front().first, t.slots.front().second);
    const bool to_slot = !t.whole && !t.exact && storable_in_data(value, regions_) && guard_to_slot(pc, r, t, size);
    if (t.whole || to_slot) {
      if (!storable_in_data(value, regions_)) {
        error(pc, Rule::kPointerLeak,
              "store of " + describe_value(value, regions_) + " into " + slot +
                  ", which holds an address: only a pointer into global data, or 0, may be kept there");
        return;
      }
      record_access(pc, r, size);
      if (checking_)
        for (const auto& [section, index] : to_slot ? t.starts : t.slots) {
          std::optional<Value>& stored = data_pointer_stores_[section][index];
          stored = stored ? join_data_pointer(*stored, value, regions_.stack) : value;
        }
      return;
    }
    if (t.exact) {
      error(pc, Rule::kPointerLeak,
            "store of " + std::to_string(size) + " bytes through r" + std::to_string(insn.dst) +
                " overwrites part of the address held at " + slot + "; only an 8-byte store of the whole slot may");
      return;
    }
    guard_off_slots(pc, r);
  }
  record_access(pc, r, size);
  if (ptr.regions == regions_.stack_id()) {
    if (size < 8 && value.is_scalar()) value = Value::scalar(Scalar::top());
    const bool spill = insn.cls() == isa::kClassStx && size == 8;
    write_stack(pc, s, ptr, insn.offset, size, &value, true,
                spill ? s.relations.length_bounds(DB::reg(insn.src)) : LengthBounds{});
    return;
  }
  if (value.is_pointer()) {
    error(pc, Rule::kPointerLeak,
          "store of pointer r" + std::to_string(insn.src) + " into " + regions_.names(ptr.regions) +
              "; the caller would read a host address (pointers may only be spilled to the stack)");
    return;
  }
  if (ptr.regions == regions_.ctx_id()) check_ctx_write(pc, ptr, insn.offset, size);
}

void Analyzer::atomic(size_t pc, AbstractState& s) {
  const Instruction& insn = program_.insns[pc];
  const unsigned size = insn.access_bytes();
  const Value ptr = use(pc, s, insn.dst);
  const Value value = use(pc, s, insn.src);
  if (value.is_pointer()) {
    error(pc, Rule::kPointerLeak, "atomic operation with pointer r" + std::to_string(insn.src) + " as its operand");
    return;
  }
  const bool cmpxchg = insn.imm == isa::kAtomicCmpxchg;
  if (cmpxchg) {
    const Value expected = use(pc, s, 0);
    if (expected.is_pointer()) error(pc, Rule::kPointerLeak, "cmpxchg compares memory with pointer r0");
  }
  AccessResult r = check_access(pc, s, insn.dst, ptr, insn.offset, size, Access::kWrite, "atomic");
  if (!r.ok) return;
  if (const SlotTouch t = data_slots(ptr, insn.offset, size); t.any) {
    if (t.exact || t.whole) {
      error(pc, Rule::kPointerLeak,
            "atomic operation on the address held at " +
                data_slot_name(program_, t.slots.front().first, t.slots.front().second));
      return;
    }
    guard_off_slots(pc, r);
  }
  record_access(pc, r, size);
  if (ptr.regions == regions_.stack_id()) {
    if (!check_stack_readable(pc, s, ptr, insn.offset, size, "atomic")) return;
    const Value unknown = Value::scalar(Scalar::top());
    write_stack(pc, s, ptr, insn.offset, size, size == 8 ? &unknown : nullptr, true);
  } else if (ptr.regions == regions_.ctx_id()) {
    check_ctx_write(pc, ptr, insn.offset, size);
  }
  const Scalar old = loaded_scalar(size, false);
  if (cmpxchg) set_scalar(s, 0, old);
  else if (insn.imm & isa::kAtomicFetch) set_scalar(s, insn.src, old);
}

void Analyzer::lddw(size_t pc, AbstractState& s) {
  const Instruction& insn = program_.insns[pc];
  switch (insn.src) {
    case isa::kLddwImm64: set_scalar(s, insn.dst, Scalar::constant(program_.lddw_value_at(pc))); return;
    case isa::kLddwMapValue: {
      const size_t section = static_cast<uint32_t>(insn.imm);
      const int id = section < regions_.section_region.size() ? regions_.section_region[section] : -1;
      if (id < 0) {
        error(pc, Rule::kMalformed, "lddw refers to data section " + std::to_string(section) +
                                        ", beyond the 32 regions the verifier tracks");
        set_scalar(s, insn.dst, Scalar::top());
        return;
      }
      const uint64_t off = static_cast<uint32_t>(program_.insns[pc + 1].imm);
      set_value(s, insn.dst, Value::pointer(RegionIds{1} << id, Scalar::constant(off)));
      return;
    }
    default:
      error(pc, Rule::kMalformed, "lddw form " + std::to_string(insn.src) +
                                      " (maps, kernel variables, code addresses) needs a kernel; sbpf supports "
                                      "constants and global data");
      set_scalar(s, insn.dst, Scalar::top());
  }
}

}  // namespace sbpf::verifier
