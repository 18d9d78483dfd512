// Fragments without loops or calls: scalar arithmetic, the context, loads
// and stores to the input, the output and the stack, if/else and selects.
#include "tests/program_generator/function_generator.h"

#include <algorithm>

namespace sbpf::testing::generator {

// ---------------------------------------------------------------------------
// Fragments: scalars

bool FunctionGenerator::alu_chain() {
  auto dst = c_.coin() ? accumulator() : std::nullopt;
  if (!dst) {
    dst = fresh();
    if (!dst) return false;
    if (auto src = c_.coin() ? any_scalar(*dst) : std::nullopt) emit(mov(*dst, *src));
    else emit(alu(c_.below(4) != 0, isa::kAluMov, *dst, imm_operand(random_imm())));
    set(*dst, Value::scalar());
  }
  claim(*dst);
  const int64_t n = c_.between(1, 4);
  for (int64_t i = 0; i < n; ++i) emit_alu_op(*dst);
  return true;
}

bool FunctionGenerator::constant() {
  auto r = fresh();
  if (!r) return false;
  switch (c_.below(3)) {
    case 0: emit(mov_imm(*r, random_imm())); break;
    case 1: emit(alu(false, isa::kAluMov, *r, imm_operand(random_imm()))); break;
    default: code_.emit_lddw(*r, c_.below(UINT64_MAX)); break;
  }
  set(*r, Value::scalar());
  return true;
}

bool FunctionGenerator::ctx_load() {
  const Want w = c_.pick({Want::kInput, Want::kOutput, Want::kSizeI, Want::kSizeOCap});
  auto ctx = obtain(Want::kCtx);
  if (!ctx) return false;
  auto r = fresh(true);
  if (!r) return false;
  emit(load(8, *r, *ctx, ctx_offset(w)));
  set(*r, value_of(w));
  return true;
}

// if (size < N) return -1; or if (x == K) return, K a large random number.
// Both keep the code after them live: after `if (size_i < 3995) return`, a
// random `if (size_i > 15) return` would leave everything after it dead, and
// so would a random test on a number the analysis knows is constant.
bool FunctionGenerator::early_return() {
  std::optional<uint8_t> x = c_.below(4) != 0 ? obtain(c_.coin() ? Want::kSizeI : Want::kSizeOCap) : any_scalar();
  if (!x) return false;
  const Label go_on = code_.new_label();
  const Tag tag = s_.regs[*x].tag;
  if (tag != Tag::kSizeI && tag != Tag::kSizeOCap) {  // a loop's counter is no size either
    const auto k = static_cast<int32_t>(c_.between(1 << 20, INT32_MAX));
    code_.jump(branch(c_.below(4) == 0, isa::kJmpJne, *x, imm_operand(c_.coin() ? k : -k)), go_on);
  } else {
    code_.jump(branch(false, c_.pick({isa::kJmpJge, isa::kJmpJgt}), *x, imm_operand(static_cast<int32_t>(c_.between(1, 256)))),
               go_on);
  }
  emit_exit_with(c_.coin() ? 0 : -1);
  code_.bind(go_on);
  return true;
}

// ---------------------------------------------------------------------------
// Fragments: the input and the output

// A load at a constant offset into the input: behind `if (size_i < N)` (so
// provable), or not (so guarded at run time, and only sometimes in bounds).
bool FunctionGenerator::input_load() {
  auto p = obtain(Want::kInput);
  if (!p) return false;
  const unsigned bytes = c_.pick({1u, 2u, 4u, 8u});
  const int32_t limit = c_.below(5) == 0 ? 4096 : 64;
  int16_t off = static_cast<int16_t>(c_.below(static_cast<uint64_t>(limit)));
  if (c_.below(5) != 0) off = static_cast<int16_t>(off & ~static_cast<int16_t>(bytes - 1));
  auto v = fresh();
  if (!v) return false;
  const unsigned guard = static_cast<unsigned>(c_.below(3));  // 0: skip, 1: return, 2: none
  std::optional<Label> skip;
  FrameState before;
  if (guard < 2) {
    auto size = obtain(Want::kSizeI);
    if (!size) return false;
    const int32_t needed = off + static_cast<int32_t>(bytes) + static_cast<int32_t>(c_.below(4) == 0 ? c_.below(16) : 0);
    const Label go_on = code_.new_label();
    if (guard == 0) {
      skip = code_.new_label();
      before = s_;
      code_.jump(branch(c_.below(5) == 0, isa::kJmpJlt, *size, imm_operand(needed)), *skip);
    } else {
      // size >= N or size > N - 1 (exact), size > N (stricter), or size >= N - 1:
      // the off-by-one a programmer makes, in bounds for all sizes but one.
      code_.jump(branch(false, c_.coin() ? isa::kJmpJge : isa::kJmpJgt, *size,
                        imm_operand(c_.coin() ? needed : needed - 1)),
                 go_on);
      emit_exit_with(-1);
      code_.bind(go_on);
    }
  }
  emit(load(bytes, *v, *p, off, c_.below(5) == 0));
  set(*v, Value::scalar());
  absorb(*v);
  if (skip) {
    code_.bind(*skip);
    s_ = join(before, s_);
  }
  return true;
}

// A load at an index computed from data, masked: in bounds only when the
// input is large enough, unless a bound check on the index comes first.
bool FunctionGenerator::input_indexed() {
  auto p = obtain(Want::kInput);
  if (!p) return false;
  auto x = any_scalar();
  auto t = fresh();
  auto q = fresh();
  auto v = fresh();
  if (!t || !q || !v) return false;
  if (x) {
    emit(mov(*t, *x));
  } else {
    emit(load(1, *t, *p, 0));  // the index is the first input byte
  }
  const unsigned bytes = c_.pick({1u, 2u, 4u, 8u});
  emit(alu(c_.coin(), isa::kAluAnd, *t, imm_operand(static_cast<int32_t>((1u << c_.between(2, 12)) - 1))));
  set(*t, Value::scalar());
  std::optional<Label> skip;
  FrameState before;
  if (c_.coin()) {
    if (auto size = obtain(Want::kSizeI)) {
      // if (t + bytes > size_i) skip;
      skip = code_.new_label();
      before = s_;
      emit(mov(*q, *t));
      emit(add_imm(*q, static_cast<int32_t>(bytes)));
      set(*q, Value::scalar());
      code_.jump(branch(false, isa::kJmpJgt, *q, reg_operand(*size)), *skip);
    }
  }
  if (c_.below(4) == 0) {
    emit(mov(*q, *t));
    emit(add_reg(*q, *p));  // scalar + pointer: a pointer, as clang sometimes orders it
  } else {
    emit(mov(*q, *p));
    emit(add_reg(*q, *t));
  }
  set(*q, Value::dead());
  emit(load(bytes, *v, *q, 0));
  set(*v, Value::scalar());
  absorb(*v);
  if (skip) {
    code_.bind(*skip);
    s_ = join(before, s_);
  }
  return true;
}

// A store at a constant offset into the output, behind
// `if (size_o_cap < N) return` or a skip, or unguarded; or at a masked index.
bool FunctionGenerator::output_store() {
  auto o = obtain(Want::kOutput);
  if (!o) return false;
  const unsigned bytes = c_.pick({1u, 2u, 4u, 8u, 8u});
  int16_t off = static_cast<int16_t>(c_.below(c_.below(5) == 0 ? 4096 : 128));
  if (c_.below(5) != 0) off = static_cast<int16_t>(off & ~static_cast<int16_t>(bytes - 1));
  Operand value = imm_operand(random_imm());
  if (c_.below(3) != 0) {
    if (auto r = any_scalar()) value = reg_operand(*r);
  }
  const unsigned shape = static_cast<unsigned>(c_.below(4));  // 0: return, 1: skip, 2: none, 3: indexed
  std::optional<Label> skip;
  FrameState before;
  uint8_t base = *o;
  if (shape <= 1) {
    auto cap = obtain(Want::kSizeOCap);
    if (!cap) return false;
    const int32_t needed = off + static_cast<int32_t>(bytes);
    if (shape == 0) {
      const Label go_on = code_.new_label();
      code_.jump(branch(false, isa::kJmpJge, *cap, imm_operand(needed)), go_on);
      emit_exit_with(c_.coin() ? 0 : -1);
      code_.bind(go_on);
    } else {
      skip = code_.new_label();
      before = s_;
      code_.jump(branch(c_.below(5) == 0, isa::kJmpJlt, *cap, imm_operand(needed)), *skip);
    }
  } else if (shape == 3) {
    auto x = any_scalar(value.is_reg ? value.reg : 0xff);
    auto q = fresh();
    if (!x || !q) return false;
    emit(mov(*q, *x));
    emit(alu(true, isa::kAluAnd, *q, imm_operand(static_cast<int32_t>((1u << c_.between(3, 12)) - 8))));
    emit(add_reg(*q, *o));
    set(*q, Value::dead());
    base = *q;
    off = 0;
  }
  emit(store(bytes, base, off, value));
  if (skip) {
    code_.bind(*skip);
    s_ = join(before, s_);
  }
  return true;
}

bool FunctionGenerator::output_load() {
  auto o = obtain(Want::kOutput);
  auto cap = obtain(Want::kSizeOCap);
  auto v = fresh();
  if (!o || !cap || !v) return false;
  const unsigned bytes = c_.pick({1u, 2u, 4u, 8u});
  const int16_t off = static_cast<int16_t>(c_.below(16) * bytes);
  const Label skip = code_.new_label();
  const FrameState before = s_;
  code_.jump(branch(false, isa::kJmpJlt, *cap, imm_operand(off + static_cast<int32_t>(bytes))), skip);
  emit(load(bytes, *v, *o, off));
  set(*v, Value::scalar());
  absorb(*v);
  code_.bind(skip);
  s_ = join(before, s_);
  return true;
}

// ---------------------------------------------------------------------------
// Fragments: the stack

bool FunctionGenerator::spill() {
  uint16_t mask = 0;
  for (uint8_t r = 0; r < kRegisters; ++r)
    if (readable(r)) mask |= static_cast<uint16_t>(1u << r);
  if (mask == 0) return false;
  const uint8_t r = pick_register(mask);
  auto s = slot_for_spill();
  if (!s) return false;
  spill_to(r, *s);
  return true;
}

// A fill: a whole spilled value, or part of a scalar slot.
bool FunctionGenerator::fill() {
  std::vector<int> full;
  for (int s = 0; s < kSlots; ++s)
    if (s_.slots[s].init == 0xff && s_.slots[s].value.readable()) full.push_back(s);
  if (full.empty()) return false;
  const int s = full[c_.below(full.size())];
  const Value v = s_.slots[s].value;
  auto r = fresh(v.is_pointer());
  if (!r) return false;
  if (v.is_scalar() && c_.below(3) == 0) {
    const unsigned bytes = c_.pick({1u, 2u, 4u});
    const int16_t off = static_cast<int16_t>(slot_offset(s) + static_cast<int16_t>(c_.below(8 / bytes) * bytes));
    emit(load(bytes, *r, kFp, off, c_.coin()));
    set(*r, Value::scalar());
  } else {
    emit(load(8, *r, kFp, slot_offset(s)));
    set(*r, v);
  }
  return true;
}

// Narrow stores into a slot (a struct's small fields), read back sometimes.
bool FunctionGenerator::partial_stack() {
  std::vector<int> ok;
  for (int s = 0; s < kSlots; ++s)
    if (slot_takes_scalar(s) && !s_.slots[s].value.is_pointer()) ok.push_back(s);
  if (ok.empty()) return false;
  const int s = ok[c_.below(ok.size())];
  const int64_t stores = c_.between(1, 3);
  int16_t last = 0;
  unsigned last_bytes = 1;
  for (int64_t i = 0; i < stores; ++i) {
    const unsigned bytes = c_.pick({1u, 2u, 4u});
    const int16_t off = static_cast<int16_t>(slot_offset(s) + static_cast<int16_t>(c_.below(8 / bytes) * bytes));
    Operand value = imm_operand(random_imm());
    if (c_.coin()) {
      if (auto r = any_scalar()) value = reg_operand(*r);
    }
    emit(store(bytes, kFp, off, value));
    note_scalar_store(off, bytes);
    last = off;
    last_bytes = bytes;
  }
  if (c_.coin() && stack_bytes_readable(last, last_bytes)) {
    if (auto v = fresh()) {
      emit(load(last_bytes, *v, kFp, last));
      set(*v, Value::scalar());
      absorb(*v);
    }
  }
  return true;
}

// u64 a[K] on the stack, initialised, then read or written at an index from
// data: masked to K, or checked against K.
bool FunctionGenerator::stack_array() {
  const int count = static_cast<int>(c_.pick({2, 4, 8, 16}));
  auto low = slot_run(count);
  auto t = fresh();
  auto q = fresh();
  if (!low || !t || !q) return false;
  const int16_t base = slot_offset(*low);
  for (int i = 0; i < count; ++i) {
    const int16_t off = static_cast<int16_t>(base + 8 * i);
    Operand value = imm_operand(c_.coin() ? 0 : random_imm());
    if (c_.below(3) == 0) {
      if (auto r = any_scalar()) value = reg_operand(*r);
    }
    emit(store(8, kFp, off, value));
    note_scalar_store(off, 8);
  }
  // An unsigned int index is zero-extended first (w = w), which is what makes
  // a 32-bit bound check bound the whole register.
  const bool is32 = c_.below(4) == 0;
  auto x = any_scalar(*t);
  if (x) emit(alu(!is32, isa::kAluMov, *t, reg_operand(*x)));
  else emit(mov_imm(*t, static_cast<int32_t>(c_.below(static_cast<uint64_t>(count)))));
  set(*t, Value::scalar());
  std::optional<Label> skip;
  FrameState before;
  if (c_.coin()) {
    emit(alu(true, isa::kAluAnd, *t, imm_operand(count - 1)));
  } else {
    skip = code_.new_label();
    before = s_;
    code_.jump(branch(is32, isa::kJmpJge, *t, imm_operand(count)), *skip);
  }
  emit(alu(true, isa::kAluLsh, *t, imm_operand(3)));
  emit(mov(*q, kFp));
  emit(add_imm(*q, base));
  emit(add_reg(*q, *t));
  set(*q, Value::dead());
  if (c_.coin()) {
    if (auto v = fresh()) {
      emit(load(8, *v, *q, 0));
      set(*v, Value::scalar());
      absorb(*v);
    }
  } else {
    auto v = any_scalar(*t);
    emit(store(8, *q, 0, v ? reg_operand(*v) : imm_operand(random_imm())));
  }
  if (skip) {
    code_.bind(*skip);
    s_ = join(before, s_);
  }
  return true;
}

// In a callee given a buffer in its caller's frame: reads and writes of it.
bool FunctionGenerator::caller_buffer() {
  auto b = find_kind(Kind::kCallerBuffer);
  if (!b) return false;
  const int64_t bytes = s_.regs[*b].number;
  if (c_.below(3) == 0) {  // at an index: buf[x & (n - 1)]
    auto x = any_scalar();
    auto t = fresh();
    auto v = fresh();
    if (!x || !t || !v) return false;
    int64_t words = 1;
    while (words * 2 <= bytes / 8) words *= 2;
    emit(mov(*t, *x));
    emit(alu(true, isa::kAluAnd, *t, imm_operand(static_cast<int32_t>(words - 1))));
    emit(alu(true, isa::kAluLsh, *t, imm_operand(3)));
    emit(add_reg(*t, *b));
    set(*t, Value::dead());
    emit(load(8, *v, *t, 0));
    set(*v, Value::scalar());
    absorb(*v);
    return true;
  }
  const unsigned size = c_.pick({1u, 2u, 4u, 8u});
  const int16_t off = static_cast<int16_t>(c_.below(static_cast<uint64_t>(bytes) / size) * size);
  if (c_.coin()) {
    auto v = fresh();
    if (!v) return false;
    emit(load(size, *v, *b, off));
    set(*v, Value::scalar());
    absorb(*v);
  } else {
    auto v = any_scalar();
    emit(store(size, *b, off, v ? reg_operand(*v) : imm_operand(random_imm())));
  }
  return true;
}

// __sync_fetch_and_add and friends, on a stack slot or the output.
bool FunctionGenerator::atomic_update() {
  const unsigned bytes = c_.coin() ? 8 : 4;
  int32_t op = c_.pick({isa::kAtomicAdd, isa::kAtomicOr, isa::kAtomicAnd, isa::kAtomicXor, isa::kAtomicXchg,
                        isa::kAtomicCmpxchg});
  if (op != isa::kAtomicXchg && op != isa::kAtomicCmpxchg && c_.coin()) op |= isa::kAtomicFetch;
  if (op == isa::kAtomicCmpxchg && !clobberable(0)) return false;
  auto src = fresh();
  if (!src) return false;
  uint8_t base = kFp;
  int16_t off = 0;
  std::optional<Label> skip;
  FrameState before;
  if (c_.coin()) {
    std::vector<int> ok;
    for (int s = 0; s < kSlots; ++s)
      if (slot_takes_scalar(s) && s_.slots[s].value.is_scalar() && s_.slots[s].init == 0xff) ok.push_back(s);
    if (ok.empty()) return false;
    off = static_cast<int16_t>(slot_offset(ok[c_.below(ok.size())]) + (bytes == 4 && c_.coin() ? 4 : 0));
  } else {
    auto o = obtain(Want::kOutput);
    auto cap = obtain(Want::kSizeOCap);
    // cmpxchg's expected value goes in r0, which must not be the base.
    if (!o || !cap || (op == isa::kAtomicCmpxchg && *o == 0)) return false;
    base = *o;
    off = static_cast<int16_t>(c_.below(32) * bytes);
    skip = code_.new_label();
    before = s_;
    code_.jump(branch(false, isa::kJmpJlt, *cap, imm_operand(off + static_cast<int32_t>(bytes))), *skip);
  }
  emit(mov_imm(*src, random_imm()));
  set(*src, Value::scalar());
  if (op == isa::kAtomicCmpxchg) {
    emit(mov_imm(0, random_imm()));
    set(0, Value::scalar());
  }
  emit(atomic(bytes, base, off, *src, op));
  if (base == kFp) note_scalar_store(off, bytes);
  if (op == isa::kAtomicCmpxchg) absorb(0);
  else if (op & isa::kAtomicFetch) absorb(*src);
  if (skip) {
    code_.bind(*skip);
    s_ = join(before, s_);
  }
  return true;
}

// ---------------------------------------------------------------------------
// Fragments: control flow

// if (cond) { … } [else { … }]
bool FunctionGenerator::diamond(size_t remaining) {
  auto x = any_scalar();
  if (!x) return false;
  const Label other = code_.new_label();
  emit_branch(*x, other);
  const FrameState at_branch = s_;
  const auto ctx = find_kind(Kind::kCtx);
  ++nesting_;
  emit_block(nested_budget(remaining, 3) / 2 + 1);
  keep_ctx_in(ctx);
  if (c_.coin()) {
    const Label end = code_.new_label();
    code_.ja(end);
    const FrameState then_state = s_;
    code_.bind(other);
    s_ = at_branch;
    emit_block(nested_budget(remaining, 3) / 2 + 1);
    keep_ctx_in(ctx);
    code_.bind(end);
    s_ = join(then_state, s_);
  } else {
    code_.bind(other);
    s_ = join(at_branch, s_);
  }
  --nesting_;
  return true;
}

// At the end of an arm: the context back in the register it had at the
// branch, if the arm moved it (a call, a spill), as a register allocator puts
// a value where the join expects it. Otherwise the join would lose it.
void FunctionGenerator::keep_ctx_in(std::optional<uint8_t> r) {
  if (!r || s_.regs[*r].kind == Kind::kCtx || locked(*r)) return;
  materialize(Want::kCtx, *r);
}

// d = cond ? a : b, and min/max: clang's short forward jump over one move.
bool FunctionGenerator::select() {
  auto d = accumulator();
  if (!d) return false;
  claim(*d);
  const Label keep = code_.new_label();
  emit_branch(*d, keep);
  auto src = any_scalar(*d);
  if (src) emit(mov(*d, *src));
  else emit(mov_imm(*d, random_imm()));
  code_.bind(keep);
  set(*d, Value::scalar());
  return true;
}

}  // namespace sbpf::testing::generator
