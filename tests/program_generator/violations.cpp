// Deliberate violations, planted at a low rate so that rejections are
// exercised too. Each is recorded in the report with the rule it breaks.
#include "tests/program_generator/function_generator.h"

#include <algorithm>

namespace sbpf::testing::generator {

// ---------------------------------------------------------------------------
// Deliberate violations

bool FunctionGenerator::violation() {
  switch (c_.below(13)) {
    case 0: {  // a scalar used as a pointer
      auto x = any_scalar();
      if (!x) return false;
      if (c_.coin()) {
        auto v = fresh();
        if (!v) return false;
        plant(Rule::kScalarDereference, "load through a scalar");
        emit(load(8, *v, *x, static_cast<int16_t>(c_.below(8) * 8)));
        set(*v, Value::scalar());
      } else {
        plant(Rule::kScalarDereference, "store through a scalar");
        emit(store(4, *x, 0, imm_operand(random_imm())));
      }
      return true;
    }
    case 1: {  // a write into the read-only input
      auto p = obtain(Want::kInput);
      if (!p) return false;
      plant(Rule::kReadOnly, "store to the input");
      emit(store(1, *p, static_cast<int16_t>(c_.below(8)), imm_operand(random_imm())));
      return true;
    }
    case 2: {  // a write into the context
      auto ctx = obtain(Want::kCtx);
      if (!ctx) return false;
      plant(Rule::kReadOnly, "store to the context");
      emit(store(8, *ctx, ctx_offset(c_.pick({Want::kInput, Want::kOutput, Want::kSizeI, Want::kSizeOCap})),
                 imm_operand(random_imm())));
      return true;
    }
    case 3: {  // a pointer stored where the caller reads it
      auto o = obtain(Want::kOutput);
      auto cap = obtain(Want::kSizeOCap);
      if (!o || !cap) return false;
      uint16_t mask = 0;
      for (uint8_t r = 0; r < kRegisters; ++r)
        if (s_.regs[r].is_pointer()) mask |= static_cast<uint16_t>(1u << r);
      const Label skip = code_.new_label();
      code_.jump(branch(false, isa::kJmpJlt, *cap, imm_operand(8)), skip);
      const uint8_t ptr = mask != 0 && c_.coin() ? pick_register(mask) : *o;
      plant(Rule::kPointerLeak, "pointer stored to the output");
      emit(store(8, *o, 0, reg_operand(ptr)));
      code_.bind(skip);
      return true;
    }
    case 4: {  // a pointer returned
      uint16_t mask = 0;
      for (uint8_t r = 0; r < kRegisters; ++r)
        if (s_.regs[r].is_pointer()) mask |= static_cast<uint16_t>(1u << r);
      if (mask == 0) return false;
      const uint8_t ptr = pick_register(mask);
      auto x = any_scalar();
      if (!x) return false;
      const Label go_on = code_.new_label();
      emit_branch(*x, go_on);
      emit(mov(0, ptr));
      plant(Rule::kReturnValue, "pointer returned");
      emit(exit_insn());
      code_.bind(go_on);
      return true;
    }
    case 5: {  // an uninitialised register read
      uint16_t mask = 0;
      for (uint8_t r = 0; r < kRegisters; ++r)
        if (!(ever_written_ & bit(r))) mask |= bit(r);
      auto acc = accumulator();
      if (mask == 0 || !acc) return false;
      plant(Rule::kUninitialized, "read of an uninitialised register");
      emit(add_reg(*acc, pick_register(mask)));
      return true;
    }
    case 6: {  // an uninitialised stack read
      auto v = fresh();  // first: it may spill
      if (!v) return false;
      std::vector<int> slots;
      for (int s = 0; s < kSlots; ++s)
        if (!slot_ever_written_[s]) slots.push_back(s);
      if (slots.empty()) return false;
      plant(Rule::kUninitialized, "read of uninitialised stack");
      emit(load(8, *v, kFp, slot_offset(slots[c_.below(slots.size())])));
      set(*v, Value::scalar());
      return true;
    }
    case 7: {  // below the 512-byte frame
      plant(Rule::kStackLimit, "store below the stack frame");
      emit(store(8, kFp, static_cast<int16_t>(-520 - 8 * static_cast<int>(c_.below(8))), imm_operand(0)));
      return true;
    }
    case 8: {  // past the end of the context
      auto ctx = obtain(Want::kCtx);
      auto v = fresh();
      if (!ctx || !v) return false;
      plant(Rule::kOutOfBounds, "load past the end of the context");
      emit(load(8, *v, *ctx, static_cast<int16_t>(32 + 8 * c_.below(4))));
      set(*v, Value::scalar());
      return true;
    }
    case 9: {  // before the start of the input
      auto p = obtain(Want::kInput);
      auto v = fresh();
      if (!p || !v) return false;
      plant(Rule::kOutOfBounds, "load before the start of the input");
      emit(load(1, *v, *p, static_cast<int16_t>(-1 - static_cast<int>(c_.below(16)))));
      set(*v, Value::scalar());
      return true;
    }
    case 10: {  // a pointer turned into a number
      auto p = obtain(c_.coin() ? Want::kInput : Want::kOutput);
      auto d = fresh();
      if (!p || !d) return false;
      emit(mov(*d, *p));
      plant(Rule::kPointerLeak, "pointer turned into a number");
      if (c_.coin()) emit(alu(true, isa::kAluMul, *d, imm_operand(3)));
      else emit(alu(false, isa::kAluAdd, *d, imm_operand(0)));
      set(*d, Value::scalar());
      absorb(*d);
      set(*d, Value::dead());
      return true;
    }
    case 11: {  // a helper given a scalar where it wants memory
      if ((locks_.regs & kCallerSaved) != 0) return false;
      evacuate_caller_saved();
      auto x = any_scalar();
      if (x) emit(mov(1, *x));
      else emit(mov_imm(1, random_imm()));
      emit(mov_imm(2, 0));
      emit(mov_imm(3, 8));
      for (uint8_t r = 1; r <= 3; ++r) set(r, Value::scalar());
      plant(Rule::kHelperArgument, "memset of a scalar address");
      emit(helper_call(kMemset));
      after_call(Value::dead());
      return true;
    }
    default: {  // a helper asked to write into the input
      if ((locks_.regs & kCallerSaved) != 0) return false;
      evacuate_caller_saved();
      if (!can_obtain(Want::kInput)) return false;
      materialize(Want::kInput, 1);
      emit(mov_imm(2, 0));
      emit(mov_imm(3, 1));
      set(2, Value::scalar());
      set(3, Value::scalar());
      plant(Rule::kHelperArgument, "memset of the input");
      emit(helper_call(kMemset));
      after_call(Value::dead());
      return true;
    }
  }
}

}  // namespace sbpf::testing::generator
