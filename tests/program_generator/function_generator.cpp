// The function generator's machinery: blocks and the choice of fragments,
// registers (allocation, eviction, values by meaning), the stack, calls, and
// the small emitters fragments share.
#include "tests/program_generator/function_generator.h"

#include <algorithm>

namespace sbpf::testing::generator {

FunctionGenerator::FunctionGenerator(ProgramGenerator& program, const FrameState& entry, int index)
    : program_(program),
      c_(program.choices),
      code_(program.code),
      options_(program.options),
      index_(index),
      s_(entry) {
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (readable(r)) ever_written_ |= bit(r);
  // A callee's r1..r5 are whatever its caller left there, arguments or not.
  if (index >= 0) ever_written_ |= static_cast<uint16_t>(kCallerSaved & ~bit(0));
}

// `reserve` is left for callees; the entry function uses it itself when it
// made no calls.
void FunctionGenerator::generate(size_t budget, size_t reserve) {
  const size_t start = code_.size();
  if (index_ < 0) prologue();
  const size_t used = code_.size() - start;
  emit_block(budget > used ? budget - used : 0);
  if (reserve != 0 && program_.callees.empty()) emit_block(reserve);
  epilogue();
}

// clang's entry to a λ function: the context kept in a callee-saved register
// when the function calls, and the fields it uses loaded up front.
void FunctionGenerator::prologue() {
  if (c_.below(10) < 7) {
    const uint8_t r = static_cast<uint8_t>(c_.between(6, 9));
    emit(mov(r, 1));
    set(r, Value::pointer(Kind::kCtx));
  }
  const Want fields[] = {Want::kInput, Want::kSizeI, Want::kOutput, Want::kSizeOCap};
  for (Want w : fields) {
    if (c_.below(10) < 4) obtain(w);
  }
  busy_ = 0;
}

// r0 = a scalar (what the λ function returns: bytes written, or an error).
void FunctionGenerator::epilogue() {
  busy_ = 0;
  if (!(readable(0) && s_.regs[0].is_scalar() && c_.coin())) {
    auto r = c_.coin() ? any_scalar() : std::nullopt;
    if (r && *r != 0) {
      emit(mov(0, *r));
    } else {
      emit(mov_imm(0, static_cast<int32_t>(c_.between(-1, 64))));
    }
  }
  emit(exit_insn());
}

void FunctionGenerator::emit(const Instruction& insn) { code_.emit(insn); }

void FunctionGenerator::plant(Rule rule, std::string what) {
  program_.report.violations.push_back({code_.size(), rule, std::move(what)});
}

// ---------------------------------------------------------------------------
// Blocks

void FunctionGenerator::emit_block(size_t budget) {
  const size_t start = code_.size();
  unsigned failures = 0;
  while (code_.size() - start < budget && !c_.exhausted() && failures < 32) {
    const uint16_t outer_busy = busy_;
    const auto outer_reserved = reserved_;
    busy_ = 0;
    reserved_.reset();
    if (c_.below(5) == 0) end_live_ranges();
    const bool ok = emit_fragment(budget - (code_.size() - start));
    busy_ = outer_busy;
    reserved_ = outer_reserved;
    failures = ok ? 0 : failures + 1;
  }
}

FunctionGenerator::Reach FunctionGenerator::reach() const {
  Reach r{};
  r.ctx = can_obtain(Want::kCtx);
  r.input = r.ctx || can_obtain(Want::kInput);
  r.output = r.ctx || can_obtain(Want::kOutput);
  r.caller_buffer = std::any_of(s_.regs.begin(), s_.regs.end(), [](const Value& v) { return v.kind == Kind::kCallerBuffer; });
  return r;
}

unsigned FunctionGenerator::weight(Fragment f, size_t remaining, const Reach& reach) const {
  const bool loops = loop_depth_ < options_.max_loop_depth && nesting_ < 5 && remaining >= 12;
  const bool arms = nesting_ < 5 && remaining >= 6;
  const bool in = reach.input;
  const bool out = reach.output;
  switch (f) {
    case Fragment::kInputLoad:
    case Fragment::kInputIndexed:
    case Fragment::kWordLoop:
    case Fragment::kByteLoop:
    case Fragment::kPointerLoop:
    case Fragment::kRowLoop:
    case Fragment::kDataBoundLoop:
      if (!in) return 0;
      break;
    case Fragment::kOutputStore:
    case Fragment::kOutputLoad:
      if (!out) return 0;
      break;
    case Fragment::kCopyLoop:
      if (!in || !out) return 0;
      break;
    case Fragment::kCtxLoad:
      if (!reach.ctx) return 0;
      break;
    default: break;
  }
  switch (f) {
    case Fragment::kAlu: return 12;
    case Fragment::kConstant: return 3;
    case Fragment::kCtxLoad: return 3;
    case Fragment::kEarlyReturn: return 2;
    case Fragment::kInputLoad: return 8;
    case Fragment::kInputIndexed: return 5;
    case Fragment::kOutputStore: return 8;
    case Fragment::kOutputLoad: return 2;
    case Fragment::kSpill: return 4;
    case Fragment::kFill: return 4;
    case Fragment::kPartialStack: return 3;
    case Fragment::kStackArray: return 3;
    case Fragment::kCallerBuffer: return reach.caller_buffer ? 8 : 0;
    case Fragment::kAtomic: return options_.allow_atomics ? 2 : 0;
    case Fragment::kDiamond: return arms ? 7 : 0;
    case Fragment::kSelect: return 3;
    case Fragment::kWordLoop: return loops ? 5 : 0;
    case Fragment::kByteLoop: return loops ? 3 : 0;
    case Fragment::kPointerLoop: return loops ? 4 : 0;
    case Fragment::kCountedLoop: return loops ? 4 : 0;
    case Fragment::kRowLoop: return loops && loop_depth_ + 1 < options_.max_loop_depth ? 2 : 0;
    case Fragment::kCopyLoop: return loops ? 3 : 0;
    case Fragment::kDataBoundLoop: return loops && options_.allow_data_bound_loops ? 2 : 0;
    case Fragment::kLocalCall: return options_.allow_calls && options_.max_callees > 0 ? 3 : 0;
    case Fragment::kHelperCall: return options_.allow_helpers ? 5 : 0;
    case Fragment::kCount: break;
  }
  return 0;
}

bool FunctionGenerator::emit_fragment(size_t remaining) {
  if (c_.per_mille(options_.violations_per_mille)) return violation();
  if (options_.allow_endless_loops && loop_depth_ < options_.max_loop_depth && c_.per_mille(2))
    return endless_loop();
  std::array<unsigned, static_cast<size_t>(Fragment::kCount)> weights{};
  const Reach here = reach();
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = weight(static_cast<Fragment>(i), remaining, here);
  switch (static_cast<Fragment>(c_.weighted(weights))) {
    case Fragment::kAlu: return alu_chain();
    case Fragment::kConstant: return constant();
    case Fragment::kCtxLoad: return ctx_load();
    case Fragment::kEarlyReturn: return early_return();
    case Fragment::kInputLoad: return input_load();
    case Fragment::kInputIndexed: return input_indexed();
    case Fragment::kOutputStore: return output_store();
    case Fragment::kOutputLoad: return output_load();
    case Fragment::kSpill: return spill();
    case Fragment::kFill: return fill();
    case Fragment::kPartialStack: return partial_stack();
    case Fragment::kStackArray: return stack_array();
    case Fragment::kCallerBuffer: return caller_buffer();
    case Fragment::kAtomic: return atomic_update();
    case Fragment::kDiamond: return diamond(remaining);
    case Fragment::kSelect: return select();
    case Fragment::kWordLoop: return word_loop(remaining);
    case Fragment::kByteLoop: return byte_loop(remaining);
    case Fragment::kPointerLoop: return pointer_loop(remaining);
    case Fragment::kCountedLoop: return counted_loop(remaining);
    case Fragment::kRowLoop: return row_loop(remaining);
    case Fragment::kCopyLoop: return copy_loop(remaining);
    case Fragment::kDataBoundLoop: return data_bound_loop(remaining);
    case Fragment::kLocalCall: return local_call();
    case Fragment::kHelperCall: return helper_call_fragment();
    case Fragment::kCount: break;
  }
  return false;
}

// Budget for a body nested in a fragment that itself takes `overhead` slots.
// Bodies stay short so that every jump fits in 16 bits however large the
// program.
size_t FunctionGenerator::nested_budget(size_t remaining, size_t overhead) {
  const size_t room = remaining > overhead ? remaining - overhead : 0;
  const size_t cap = std::min<size_t>(room, 48 >> std::min(nesting_, 3u));
  return static_cast<size_t>(c_.between(0, static_cast<int64_t>(cap)));
}

// Locks everything readable now (see the top of the file) and returns the
// locks as they were. Taken at a loop's head.
Locks FunctionGenerator::lock_readable() {
  const Locks outer = locks_;
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (readable(r)) locks_.regs |= static_cast<uint16_t>(1u << r);
  for (int s = 0; s < kSlots; ++s)
    if (s_.slots[s].value.readable()) locks_.slots.set(s);
  return outer;
}

// Ends the live ranges of some values, as a compiler's liveness would: the
// generator forgets them (no code), so their registers and slots become free.
// Without this every register ends up holding something a loop must keep.
void FunctionGenerator::end_live_ranges() {
  bool kept_scalar = false;
  for (uint8_t r = 0; r < kRegisters; ++r) {
    const Value v = s_.regs[r];
    if (!v.readable() || !clobberable(r) || v.tag == Tag::kPinned) continue;
    bool forget = false;
    if (held_elsewhere(v, r)) forget = c_.below(4) != 0;
    else if (v.kind == Kind::kCtx) forget = false;
    else if (!worth_keeping(r)) forget = c_.below(3) == 0;
    else if (v.plain_scalar()) forget = kept_scalar ? c_.below(3) == 0 : (kept_scalar = true, false);
    else if (v.is_scalar() || v.kind == Kind::kStack) forget = c_.below(3) == 0;
    if (forget) set(r, Value::dead());
  }
  for (int s = 0; s < kSlots; ++s) {
    Slot& slot = s_.slots[s];
    if (!slot.value.readable() || locks_.slots[s] || slot.value.kind == Kind::kCtx) continue;
    if (c_.below(4) == 0) slot.value = Value::dead();
  }
}

// A loop's body. Besides what the head locked, `keep` are the registers the
// loop's own code reads after the body (set since the head); the loop's other
// temporaries are the body's to reuse.
void FunctionGenerator::nested_loop_body(size_t budget, uint16_t keep) {
  const Locks outer = locks_;
  locks_.regs |= keep;
  ++loop_depth_;
  ++nesting_;
  emit_block(budget);
  --nesting_;
  --loop_depth_;
  locks_ = outer;
}

// ---------------------------------------------------------------------------
// Registers

uint8_t FunctionGenerator::pick_register(uint16_t mask) {
  uint64_t k = c_.below(static_cast<uint64_t>(std::popcount(mask)));
  for (uint8_t r = 0; r < kRegisters; ++r) {
    if (!((mask >> r) & 1)) continue;
    if (k-- == 0) return r;
  }
  return 0;
}

// A register the fragment may define: a free one when there is one,
// otherwise one whose value is spilled first (or that can be loaded again).
std::optional<uint8_t> FunctionGenerator::fresh(bool prefer_callee_saved) {
  uint16_t free = 0, evictable = 0, last_ctx = 0;
  for (uint8_t r = 0; r < kRegisters; ++r) {
    if (!clobberable(r)) continue;
    if (s_.regs[r].kind == Kind::kCtx && !held_elsewhere(s_.regs[r], r)) last_ctx |= static_cast<uint16_t>(1u << r);
    else (readable(r) ? evictable : free) |= static_cast<uint16_t>(1u << r);
  }
  if (free == 0 && evictable == 0) evictable = last_ctx;  // spilled, at least
  uint16_t pool = free;
  if (prefer_callee_saved && (free & kCalleeSaved) && c_.below(10) < 8) pool = free & kCalleeSaved;
  if (pool == 0) {
    if (evictable == 0) return std::nullopt;
    pool = evictable;
  }
  const uint8_t r = pick_register(pool);
  if (readable(r)) evict(r);
  claim(r);
  ever_written_ |= bit(r);
  return r;
}

bool FunctionGenerator::held_elsewhere(const Value& v, uint8_t except) const {
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (r != except && s_.regs[r] == v) return true;
  for (const Slot& slot : s_.slots)
    if (slot.init == 0xff && slot.value == v) return true;
  return false;
}

bool FunctionGenerator::held_elsewhere_than_slot(const Value& v, int slot) const {
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (s_.regs[r] == v) return true;
  for (int s = 0; s < kSlots; ++s)
    if (s != slot && s_.slots[s].init == 0xff && s_.slots[s].value == v) return true;
  return false;
}

// Whether evicting `r` should spill it: not when it is a copy, or a context
// field the context can give again.
bool FunctionGenerator::worth_keeping(uint8_t r) const {
  const Value& v = s_.regs[r];
  if (!v.readable() || held_elsewhere(v, r)) return false;
  const bool from_ctx = v.kind == Kind::kInput || v.kind == Kind::kOutput || v.tag == Tag::kSizeI ||
                        v.tag == Tag::kSizeOCap;
  if (from_ctx && held_elsewhere(Value::pointer(Kind::kCtx), r)) return false;
  return true;
}

void FunctionGenerator::evict(uint8_t r) {
  if (worth_keeping(r)) {
    if (auto s = slot_for_spill()) spill_to(r, *s);
  }
  set(r, Value::dead());
}

bool FunctionGenerator::can_obtain(Want w) const {
  const Value v = value_of(w);
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (matches(s_.regs[r], w)) return true;
  if (held_elsewhere(v, 0xff)) return true;
  return w != Want::kCtx && can_obtain(Want::kCtx);
}

// A register holding `w`, claimed for the fragment: one that already does,
// else a fill from the stack, else a load from the context.
std::optional<uint8_t> FunctionGenerator::obtain(Want w) {
  uint16_t have = 0;
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (matches(s_.regs[r], w)) have |= static_cast<uint16_t>(1u << r);
  if (have != 0) {
    const uint8_t r = pick_register(have);
    claim(r);
    return r;
  }
  for (int s = 0; s < kSlots; ++s) {
    if (s_.slots[s].init != 0xff || !matches(s_.slots[s].value, w)) continue;
    auto r = fresh(true);
    if (!r) return std::nullopt;
    emit(load(8, *r, kFp, slot_offset(s)));
    set(*r, s_.slots[s].value);
    return r;
  }
  if (w == Want::kCtx) return std::nullopt;
  const uint16_t busy_before = busy_;
  auto ctx = obtain(Want::kCtx);
  if (!ctx) return std::nullopt;
  auto r = fresh(true);
  if (!r) return std::nullopt;
  emit(load(8, *r, *ctx, ctx_offset(w)));
  set(*r, value_of(w));
  if (!((busy_before >> *ctx) & 1)) busy_ &= static_cast<uint16_t>(~(1u << *ctx));
  return r;
}

// Puts `w` into `target` (an argument register), using `target` itself as
// the scratch register when the context has to come from the stack first.
bool FunctionGenerator::materialize(Want w, uint8_t target) {
  for (uint8_t r = 0; r < kRegisters; ++r) {
    if (!matches(s_.regs[r], w)) continue;
    if (r != target) emit(mov(target, r));
    set(target, value_of(w));
    return true;
  }
  for (int s = 0; s < kSlots; ++s) {
    if (s_.slots[s].init != 0xff || !matches(s_.slots[s].value, w)) continue;
    emit(load(8, target, kFp, slot_offset(s)));
    set(target, value_of(w));
    return true;
  }
  if (w == Want::kCtx || !materialize(Want::kCtx, target)) return false;
  emit(load(8, target, target, ctx_offset(w)));
  set(target, value_of(w));
  return true;
}

std::optional<uint8_t> FunctionGenerator::any_scalar(uint8_t except) {
  uint16_t mask = 0;
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (r != except && s_.regs[r].is_scalar()) mask |= static_cast<uint16_t>(1u << r);
  if (mask == 0) return std::nullopt;
  const uint8_t r = pick_register(mask);
  claim(r);
  return r;
}

// A plain scalar the fragment may update in place. Locked ones qualify: they
// stay scalars, which is all a loop relies on.
std::optional<uint8_t> FunctionGenerator::accumulator(uint8_t except) {
  uint16_t mask = 0;
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (r != except && !busy(r) && s_.regs[r].plain_scalar()) mask |= static_cast<uint16_t>(1u << r);
  if (mask == 0) return std::nullopt;
  // Accumulators live in callee-saved registers when they can.
  if ((mask & kCalleeSaved) && c_.coin()) mask &= kCalleeSaved;
  return pick_register(mask);
}

// A loop's accumulator: an existing one, or a new one set to 0 before the loop.
std::optional<uint8_t> FunctionGenerator::loop_accumulator() {
  if (c_.below(10) < 6) {
    if (auto acc = accumulator()) {
      claim(*acc);
      return acc;
    }
  }
  auto r = fresh(true);
  if (!r) return std::nullopt;
  emit(mov_imm(*r, c_.coin() ? 0 : random_imm()));
  set(*r, Value::scalar());
  return r;
}

std::optional<uint8_t> FunctionGenerator::find_kind(Kind kind) {
  uint16_t mask = 0;
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (s_.regs[r].kind == kind) mask |= static_cast<uint16_t>(1u << r);
  if (mask == 0) return std::nullopt;
  const uint8_t r = pick_register(mask);
  claim(r);
  return r;
}

// Folds a value just read into an accumulator: what a λ function computes
// depends on what it reads.
void FunctionGenerator::absorb(uint8_t value) {
  auto acc = accumulator(value);
  if (!acc) return;
  random_op_into(*acc, value);
}

// acc = acc OP v, with the operations reductions use; returns acc.
uint8_t FunctionGenerator::random_op_into(uint8_t acc, uint8_t v) {
  switch (c_.below(7)) {
    case 0: emit(alu(true, isa::kAluAdd, acc, reg_operand(v))); break;
    case 1: emit(alu(true, isa::kAluXor, acc, reg_operand(v))); break;
    case 2: emit(alu(true, isa::kAluOr, acc, reg_operand(v))); break;
    case 3: emit(alu(false, isa::kAluAdd, acc, reg_operand(v))); break;
    case 4:
      emit(alu(true, isa::kAluMul, acc, imm_operand(31)));
      emit(alu(true, isa::kAluAdd, acc, reg_operand(v)));
      break;
    default: {  // acc = max(acc, v), signed or unsigned, 64 or 32 bit
      const Label keep = code_.new_label();
      const uint8_t op = c_.pick({isa::kJmpJge, isa::kJmpJgt, isa::kJmpJsge, isa::kJmpJsgt});
      code_.jump(branch(c_.below(4) == 0, op, acc, reg_operand(v)), keep);
      emit(mov(acc, v));
      code_.bind(keep);
      break;
    }
  }
  set(acc, Value::scalar());
  return acc;
}

void FunctionGenerator::unpin(uint8_t r) {
  if (s_.regs[r].tag == Tag::kPinned) s_.regs[r].tag = Tag::kNone;
}

// ---------------------------------------------------------------------------
// Stack

// A slot a scalar store may go to. In a loop body, a slot initialised at
// the loop's head only takes scalars when it holds a full plain scalar.
bool FunctionGenerator::slot_takes_scalar(int s) const {
  if (reserved_[s] || last_ctx_slot(s)) return false;
  if (!locks_.slots[s]) return true;
  return s_.slots[s].value.plain_scalar() && s_.slots[s].init == 0xff;
}

// A slot a register may be spilled to: a free one by preference.
std::optional<int> FunctionGenerator::slot_for_spill() {
  std::vector<int> free, other;
  for (int s = 0; s < kSlots; ++s) {
    if (!slot_takes_pointer(s)) continue;
    (s_.slots[s].value.readable() ? other : free).push_back(s);
  }
  if (!free.empty()) return free[c_.below(free.size())];
  if (!other.empty()) return other[c_.below(other.size())];
  return std::nullopt;
}

// `count` adjacent slots a fragment may fill with scalars; returns the one at
// the lowest address (the highest index).
std::optional<int> FunctionGenerator::slot_run(int count) {
  std::vector<int> starts;
  for (int low = count - 1; low < kSlots; ++low) {
    bool ok = true;
    for (int s = low - count + 1; s <= low && ok; ++s) ok = slot_takes_scalar(s);
    if (ok) starts.push_back(low);
  }
  if (starts.empty()) return std::nullopt;
  const int low = starts[c_.below(starts.size())];
  for (int s = low - count + 1; s <= low; ++s) reserved_.set(s);
  return low;
}



// A scalar store of `bytes` at r10 + fp_offset (it may span slots).
void FunctionGenerator::note_scalar_store(int16_t fp_offset, unsigned bytes) {
  std::array<uint8_t, kSlots> written{};
  for (unsigned i = 0; i < bytes; ++i) {
    const StackByte b = stack_byte(fp_offset + static_cast<int>(i));
    written[b.slot] |= static_cast<uint8_t>(1u << b.byte);
  }
  for (int s = 0; s < kSlots; ++s) {
    if (written[s] == 0) continue;
    Slot& slot = s_.slots[s];
    if (written[s] == 0xff || slot.value.kind == Kind::kUninit) slot.value = Value::scalar();
    else if (slot.value.is_pointer()) slot.value = Value::dead();  // what is left of the pointer must not be read
    else if (slot.value.is_scalar()) slot.value.tag = Tag::kNone;
    slot.init |= written[s];
    slot_ever_written_.set(s);
  }
}

void FunctionGenerator::note_spill(int s, const Value& v) {
  s_.slots[s].value = v;
  s_.slots[s].init = 0xff;
  slot_ever_written_.set(s);
}

void FunctionGenerator::spill_to(uint8_t r, int s) {
  emit(store(8, kFp, slot_offset(s), reg_operand(r)));
  note_spill(s, s_.regs[r]);
}

// Whether the `bytes` at r10 + fp_offset are initialised scalar bytes.
bool FunctionGenerator::stack_bytes_readable(int16_t fp_offset, unsigned bytes) const {
  for (unsigned i = 0; i < bytes; ++i) {
    const int at = fp_offset + static_cast<int>(i);
    if (at < -512 || at > -1) return false;
    const StackByte b = stack_byte(at);
    const Slot& slot = s_.slots[b.slot];
    if (!slot.value.is_scalar() || !((slot.init >> b.byte) & 1)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Calls

// In a loop body, a value the loop keeps in r0..r5 is spilled before a call
// and filled back after it, so the loop finds it where it left it.
std::optional<FunctionGenerator::SavedAcrossCall> FunctionGenerator::save_locked_caller_saved() {
  SavedAcrossCall saved;
  for (uint8_t r = 0; r <= 5; ++r) {
    if (!locked(r)) continue;  // readable or not: a loop may keep a pointer it reads as "dead"
    std::optional<int> slot;
    for (int s = 0; s < kSlots && !slot; ++s)
      if (slot_takes_pointer(s) && !s_.slots[s].value.readable()) slot = s;
    if (!slot) return std::nullopt;
    spill_to(r, *slot);
    reserved_.set(*slot);
    saved.emplace_back(r, *slot);
  }
  return saved;
}

void FunctionGenerator::restore(const SavedAcrossCall& saved) {
  for (const auto& [r, slot] : saved) {
    emit(load(8, r, kFp, slot_offset(slot)));
    set(r, s_.slots[slot].value);
  }
}

// Values that must outlive a call move to callee-saved registers or the
// stack, as clang's register allocator would put them; the rest are given up.
void FunctionGenerator::evacuate_caller_saved() {
  for (uint8_t r = 0; r <= 5; ++r) {
    if (!readable(r) || locked(r)) continue;
    if (worth_keeping(r) && (s_.regs[r].is_pointer() || c_.below(10) < 7)) {
      uint16_t free = 0;
      for (uint8_t x = 6; x <= 9; ++x)
        if (clobberable(x) && !readable(x)) free |= static_cast<uint16_t>(1u << x);
      if (free != 0) {
        const uint8_t x = pick_register(free);
        emit(mov(x, r));
        set(x, s_.regs[r]);
      } else if (auto s = slot_for_spill()) {
        spill_to(r, *s);
      }
    }
    set(r, Value::dead());
  }
}

void FunctionGenerator::after_call(const Value& r0) {
  for (uint8_t r = 1; r <= 5; ++r) set(r, Value{});
  set(0, r0);
  busy_ &= static_cast<uint16_t>(~kCallerSaved);
}

// ---------------------------------------------------------------------------
// Small emitters

int32_t FunctionGenerator::random_imm() {
  switch (c_.below(7)) {
    case 0: return static_cast<int32_t>(c_.between(0, 16));
    case 1: return static_cast<int32_t>(1u << c_.below(31));
    case 2: return static_cast<int32_t>((uint32_t{1} << c_.between(1, 31)) - 1);
    case 3: return static_cast<int32_t>(-c_.between(1, 16));
    case 4: return static_cast<int32_t>(static_cast<uint32_t>(c_.below(uint64_t{1} << 32)));
    case 5: return static_cast<int32_t>(c_.between(32, 127));  // ASCII, as text-processing λs compare
    default: return static_cast<int32_t>(c_.between(0, 255));
  }
}

// One ALU operation on the plain scalar in `dst`: every operation, both
// widths, immediate and register operands, the cpu v4 forms.
void FunctionGenerator::emit_alu_op(uint8_t dst) {
  const bool is64 = c_.below(10) < 7;
  const unsigned width = is64 ? 64 : 32;
  auto source = [&]() -> Operand {
    if (c_.coin()) {
      if (auto r = any_scalar()) return reg_operand(*r);
    }
    return imm_operand(random_imm());
  };
  switch (c_.below(12)) {
    case 0:
    case 1: {
      const uint8_t op = c_.pick({isa::kAluAdd, isa::kAluSub, isa::kAluMul, isa::kAluOr, isa::kAluAnd,
                                  isa::kAluXor, isa::kAluMov});
      emit(alu(is64, op, dst, source()));
      break;
    }
    case 2: {  // shift by a constant; now and then by the width or more (the ISA masks it)
      const uint8_t op = c_.pick({isa::kAluLsh, isa::kAluRsh, isa::kAluArsh});
      const int32_t amount = c_.per_mille(30) ? static_cast<int32_t>(c_.between(width, 255))
                                              : static_cast<int32_t>(c_.below(width));
      emit(alu(is64, op, dst, imm_operand(amount)));
      break;
    }
    case 3: {  // shift by a register, masked first or not
      auto r = any_scalar(dst);
      if (!r) return emit_alu_op(dst);
      const uint8_t op = c_.pick({isa::kAluLsh, isa::kAluRsh, isa::kAluArsh});
      emit(alu(is64, op, dst, reg_operand(*r)));
      break;
    }
    case 4: {  // division and modulo, unsigned (offset 0) or signed (offset 1)
      const uint8_t op = c_.coin() ? isa::kAluDiv : isa::kAluMod;
      const int16_t is_signed = c_.below(4) == 0 ? 1 : 0;
      Operand divisor = source();
      if (!divisor.is_reg && divisor.imm == 0 && !c_.per_mille(100)) divisor.imm = 7;
      emit(alu(is64, op, dst, divisor, is_signed));
      break;
    }
    case 5: emit(alu(is64, isa::kAluNeg, dst, imm_operand(0))); break;
    case 6: {  // le/be (ALU class, the source bit picks) and bswap (ALU64)
      const int32_t bits = c_.pick({16, 32, 64});
      if (c_.coin()) emit(make(isa::kClassAlu64 | isa::kSourceK | isa::kAluEnd, dst, 0, 0, bits));
      else emit(make(isa::kClassAlu | (c_.coin() ? isa::kSourceX : isa::kSourceK) | isa::kAluEnd, dst, 0, 0, bits));
      break;
    }
    case 7: {  // movsx
      auto r = any_scalar();
      const uint8_t src = r ? *r : dst;
      const int16_t bits = is64 ? c_.pick({int16_t{8}, int16_t{16}, int16_t{32}}) : c_.pick({int16_t{8}, int16_t{16}});
      emit(alu(is64, isa::kAluMov, dst, reg_operand(src), bits));
      break;
    }
    case 8:  // a 64-bit constant operand
      if (auto t = fresh()) {
        code_.emit_lddw(*t, c_.below(UINT64_MAX));
        set(*t, Value::scalar());
        emit(alu(true, c_.pick({isa::kAluAdd, isa::kAluXor, isa::kAluAnd, isa::kAluMul}), dst, reg_operand(*t)));
      }
      break;
    default: {
      const uint8_t op = c_.pick({isa::kAluAdd, isa::kAluSub, isa::kAluXor, isa::kAluAnd, isa::kAluOr});
      emit(alu(is64, op, dst, source()));
      break;
    }
  }
  set(dst, Value::scalar());
}

// A conditional jump on the scalar in `lhs`: any of the eleven conditions,
// 64 or 32 bit, against an immediate or another scalar.
void FunctionGenerator::emit_branch(uint8_t lhs, Label target) {
  static constexpr uint8_t kConditions[] = {isa::kJmpJeq,  isa::kJmpJne,  isa::kJmpJgt,  isa::kJmpJge,
                                            isa::kJmpJlt,  isa::kJmpJle,  isa::kJmpJset, isa::kJmpJsgt,
                                            isa::kJmpJsge, isa::kJmpJslt, isa::kJmpJsle};
  const uint8_t op = c_.pick(kConditions);
  Operand rhs = imm_operand(random_imm());
  if (c_.below(3) == 0) {
    if (auto r = any_scalar(lhs)) rhs = reg_operand(*r);
  }
  code_.jump(branch(c_.below(4) == 0, op, lhs, rhs), target);
}

// `return value;` in the middle of a function.
void FunctionGenerator::emit_exit_with(int32_t value) {
  emit(mov_imm(0, value));
  emit(exit_insn());
}

}  // namespace sbpf::testing::generator
