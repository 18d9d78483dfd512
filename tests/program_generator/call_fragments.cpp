// Call fragments: bpf-to-bpf calls to callees placed after the entry
// function, and λ-IO helper calls with pointer + size arguments.
#include "tests/program_generator/function_generator.h"

#include <algorithm>

namespace sbpf::testing::generator {

// ---------------------------------------------------------------------------
// Fragments: calls

bool FunctionGenerator::local_call() {
  std::vector<Callee>& callees = program_.callees;
  std::vector<size_t> existing;
  for (size_t k = static_cast<size_t>(index_ + 1); k < callees.size(); ++k) existing.push_back(k);
  const bool can_add = callees.size() < options_.max_callees;
  std::optional<size_t> chosen;
  Callee plan;
  if (!existing.empty() && (!can_add || c_.coin())) {
    chosen = existing[c_.below(existing.size())];
    plan = callees[*chosen];
  } else if (can_add) {
    plan.shape = c_.pick({CalleeShape::kScalars, CalleeShape::kCtx, CalleeShape::kInputSpan, CalleeShape::kStackBuffer});
    plan.scalar_args = static_cast<unsigned>(plan.shape == CalleeShape::kScalars ? c_.between(1, 3) : c_.below(2));
    plan.buffer_bytes = static_cast<uint32_t>(8 * c_.between(1, 8));
  } else {
    return false;
  }
  if (plan.shape == CalleeShape::kCtx && !can_obtain(Want::kCtx)) return false;
  if (plan.shape == CalleeShape::kInputSpan && !(can_obtain(Want::kInput) && can_obtain(Want::kSizeI))) return false;
  // The buffer's lowest slot. A plain int: gcc's -Wmaybe-uninitialized
  // misreads an optional that is set on one path only.
  int low = 0;
  if (plan.shape == CalleeShape::kStackBuffer) {
    const std::optional<int> run = slot_run(static_cast<int>(plan.buffer_bytes / 8));
    if (!run) return false;
    low = *run;
  }
  const auto saved = save_locked_caller_saved();
  if (!saved) return false;
  evacuate_caller_saved();
  // Everything the arguments need must have survived the evacuation.
  if ((plan.shape == CalleeShape::kCtx && !can_obtain(Want::kCtx)) ||
      (plan.shape == CalleeShape::kInputSpan && !(can_obtain(Want::kInput) && can_obtain(Want::kSizeI)))) {
    restore(*saved);
    return false;
  }
  switch (plan.shape) {
    case CalleeShape::kScalars:
      for (unsigned a = 0; a < plan.scalar_args; ++a) {
        const uint8_t target = static_cast<uint8_t>(1 + a);
        auto src = c_.coin() ? any_scalar(target) : std::nullopt;
        if (src && *src > 5) emit(mov(target, *src));
        else emit(mov_imm(target, random_imm()));
        set(target, Value::scalar());
      }
      break;
    case CalleeShape::kCtx: materialize(Want::kCtx, 1); break;
    case CalleeShape::kInputSpan:
      materialize(Want::kInput, 1);
      materialize(Want::kSizeI, 2);
      break;
    case CalleeShape::kStackBuffer: {
      const int words = static_cast<int>(plan.buffer_bytes / 8);
      for (int k = 0; k < words; ++k) {
        const int16_t off = static_cast<int16_t>(slot_offset(low) + 8 * k);
        if (stack_bytes_readable(off, 8) && c_.coin()) continue;
        emit(store(8, kFp, off, imm_operand(random_imm())));
        note_scalar_store(off, 8);
      }
      emit(mov(1, kFp));
      emit(add_imm(1, slot_offset(low)));
      set(1, Value::pointer(Kind::kStack, slot_offset(low)));
      if (plan.scalar_args != 0) {
        emit(mov_imm(2, random_imm()));
        set(2, Value::scalar());
      }
      break;
    }
  }
  if (!chosen) {
    plan.entry = code_.new_label();
    callees.push_back(plan);
    chosen = callees.size() - 1;
  }
  code_.call(callees[*chosen].entry);
  after_call(Value::scalar());
  ++program_.report.local_calls;
  if (!locked(0) && c_.below(10) < 7) absorb(0);
  restore(*saved);
  return true;
}

// λ-IO helpers with pointer + size arguments, the way λ functions use them.
bool FunctionGenerator::helper_call_fragment() {
  // How the program uses the helper (not the helper's id: those are kMemcpy…).
  enum Use { kInToStack, kInToOut, kStackToOut, kSetOut, kSetStack, kCompare, kBoundedCopy, kReadAt, kWriteAt,
             kHeapBlock, kUses };
  const Use use = static_cast<Use>(c_.below(kUses));
  if (use == kHeapBlock && locked(0)) return false;
  const int32_t n = static_cast<int32_t>(c_.between(1, 64));
  const int words = (n + 7) / 8;
  const int32_t in_off = static_cast<int32_t>(c_.below(4) == 0 ? c_.below(512) : c_.below(16) * 8);
  const int32_t out_off = static_cast<int32_t>(c_.below(8) * 8);
  int low = 0;  // see the note on plain ints above
  const bool needs_stack = use == kInToStack || use == kStackToOut || use == kSetStack || use == kCompare ||
                           use == kBoundedCopy || use == kReadAt || use == kWriteAt;
  if (needs_stack) {
    const std::optional<int> run = slot_run(use == kBoundedCopy ? 8 : words);
    if (!run) return false;
    low = *run;
  }
  const bool needs_in = use == kInToStack || use == kInToOut || use == kCompare || use == kBoundedCopy ||
                        use == kReadAt;
  const bool needs_out = use == kInToOut || use == kStackToOut || use == kSetOut || use == kWriteAt;
  if (needs_in && !(can_obtain(Want::kInput) && can_obtain(Want::kSizeI))) return false;
  if (needs_out && !(can_obtain(Want::kOutput) && can_obtain(Want::kSizeOCap))) return false;
  // Buffers the helper reads are written first: `u8 buf[N] = {…}`.
  if (use == kStackToOut || use == kCompare || use == kBoundedCopy || use == kWriteAt) {
    for (int k = 0; k < (use == kBoundedCopy ? 8 : words); ++k) {
      const int16_t off = static_cast<int16_t>(slot_offset(low) + 8 * k);
      emit(store(8, kFp, off, imm_operand(use == kBoundedCopy ? 0 : random_imm())));
      note_scalar_store(off, 8);
    }
  }
  const auto saved = save_locked_caller_saved();
  if (!saved) return false;
  evacuate_caller_saved();
  if ((needs_in && !(can_obtain(Want::kInput) && can_obtain(Want::kSizeI))) ||
      (needs_out && !(can_obtain(Want::kOutput) && can_obtain(Want::kSizeOCap)))) {
    restore(*saved);
    return false;
  }
  const int16_t stack_base = needs_stack ? slot_offset(low) : 0;

  // Guards: if (size_i < in_off + n || size_o_cap < out_off + n) return / skip.
  const unsigned guard = static_cast<unsigned>(c_.below(4));  // 0: return, 1: skip, else none
  std::optional<Label> skip;
  FrameState before;
  if (guard <= 1 && (needs_in || needs_out) && use != kReadAt && use != kBoundedCopy) {
    const Label go_on = code_.new_label();
    if (guard == 1) {
      skip = code_.new_label();
      before = s_;
    }
    auto check = [&](Want w, int32_t needed) {
      auto size = obtain(w);
      if (!size) return;
      if (guard == 1) code_.jump(branch(false, isa::kJmpJlt, *size, imm_operand(needed)), *skip);
      else code_.jump(branch(false, isa::kJmpJlt, *size, imm_operand(needed)), go_on);
    };
    if (needs_in) check(Want::kSizeI, in_off + n);
    if (needs_out) check(Want::kSizeOCap, out_off + n);
    if (guard == 0) {
      const Label fine = code_.new_label();
      code_.ja(fine);
      code_.bind(go_on);
      emit_exit_with(-1);
      code_.bind(fine);
    } else {
      code_.bind(go_on);  // never jumped to
    }
  }
  auto stack_arg = [&](uint8_t r, int16_t extra = 0) {
    emit(mov(r, kFp));
    emit(add_imm(r, stack_base + extra));
    set(r, Value::pointer(Kind::kStack, stack_base + extra));
  };
  auto region_arg = [&](Want w, uint8_t r, int32_t off) {
    materialize(w, r);
    if (off != 0) {
      emit(add_imm(r, off));
      set(r, Value::dead());
    }
  };
  auto size_arg = [&](uint8_t r, int32_t value) {
    emit(mov_imm(r, value));
    set(r, Value::scalar());
  };
  Value result = Value::scalar();
  int32_t id = kMemcpy;
  switch (use) {
    case kInToStack:
      stack_arg(1);
      region_arg(Want::kInput, 2, in_off);
      size_arg(3, n);
      break;
    case kInToOut:
      region_arg(Want::kOutput, 1, out_off);
      region_arg(Want::kInput, 2, in_off);
      size_arg(3, n);
      break;
    case kStackToOut:
      region_arg(Want::kOutput, 1, out_off);
      stack_arg(2);
      size_arg(3, n);
      break;
    case kSetOut:
      id = kMemset;
      region_arg(Want::kOutput, 1, out_off);
      size_arg(2, static_cast<int32_t>(c_.below(256)));
      size_arg(3, n);
      break;
    case kSetStack:
      id = kMemset;
      stack_arg(1);
      size_arg(2, 0);
      size_arg(3, n);
      break;
    case kCompare:
      id = kMemcmp;
      region_arg(Want::kInput, 1, in_off);
      stack_arg(2);
      size_arg(3, n);
      break;
    case kBoundedCopy: {  // memcpy(buf, buf_i, min(size_i, 64))
      materialize(Want::kSizeI, 3);
      set(3, Value::scalar());
      const Label small = code_.new_label();
      code_.jump(branch(false, isa::kJmpJle, 3, imm_operand(64)), small);
      emit(mov_imm(3, 64));
      code_.bind(small);
      stack_arg(1);
      materialize(Want::kInput, 2);
      break;
    }
    case kReadAt:  // mem_read(buf, buf_i, off, n, size_i): λ-IO clamps off
      id = kMemRead;
      stack_arg(1);
      materialize(Want::kInput, 2);
      if (auto x = any_scalar(); x && *x > 5 && c_.coin()) emit(mov(3, *x));
      else emit(mov_imm(3, in_off));
      set(3, Value::scalar());
      size_arg(4, n);
      materialize(Want::kSizeI, 5);
      break;
    case kWriteAt:  // mem_write(buf_o, buf, off, n, size_o_cap)
      id = kMemWrite;
      materialize(Want::kOutput, 1);
      stack_arg(2);
      if (auto x = any_scalar(); x && *x > 5 && c_.coin()) emit(mov(3, *x));
      else emit(mov_imm(3, out_off));
      set(3, Value::scalar());
      size_arg(4, n);
      materialize(Want::kSizeOCap, 5);
      break;
    case kHeapBlock: {
      const int32_t bytes = static_cast<int32_t>(8 * c_.between(1, 32));
      size_arg(1, bytes);
      emit(helper_call(kMalloc));
      after_call(Value::dead());
      ++program_.report.helper_calls;
      const Label null = code_.new_label();
      const FrameState at_null = s_;
      code_.jump(branch(false, isa::kJmpJeq, 0, imm_operand(0)), null);
      set(0, Value::pointer(Kind::kHeap, bytes));
      claim(0);
      const int16_t off = static_cast<int16_t>(c_.below(static_cast<uint64_t>(bytes / 8)) * 8);
      emit(store(8, 0, off, imm_operand(random_imm())));
      if (c_.coin()) {
        if (auto v = fresh()) {
          emit(load(8, *v, 0, off));
          set(*v, Value::scalar());
          absorb(*v);
        }
      }
      if (c_.below(10) < 7) {
        emit(mov(1, 0));
        set(1, s_.regs[0]);
        emit(helper_call(kFree));
        after_call(Value::scalar());
        ++program_.report.helper_calls;
      }
      code_.bind(null);
      s_ = join(at_null, s_);
      set(0, Value::dead());
      restore(*saved);
      return true;
    }
    case kUses: break;
  }
  emit(helper_call(id));
  const bool returns_dst = id == kMemcpy || id == kMemset;
  after_call(returns_dst ? Value::dead() : result);
  ++program_.report.helper_calls;
  // What the helper wrote to the stack is initialised now.
  if (use == kInToStack || use == kSetStack || use == kReadAt) note_scalar_store(stack_base, static_cast<unsigned>(n));
  if (!returns_dst && !locked(0) && c_.coin()) absorb(0);
  restore(*saved);
  if ((use == kInToStack || use == kBoundedCopy || use == kReadAt) && stack_bytes_readable(stack_base, 8) &&
      c_.coin()) {
    if (auto v = fresh()) {
      emit(load(8, *v, kFp, stack_base));
      set(*v, Value::scalar());
      absorb(*v);
    }
  }
  if (skip) {
    code_.bind(*skip);
    s_ = join(before, s_);
  }
  return true;
}

}  // namespace sbpf::testing::generator
