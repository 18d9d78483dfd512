// How the generator works (program_generator.h says what it generates).
//
// A program is built fragment by fragment: each fragment emits one idiom
// (a loop over the input, a guarded store to the output, a spill, a helper
// call, …), chosen by the choice stream. The generator keeps an abstract state
// of its own code: what each register and each stack byte holds (a scalar,
// the context, the start of the input, …, or nothing usable). Fragments read
// only what the state says is there, so the code they emit is type-correct by
// construction, and a violation happens only where one is planted.
//
// The state stays exact enough without a fixpoint because of two rules:
//   - at a join (after an if/else) the state is the meet of both arms;
//   - at a loop's head everything readable is locked, and so are the
//     registers the loop's own code reads after its body: the body may add to
//     plain scalars in place, but not retype a register or a stack slot, so
//     the state at the head holds on every iteration. After the loop the state
//     is the one at the head, plus what the loop did to its own counters.
// A locked value in r0..r5 is spilled around a call and filled back, as a
// register allocator does. Jumps go to labels, resolved once the program is
// complete. Nothing here is random: every decision comes from Choices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "isa/program.h"
#include "tests/program_generator/choices.h"
#include "tests/program_generator/code_buffer.h"
#include "tests/program_generator/frame_state.h"
#include "tests/program_generator/program_generator.h"

namespace sbpf::testing::generator {

using verifier::Rule;

// ---------------------------------------------------------------------------
// Callees: functions placed after the entry function, called by bpf-to-bpf
// calls. A callee only calls callees created after it, so there is no
// recursion and a call chain is at most max_callees + 1 frames deep.

enum class CalleeShape : uint8_t {
  kScalars,      // f(u64 a, …): r1..rN scalars
  kCtx,          // f(struct context *ctx)
  kInputSpan,    // f(const u8 *buf_i, u64 size_i)
  kStackBuffer,  // f(u64 *buf, u64 x): buf is in the caller's frame
};

struct Callee {
  Label entry = 0;
  CalleeShape shape = CalleeShape::kScalars;
  unsigned scalar_args = 0;   // kScalars: r1..rN; kStackBuffer: 1 when r2 is passed
  uint32_t buffer_bytes = 0;  // kStackBuffer
};

class ProgramGenerator;

// ---------------------------------------------------------------------------
// One function's body, fragment by fragment.

class FunctionGenerator {
 public:
  FunctionGenerator(ProgramGenerator& program, const FrameState& entry, int index);
  void generate(size_t budget, size_t reserve = 0);

 private:
  enum class Fragment : uint8_t {
    kAlu, kConstant, kCtxLoad, kEarlyReturn, kInputLoad, kInputIndexed, kOutputStore, kOutputLoad,
    kSpill, kFill, kPartialStack, kStackArray, kCallerBuffer, kAtomic, kDiamond, kSelect,
    kWordLoop, kByteLoop, kPointerLoop, kCountedLoop, kRowLoop, kCopyLoop, kDataBoundLoop,
    kLocalCall, kHelperCall, kCount
  };

  // --- blocks and fragments
  void emit_block(size_t budget);
  bool emit_fragment(size_t remaining);
  // What the fragments can reach from here: computed once per choice.
  struct Reach {
    bool ctx, input, output, caller_buffer;
  };
  Reach reach() const;
  unsigned weight(Fragment f, size_t remaining, const Reach& reach) const;
  Locks lock_readable();
  void end_live_ranges();
  void nested_loop_body(size_t budget, uint16_t keep = 0);
  size_t nested_budget(size_t remaining, size_t overhead);
  void prologue();
  void epilogue();

  // Fragments. Each emits one idiom and returns true, or returns false when
  // it cannot apply here, having emitted at most harmless code (a spill, a
  // fill, a move) and never a jump to an unbound label.
  // fragments.cpp
  bool alu_chain();
  bool constant();
  bool ctx_load();
  bool early_return();
  bool input_load();
  bool input_indexed();
  bool output_store();
  bool output_load();
  bool spill();
  bool fill();
  bool partial_stack();
  bool stack_array();
  bool caller_buffer();
  bool atomic_update();
  bool diamond(size_t remaining);
  bool select();
  // loop_fragments.cpp
  bool word_loop(size_t remaining);
  bool word_loop_loading_in_header(size_t remaining, uint8_t p, uint8_t size, uint8_t i, uint8_t t, uint8_t v,
                                   uint8_t acc);
  bool byte_loop(size_t remaining);
  bool pointer_loop(size_t remaining);
  bool counted_loop(size_t remaining);
  bool row_loop(size_t remaining);
  bool copy_loop(size_t remaining);
  bool data_bound_loop(size_t remaining);
  bool endless_loop();
  // call_fragments.cpp
  bool local_call();
  bool helper_call_fragment();
  // violations.cpp
  bool violation();

  // --- registers
  bool readable(uint8_t r) const { return s_.regs[r].readable(); }
  bool busy(uint8_t r) const { return (busy_ >> r) & 1; }
  bool locked(uint8_t r) const { return (locks_.regs >> r) & 1; }
  bool clobberable(uint8_t r) const { return !busy(r) && !locked(r); }
  void claim(uint8_t r) { busy_ |= static_cast<uint16_t>(1u << r); }
  void set(uint8_t r, const Value& v) {
    s_.regs[r] = v;
    if (v.kind != Kind::kUninit) ever_written_ |= bit(r);
  }
  uint8_t pick_register(uint16_t mask);
  std::optional<uint8_t> fresh(bool prefer_callee_saved = false);
  void evict(uint8_t r);
  bool worth_keeping(uint8_t r) const;
  bool held_elsewhere(const Value& v, uint8_t except) const;
  bool can_obtain(Want w) const;
  std::optional<uint8_t> obtain(Want w);
  bool materialize(Want w, uint8_t target);
  std::optional<uint8_t> any_scalar(uint8_t except = 0xff);
  std::optional<uint8_t> accumulator(uint8_t except = 0xff);
  std::optional<uint8_t> loop_accumulator();
  std::optional<uint8_t> find_kind(Kind kind);
  void absorb(uint8_t value);
  void unpin(uint8_t r);
  void keep_ctx_in(std::optional<uint8_t> r);

  // --- stack
  bool slot_takes_scalar(int s) const;
  bool slot_takes_pointer(int s) const { return !locks_.slots[s] && !reserved_[s] && !last_ctx_slot(s); }
  // The context is the one value that cannot be loaded again: its last copy stays.
  bool last_ctx_slot(int s) const {
    return s_.slots[s].value.kind == Kind::kCtx && s_.slots[s].init == 0xff &&
           !held_elsewhere_than_slot(s_.slots[s].value, s);
  }
  bool held_elsewhere_than_slot(const Value& v, int slot) const;
  std::optional<int> slot_for_spill();
  std::optional<int> slot_run(int count);
  void note_scalar_store(int16_t fp_offset, unsigned bytes);
  void note_spill(int s, const Value& v);
  bool stack_bytes_readable(int16_t fp_offset, unsigned bytes) const;
  void spill_to(uint8_t r, int s);

  // --- calls
  // Registers a loop locked that a call clobbers, and the slots they are kept in meanwhile.
  using SavedAcrossCall = std::vector<std::pair<uint8_t, int>>;
  std::optional<SavedAcrossCall> save_locked_caller_saved();
  void restore(const SavedAcrossCall& saved);
  void evacuate_caller_saved();
  void after_call(const Value& r0);

  // --- small emitters
  void emit(const Instruction& insn);
  void emit_alu_op(uint8_t dst);
  void emit_branch(uint8_t lhs, Label target);
  void emit_exit_with(int32_t value);
  int32_t random_imm();
  uint8_t random_op_into(uint8_t acc, uint8_t v);
  void plant(Rule rule, std::string what);

  ProgramGenerator& program_;
  Choices& c_;
  CodeBuffer& code_;
  const GeneratorOptions& options_;
  int index_;  // -1 for the entry function, else the callee's index
  FrameState s_;
  Locks locks_;
  uint16_t busy_ = 0;                 // registers the current fragment is using
  // What any instruction so far in this function writes: a planted read of
  // uninitialised data uses only what is outside these, since the state's
  // "uninitialised" is conservative (it forgets what a loop body wrote).
  uint16_t ever_written_ = 0;
  std::bitset<kSlots> slot_ever_written_;
  std::bitset<kSlots> reserved_;      // slots the current fragment is about to use
  unsigned loop_depth_ = 0;
  unsigned nesting_ = 0;              // loops and if/else arms around the current point
};

// The program being generated: what its functions share.
class ProgramGenerator {
 public:
  ProgramGenerator(Choices& choices_in, const GeneratorOptions& options_in) : choices(choices_in), options(options_in) {}
  // The entry function, then every callee the functions asked for.
  isa::Program generate();

  Choices& choices;
  const GeneratorOptions& options;
  CodeBuffer code;
  std::vector<Callee> callees;
  GenerationReport report;

 private:
  static FrameState entry_state(const Callee& callee);
};

}  // namespace sbpf::testing::generator
