// Loop fragments: over the input by index, by window, by pointer and by row,
// copies to the output, constant trip counts, trip counts from the data, and
// loops that (in practice) never end.
#include "tests/program_generator/function_generator.h"

#include <algorithm>

namespace sbpf::testing::generator {

// ---------------------------------------------------------------------------
// Fragments: loops. Every register a loop uses is taken before its head, so
// that nothing a loop spills is spilled again on the next iteration.

// for (i = 0; i < size_i; i += 8) acc op= *(u64 *)(buf_i + i); in the
// shapes compilers give it, sometimes with a `continue` (a second latch) and
// a `break` (a second exit).
// The load relies on the input region spanning size_i rounded up to 8.
bool FunctionGenerator::word_loop(size_t remaining) {
  end_live_ranges();
  auto p = obtain(Want::kInput);
  auto size = obtain(Want::kSizeI);
  if (!p || !size) return false;
  auto i = fresh(true);
  auto t = fresh();
  auto v = fresh();
  if (!i || !t || !v) return false;
  auto acc = loop_accumulator();
  if (!acc) return false;
  // 0: rotated (guard, then a bottom test), 1: top test, 2: rotated with
  // 32-bit compares, 3: top test on i + 8 <= size_i, 4: unrolled twice,
  // 5: entered by a jump into its condition, which ends the loop and is its
  // header (clang's `for` at -O2 when it cannot peel the first test), 6:
  // its header last and doing the load (see word_loop_loading_in_header).
  const unsigned style = static_cast<unsigned>(c_.below(7));
  if (style == 6) return word_loop_loading_in_header(remaining, *p, *size, *i, *t, *v, *acc);
  const bool is32 = style == 2;
  const int32_t step = style == 4 ? 16 : 8;
  emit(alu(!is32, isa::kAluMov, *i, imm_operand(0)));
  set(*i, Value::scalar(Tag::kPinned));
  const Label head = code_.new_label();
  const Label cond = code_.new_label();
  const Label end = code_.new_label();
  const bool rotated = style == 0 || style == 2;
  if (rotated) code_.jump(branch(is32, isa::kJmpJeq, *size, imm_operand(0)), end);
  if (style == 5) code_.ja(cond);
  code_.bind(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  if (style == 1 || style == 4) {
    code_.jump(branch(false, isa::kJmpJge, *i, reg_operand(*size)), end);
  } else if (style == 3) {
    emit(mov(*t, *i));
    emit(add_imm(*t, 8));
    code_.jump(branch(false, isa::kJmpJgt, *t, reg_operand(*size)), end);
  }
  emit(mov(*t, *p));
  emit(add_reg(*t, *i));
  set(*t, Value::dead());
  emit(load(8, *v, *t, 0));
  set(*v, Value::scalar());
  random_op_into(*acc, *v);
  if (style == 4) {
    emit(load(8, *v, *t, 8));  // in bounds only when size_i is a multiple of 16 or the tail fits
    random_op_into(*acc, *v);
  }
  // The next trip's test, from a latch: back to the header, or out.
  auto go_round = [&] {
    emit(alu(!is32, isa::kAluAdd, *i, imm_operand(step)));
    if (style == 5) code_.ja(cond);
    else if (rotated) code_.jump(branch(is32, isa::kJmpJlt, *i, reg_operand(*size)), head), code_.ja(end);
    else code_.ja(head);
  };
  if (c_.below(4) == 0) {  // if (v & bit) continue;
    const Label stay = code_.new_label();
    code_.jump(branch(false, isa::kJmpJset, *v, imm_operand(static_cast<int32_t>(1u << c_.below(31)))), stay);
    const Label skip = code_.new_label();
    code_.ja(skip);
    code_.bind(stay);
    go_round();
    code_.bind(skip);
  }
  if (c_.below(4) == 0) {  // if (i == k) break;
    code_.jump(branch(is32, isa::kJmpJeq, *i, imm_operand(step * static_cast<int32_t>(c_.between(1, 64)))), end);
  }
  nested_loop_body(nested_budget(remaining, 16));
  if (style == 5) {
    emit(alu(!is32, isa::kAluAdd, *i, imm_operand(step)));
    code_.bind(cond);
    code_.jump(branch(false, isa::kJmpJlt, *i, reg_operand(*size)), head);
  } else {
    emit(alu(!is32, isa::kAluAdd, *i, imm_operand(step)));
    if (rotated) code_.jump(branch(is32, isa::kJmpJlt, *i, reg_operand(*size)), head);
    else code_.ja(head);
  }
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  unpin(*i);
  ++program_.report.loops;
  return true;
}

// A word loop over the last W bytes of the input, as clang lays it out
// when it enters through the header and the header does part of the work:
// the header, last, loads the word and jumps back to the first block, which
// uses it, steps and tests.
//
//       if (size_i < W) goto end;  q = buf_i + (size_i - W & ~7);  i = 0;  goto head;
//   latch: acc op= v; …; i += 8; if (i >= W) goto end;
//   head:  v = *(u64 *)(q + i); goto latch;
//
// The verifier cannot place q in the input (the mask loses it), so the load
// is guarded, at a known distance from q: a loop the JIT versions. Running
// it from its lowest block instead of its header uses a v the header has
// not loaded yet.
bool FunctionGenerator::word_loop_loading_in_header(size_t remaining, uint8_t p, uint8_t size, uint8_t i, uint8_t t,
                                                    uint8_t v, uint8_t acc) {
  auto q = fresh(true);
  if (!q) return false;
  const int32_t window = 8 * static_cast<int32_t>(c_.between(1, 16));
  const Label latch = code_.new_label();
  const Label head = code_.new_label();
  const Label end = code_.new_label();
  code_.jump(branch(false, isa::kJmpJlt, size, imm_operand(window)), end);
  emit(mov(*q, size));
  emit(add_imm(*q, -window));
  emit(alu(true, isa::kAluAnd, *q, imm_operand(~7)));
  emit(add_reg(*q, p));
  set(*q, Value::dead());
  emit(mov_imm(i, 0));
  set(i, Value::scalar(Tag::kPinned));
  code_.ja(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  locks_.regs |= bit(*q);
  code_.bind(latch);
  set(v, Value::scalar());  // loaded by the header, which runs first
  random_op_into(acc, v);
  if (c_.below(4) == 0) code_.jump(branch(false, isa::kJmpJeq, i, imm_operand(8 * static_cast<int32_t>(c_.between(1, 8)))), end);
  nested_loop_body(nested_budget(remaining, 16));
  emit(add_imm(i, 8));
  code_.jump(branch(false, isa::kJmpJge, i, imm_operand(window)), end);
  code_.bind(head);
  emit(mov(t, *q));
  emit(add_reg(t, i));
  set(t, Value::dead());
  emit(load(8, v, t, 0));
  set(v, Value::scalar());
  code_.ja(latch);
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  unpin(i);
  ++program_.report.loops;
  return true;
}

// for (i = 0; i + K <= size_i; i++): a window of K bytes at each position,
// compared with a pattern (grep) or folded into the accumulator.
bool FunctionGenerator::byte_loop(size_t remaining) {
  end_live_ranges();
  auto p = obtain(Want::kInput);
  auto size = obtain(Want::kSizeI);
  if (!p || !size) return false;
  auto i = fresh(true);
  auto t = fresh();
  auto v = fresh();
  if (!i || !t || !v) return false;
  auto acc = loop_accumulator();
  if (!acc) return false;
  const int32_t window = static_cast<int32_t>(c_.between(1, 8));
  emit(mov_imm(*i, 0));
  set(*i, Value::scalar(Tag::kPinned));
  const Label head = code_.new_label();
  const Label end = code_.new_label();
  code_.bind(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  emit(mov(*t, *i));
  emit(add_imm(*t, window));
  set(*t, Value::scalar());
  code_.jump(branch(false, isa::kJmpJgt, *t, reg_operand(*size)), end);
  emit(mov(*t, *p));
  emit(add_reg(*t, *i));
  set(*t, Value::dead());
  if (c_.coin()) {  // grep: count the positions where the pattern matches
    const Label no_match = code_.new_label();
    for (int32_t b = 0; b < window; ++b) {
      emit(load(1, *v, *t, static_cast<int16_t>(b)));
      code_.jump(branch(c_.below(4) == 0, isa::kJmpJne, *v, imm_operand(static_cast<int32_t>(c_.between(32, 127)))),
                 no_match);
    }
    emit(add_imm(*acc, 1));
    code_.bind(no_match);
  } else {
    for (int32_t b = 0; b < window; ++b) {
      emit(load(1, *v, *t, static_cast<int16_t>(b), c_.below(4) == 0));
      random_op_into(*acc, *v);
    }
  }
  set(*v, Value::scalar());
  set(*acc, Value::scalar());
  nested_loop_body(nested_budget(remaining, 10 + 2 * static_cast<size_t>(window)));
  emit(add_imm(*i, 1));
  code_.ja(head);
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  unpin(*i);
  ++program_.report.loops;
  return true;
}

// for (p = buf_i, e = buf_i + size_i; p < e; p += step) …: pointer compares.
bool FunctionGenerator::pointer_loop(size_t remaining) {
  end_live_ranges();
  auto base = obtain(Want::kInput);
  auto size = obtain(Want::kSizeI);
  if (!base || !size) return false;
  auto p = fresh(true);
  auto e = fresh(true);
  auto v = fresh();
  if (!p || !e || !v) return false;
  auto acc = loop_accumulator();
  if (!acc) return false;
  const unsigned bytes = c_.pick({1u, 4u, 8u});
  emit(mov(*p, *base));
  emit(mov(*e, *base));
  emit(add_reg(*e, *size));
  // The generator reads neither as "the start of the input" again.
  set(*p, Value::dead());
  set(*e, Value::dead());
  const Label head = code_.new_label();
  const Label end = code_.new_label();
  const bool rotated = c_.coin();
  if (rotated) code_.jump(branch(false, isa::kJmpJge, *p, reg_operand(*e)), end);
  code_.bind(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  if (!rotated) {  // p >= e, or the same written e <= p
    if (c_.coin()) code_.jump(branch(false, isa::kJmpJge, *p, reg_operand(*e)), end);
    else code_.jump(branch(false, isa::kJmpJle, *e, reg_operand(*p)), end);
  }
  emit(load(bytes, *v, *p, 0));
  set(*v, Value::scalar());
  random_op_into(*acc, *v);
  nested_loop_body(nested_budget(remaining, 10), bit(*p) | bit(*e));
  emit(add_imm(*p, static_cast<int32_t>(bytes)));
  if (rotated) code_.jump(branch(false, isa::kJmpJlt, *p, reg_operand(*e)), head);
  else code_.ja(head);
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  ++program_.report.loops;
  return true;
}

// for (j = 0; j < N; j++) with N a constant: up or down, bound in an
// immediate or a register, 64 or 32 bit; the body indexes a stack array.
bool FunctionGenerator::counted_loop(size_t remaining) {
  end_live_ranges();
  const int32_t trips = static_cast<int32_t>(c_.below(8) == 0 ? c_.between(65, 1000) : c_.between(1, 64));
  auto j = fresh(true);
  auto acc = loop_accumulator();
  if (!j || !acc) return false;
  // The array's lowest slot, or -1 without an array. A plain int: gcc's
  // -Wmaybe-uninitialized misreads an optional that is set on one path only.
  int low = -1;
  int count = 0;
  std::optional<uint8_t> t, q, v;
  if (c_.coin()) {
    count = static_cast<int>(c_.pick({2, 4, 8, 16}));
    const std::optional<int> run = slot_run(count);
    t = fresh();
    q = fresh();
    v = fresh();
    if (run && t && q && v) low = *run;
  }
  std::optional<uint8_t> bound;
  const unsigned style = static_cast<unsigned>(c_.below(5));  // 0: jlt imm, 1: jne imm, 2: down to 0, 3: bound in a register (top test), 4: jmp32
  if (style == 3) {
    bound = fresh(true);
    if (!bound) return false;
  }
  if (low >= 0) {  // u64 a[count] = {…}
    for (int k = 0; k < count; ++k) {
      const int16_t off = static_cast<int16_t>(slot_offset(low) + 8 * k);
      emit(store(8, kFp, off, imm_operand(random_imm())));
      note_scalar_store(off, 8);
    }
  }
  emit(mov_imm(*j, style == 2 ? trips : 0));
  set(*j, Value::scalar(Tag::kPinned));
  if (bound) {
    emit(mov_imm(*bound, trips));
    set(*bound, Value::scalar(Tag::kPinned));
  }
  const Label head = code_.new_label();
  const Label end = code_.new_label();
  code_.bind(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  if (style == 3) code_.jump(branch(false, isa::kJmpJge, *j, reg_operand(*bound)), end);
  if (c_.coin()) {
    random_op_into(*acc, *j);
  } else {
    emit(alu(true, isa::kAluMul, *acc, imm_operand(static_cast<int32_t>(c_.between(3, 131)))));
    emit(add_reg(*acc, *j));
  }
  if (low >= 0) {  // a[j & (count - 1)], or a[j] when the trip count fits
    emit(mov(*t, *j));
    if (style == 2 || trips > count || c_.below(4) == 0) emit(alu(true, isa::kAluAnd, *t, imm_operand(count - 1)));
    emit(alu(true, isa::kAluLsh, *t, imm_operand(3)));
    emit(mov(*q, kFp));
    emit(add_imm(*q, slot_offset(low)));
    emit(add_reg(*q, *t));
    set(*t, Value::scalar());
    set(*q, Value::dead());
    if (c_.coin()) {
      emit(load(8, *v, *q, 0));
      set(*v, Value::scalar());
      random_op_into(*acc, *v);
    } else {
      emit(store(8, *q, 0, reg_operand(*acc)));
    }
  }
  nested_loop_body(nested_budget(remaining, 14));
  switch (style) {
    case 0:
      emit(add_imm(*j, 1));
      code_.jump(branch(false, isa::kJmpJlt, *j, imm_operand(trips)), head);
      break;
    case 1:
      emit(add_imm(*j, 1));
      code_.jump(branch(false, isa::kJmpJne, *j, imm_operand(trips)), head);
      break;
    case 2:
      emit(add_imm(*j, -1));
      code_.jump(branch(false, c_.coin() ? isa::kJmpJne : isa::kJmpJsgt, *j, imm_operand(0)), head);
      break;
    case 3:
      emit(add_imm(*j, 1));
      code_.ja(head);
      break;
    default:
      emit(alu(false, isa::kAluAdd, *j, imm_operand(1)));
      code_.jump(branch(true, c_.coin() ? isa::kJmpJlt : isa::kJmpJslt, *j, imm_operand(trips)), head);
      break;
  }
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  unpin(*j);
  if (bound) unpin(*bound);
  ++program_.report.loops;
  return true;
}

// Rows of ROW bytes: for (r = 0; r + ROW <= size_i; r += ROW) for (c = 0; c < ROW; c += 8) …,
// the inner loop's exit falling into the outer one's latch.
bool FunctionGenerator::row_loop(size_t remaining) {
  end_live_ranges();
  auto p = obtain(Want::kInput);
  auto size = obtain(Want::kSizeI);
  if (!p || !size) return false;
  auto row = fresh(true);
  auto col = fresh(true);
  auto t = fresh();
  auto v = fresh();
  if (!row || !col || !t || !v) return false;
  auto acc = loop_accumulator();
  if (!acc) return false;
  const int32_t row_bytes = static_cast<int32_t>(8 * c_.between(1, 8));
  emit(mov_imm(*row, 0));
  set(*row, Value::scalar(Tag::kPinned));
  const Label outer = code_.new_label();
  const Label inner = code_.new_label();
  const Label end = code_.new_label();
  code_.bind(outer);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  emit(mov(*t, *row));
  emit(add_imm(*t, row_bytes));
  code_.jump(branch(false, isa::kJmpJgt, *t, reg_operand(*size)), end);
  emit(mov_imm(*col, 0));
  set(*col, Value::scalar(Tag::kPinned));
  // The inner loop entered by a jump into its condition, which then ends
  // it and heads it: clang's shape for a `for` nested in another.
  const bool enter_at_condition = c_.coin();
  const Label inner_cond = code_.new_label();
  if (enter_at_condition) code_.ja(inner_cond);
  code_.bind(inner);
  emit(mov(*t, *p));
  emit(add_reg(*t, *row));
  emit(add_reg(*t, *col));
  set(*t, Value::dead());
  emit(load(8, *v, *t, 0));
  set(*v, Value::scalar());
  random_op_into(*acc, *v);
  // if (col == k) break out of both loops: an exit the two loops share.
  if (c_.below(4) == 0) code_.jump(branch(false, isa::kJmpJeq, *col, imm_operand(8 * static_cast<int32_t>(c_.between(1, 8)))), end);
  ++loop_depth_;
  nested_loop_body(nested_budget(remaining, 16) / 2, bit(*col));
  --loop_depth_;
  emit(add_imm(*col, 8));
  code_.bind(inner_cond);
  code_.jump(branch(false, isa::kJmpJlt, *col, imm_operand(row_bytes)), inner);
  emit(add_imm(*row, row_bytes));
  code_.ja(outer);
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  unpin(*row);
  program_.report.loops += 2;
  return true;
}

// for (i = 0; i + 8 <= size_i && i + 8 <= size_o_cap; i += 8) out[i] = f(in[i]),
// optionally dropping some words (a filter).
bool FunctionGenerator::copy_loop(size_t remaining) {
  end_live_ranges();
  auto p = obtain(Want::kInput);
  auto size = obtain(Want::kSizeI);
  auto o = obtain(Want::kOutput);
  auto cap = obtain(Want::kSizeOCap);
  if (!p || !size || !o || !cap) return false;
  auto i = fresh(true);
  auto t = fresh();
  auto a = fresh();
  auto v = fresh();
  if (!i || !t || !a || !v) return false;
  emit(mov_imm(*i, 0));
  set(*i, Value::scalar(Tag::kPinned));
  const Label head = code_.new_label();
  const Label end = code_.new_label();
  code_.bind(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  emit(mov(*t, *i));
  emit(add_imm(*t, 8));
  set(*t, Value::scalar(Tag::kPinned));
  code_.jump(branch(false, isa::kJmpJgt, *t, reg_operand(*size)), end);
  code_.jump(branch(false, isa::kJmpJgt, *t, reg_operand(*cap)), end);
  emit(mov(*a, *p));
  emit(add_reg(*a, *i));
  set(*a, Value::dead());
  emit(load(8, *v, *a, 0));
  set(*v, Value::scalar());
  if (c_.coin()) emit_alu_op(*v);
  const Label next = code_.new_label();
  const bool filter = c_.below(3) == 0;
  if (filter) code_.jump(branch(false, isa::kJmpJset, *v, imm_operand(1)), next);
  emit(mov(*a, *o));
  emit(add_reg(*a, *i));
  emit(store(8, *a, 0, reg_operand(*v)));
  code_.bind(next);
  nested_loop_body(nested_budget(remaining, 16), bit(*t));
  emit(mov(*i, *t));
  code_.ja(head);
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  unpin(*i);
  ++program_.report.loops;
  return true;
}

// A loop whose trip count is a number read from the input: the verifier
// cannot bound it, so its back-edge counts against the budget (and a large
// number exhausts it).
bool FunctionGenerator::data_bound_loop(size_t remaining) {
  end_live_ranges();
  auto p = obtain(Want::kInput);
  if (!p) return false;
  auto n = fresh(true);
  auto j = fresh(true);
  auto t = fresh();
  if (!n || !j || !t) return false;
  auto acc = loop_accumulator();
  if (!acc) return false;
  const unsigned bytes = c_.pick({1u, 2u, 4u, 8u});
  const int16_t off = static_cast<int16_t>(c_.below(4) * bytes);
  std::optional<Label> skip;
  FrameState before;
  if (c_.below(3) != 0) {
    if (auto size = obtain(Want::kSizeI)) {
      skip = code_.new_label();
      before = s_;
      code_.jump(branch(false, isa::kJmpJlt, *size, imm_operand(off + static_cast<int32_t>(bytes))), *skip);
    }
  }
  emit(load(bytes, *n, *p, off));
  if (c_.below(4) == 0) emit(alu(true, isa::kAluAnd, *n, imm_operand(0xff)));  // bounded after all
  set(*n, Value::scalar(Tag::kPinned));
  const Label head = code_.new_label();
  const Label end = code_.new_label();
  const unsigned style = static_cast<unsigned>(c_.below(4));  // 0: for j < n, 1: n >>= 1, 2: popcount, 3: collatz
  if (style == 0) {
    emit(mov_imm(*j, 0));
    set(*j, Value::scalar(Tag::kPinned));
    code_.jump(branch(false, isa::kJmpJeq, *n, imm_operand(0)), end);
  }
  code_.bind(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  switch (style) {
    case 0: random_op_into(*acc, *j); break;
    case 1:
      code_.jump(branch(false, isa::kJmpJeq, *n, imm_operand(0)), end);
      random_op_into(*acc, *n);
      break;
    case 2:
      code_.jump(branch(false, isa::kJmpJeq, *n, imm_operand(0)), end);
      emit(add_imm(*acc, 1));
      break;
    default:
      code_.jump(branch(false, isa::kJmpJle, *n, imm_operand(1)), end);
      emit(add_imm(*acc, 1));
      break;
  }
  set(*acc, Value::scalar());
  nested_loop_body(nested_budget(remaining, 14) / 2);
  switch (style) {
    case 0:
      emit(add_imm(*j, 1));
      code_.jump(branch(false, isa::kJmpJlt, *j, reg_operand(*n)), head);
      break;
    case 1:
      emit(alu(true, isa::kAluRsh, *n, imm_operand(1)));
      code_.ja(head);
      break;
    case 2:
      emit(mov(*t, *n));
      emit(add_imm(*t, -1));
      emit(alu(true, isa::kAluAnd, *n, reg_operand(*t)));
      code_.ja(head);
      break;
    default: {
      const Label odd = code_.new_label();
      code_.jump(branch(false, isa::kJmpJset, *n, imm_operand(1)), odd);
      emit(alu(true, isa::kAluRsh, *n, imm_operand(1)));
      code_.ja(head);
      code_.bind(odd);
      emit(alu(true, isa::kAluMul, *n, imm_operand(3)));
      emit(add_imm(*n, 1));
      code_.ja(head);
      break;
    }
  }
  code_.bind(end);
  s_ = at_head;
  locks_ = outer_locks;
  if (style != 0) s_.regs[*n] = Value::scalar();  // the loop changed it
  unpin(*n);
  unpin(*j);
  if (skip) {
    code_.bind(*skip);
    s_ = join(before, s_);
  }
  ++program_.report.loops;
  ++program_.report.data_bound_loops;
  return true;
}

// while (x != K) acc++: x never changes, so unless it happens to equal K the
// loop runs until the budget stops it. No verifier can tell.
bool FunctionGenerator::endless_loop() {
  auto x = any_scalar();
  if (!x) return false;
  auto acc = accumulator(*x);
  if (!acc) return false;
  claim(*acc);
  const uint16_t x_was = static_cast<uint16_t>(s_.regs[*x].tag);
  s_.regs[*x].tag = Tag::kPinned;  // keep the body from changing it
  const Label head = code_.new_label();
  code_.bind(head);
  const FrameState at_head = s_;
  const Locks outer_locks = lock_readable();
  emit(add_imm(*acc, 1));
  nested_loop_body(static_cast<size_t>(c_.below(8)));
  code_.jump(branch(c_.below(4) == 0, isa::kJmpJne, *x, imm_operand(static_cast<int32_t>(c_.below(uint64_t{1} << 32)))),
             head);
  s_ = at_head;
  locks_ = outer_locks;
  s_.regs[*x].tag = static_cast<Tag>(x_was);
  ++program_.report.loops;
  ++program_.report.data_bound_loops;
  return true;
}

}  // namespace sbpf::testing::generator
