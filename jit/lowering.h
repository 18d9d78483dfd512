// The walk every backend makes over a LoweringPlan: the prologue, each
// instruction in address order with its label, versioned loops' entry
// checks and copies, out-of-line stubs, the epilogue. A backend derives
// from Lowering and encodes the pieces; the order of things, the labels and
// the copies' layout (a copy starts at its loop's header and wraps around)
// are decided here once for all of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "jit/code_buffer.h"
#include "jit/lowering_plan.h"

namespace sbpf::jit {

// Out-of-line code, emitted after the program: what each kind needs, as a
// plain record that the backend turns into its instructions. Registers are
// the backend's own numbers.
namespace stub {
// A versioned loop's entry check and unguarded copy (the walk emits it).
struct LoopEntry {
  size_t loop;  // index into LoweringPlan::versioned_loops()
};
// Ends the run with `kind` at pc, reporting a register's value if given.
struct Abort {
  NativeAbort kind;
  size_t pc;
  std::optional<uint8_t> value;
};
// A guard's miss at pc: the stack (when allowed), then the runtime's check
// of [base + offset, + bytes) at `site`; on to `resume` or `bounds`.
struct GuardMiss {
  size_t pc;
  uint8_t base;
  int16_t offset;
  uint8_t bytes;
  bool stack;
  uint32_t site;
  Label resume, bounds;
};
// A select whose jump and `ja` both count: the budget ran out on the one
// that was taken.
struct SelectBudget {
  Label at_jump, at_ja;
};
// An inline memory helper at pc called through the runtime instead, then on
// to `done`.
struct HelperCall {
  size_t pc;
  Label done;
};
// A memory helper's pointer argument missed its cached region: the stack,
// else the runtime call.
struct PointerMiss {
  uint8_t pointer, length;
  Label next, runtime_call;
};
}  // namespace stub
using Stub = std::variant<stub::LoopEntry, stub::Abort, stub::GuardMiss, stub::SelectBudget, stub::HelperCall,
                          stub::PointerMiss>;

// What a backend makes of a plan: the code, and per slot of the plan's
// program where its code starts (one more entry for the end of the body).
struct LoweredCode {
  CodeBytes code;
  std::vector<uint32_t> pc_offsets;
};

class Lowering {
 public:
  explicit Lowering(const LoweringPlan& plan) : plan_(plan) {}
  virtual ~Lowering() = default;

  // Emits the whole program and lays it out.
  LoweredCode lower();

 protected:
  // ---- what a backend encodes ----
  virtual void emit_prologue() = 0;
  // The instruction at pc (never a folded slot); jumps go through
  // jump_label(), and a select folds its slots (plan().select_at(pc)).
  virtual void emit_instruction(size_t pc) = 0;
  virtual void emit_jump(Label target) = 0;
  // Checks each hoisted access of `loop` and jumps to checked_head_label()
  // when one does not fit; falls through when all do (the walk then counts
  // the entry and emits the copy).
  virtual void emit_entry_check(const VersionedLoop& loop) = 0;
  // Counts one event in the NativeContext field at `offset` (versioned loop
  // entries and trips, CompileOptions::count_versioned_trips).
  virtual void emit_count(size_t context_offset) = 0;
  // After the stubs: the abort exit (unwind to the entry frame) and the
  // epilogue (return r0), at the labels given.
  virtual void emit_exits(Label abort_exit, Label epilogue) = 0;
  // A stub the backend queued (never a LoopEntry).
  virtual void emit_stub(const Stub& stub) = 0;

  // ---- what the walk offers a backend ----
  const LoweringPlan& plan() const { return plan_; }
  CodeBuffer& code() { return *code_; }
  // The loop whose copy is being emitted, or nullptr in the main body.
  const VersionedLoop* copying() const { return copying_; }
  Label jump_label(size_t from, int64_t target) const;
  Label pc_label(size_t pc) const { return Label{first_pc_label_.id + static_cast<uint32_t>(pc)}; }
  Label epilogue() const { return epilogue_; }
  Label abort_exit() const { return abort_exit_; }
  // A versioned loop's header in the main body, past its entry check.
  Label checked_head_label(const VersionedLoop& loop) const {
    return checked_head_[static_cast<size_t>(&loop - plan_.versioned_loops().data())];
  }
  // The guard site of the access or inline helper at pc, where it is being
  // emitted (main body or copy).
  uint32_t site(size_t pc) const { return plan_.site(pc, copying_); }
  // Out-of-line code, emitted after the program in the order queued; a
  // stub may queue more.
  Label stub(const Stub& stub) { return this->stub(code_->make_label(), stub); }
  Label stub(Label label, const Stub& stub);

 private:
  void emit_program();
  void emit_loop_copy(const VersionedLoop& loop);

  const LoweringPlan& plan_;
  CodeBuffer* code_ = nullptr;
  const VersionedLoop* copying_ = nullptr;
  Label first_pc_label_;  // per pc, and one for the end of the body: consecutive labels
  // Per versioned loop: its entry check, and its header past the jump there.
  std::vector<Label> entry_, checked_head_;
  // Per pc of a versioned loop: its code in the copy (innermost loops only,
  // so no pc is in two).
  std::vector<Label> copy_label_;
  Label epilogue_, abort_exit_;
  struct QueuedStub {
    Label label;
    Stub stub;
  };
  std::vector<QueuedStub> stubs_;
};

}  // namespace sbpf::jit
