#include "jit/lowering.h"

#include <algorithm>
#include <cstddef>

namespace sbpf::jit {

Label Lowering::stub(Label label, const Stub& stub) {
  stubs_.push_back({label, stub});
  return label;
}

Label Lowering::jump_label(size_t from, int64_t target) const {
  const JumpDestination d = plan_.destination(from, target, copying_);
  switch (d.kind) {
    case JumpDestination::kCopy: return copy_label_[d.pc];
    case JumpDestination::kLoopEntry: return entry_[d.loop];
    case JumpDestination::kCheckedHead: return checked_head_[d.loop];
    case JumpDestination::kInstruction: break;
  }
  return pc_label(d.pc);
}

LoweredCode Lowering::lower() {
  CodeBuffer code;
  // About what x86-64 and arm64 make of a slot, and the labels, jumps and
  // stubs of the slots' guards and branches, so that little grows by
  // copying.
  const size_t slots = plan_.size();
  code.reserve(16 * slots + 256);
  code.reserve(2 * slots + 64, slots / 2 + 64);
  stubs_.reserve(slots / 2 + 16);
  code_ = &code;
  emit_program();
  LoweredCode lowered;
  lowered.code = code.finish();
  lowered.pc_offsets.resize(plan_.size() + 1);
  for (size_t pc = 0; pc <= plan_.size(); ++pc)
    lowered.pc_offsets[pc] = static_cast<uint32_t>(code.offset_of(pc_label(pc)));
  code_ = nullptr;
  return lowered;
}

void Lowering::emit_program() {
  CodeBuffer& code = *code_;
  copying_ = nullptr;
  stubs_.clear();
  const size_t n = plan_.size();
  const std::vector<VersionedLoop>& loops = plan_.versioned_loops();
  first_pc_label_ = code.make_labels(n + 1);
  epilogue_ = code.make_label();
  abort_exit_ = code.make_label();
  copy_label_.assign(n, Label{});
  entry_.clear();
  checked_head_.clear();
  for (const VersionedLoop& loop : loops) {
    entry_.push_back(code.make_label());
    checked_head_.push_back(code.make_label());
    for (size_t pc : loop.members) copy_label_[pc] = code.make_label();
  }

  emit_prologue();
  for (size_t pc = 0; pc < n; ++pc) {
    code.bind(pc_label(pc));
    if (const int index = plan_.loop_headed_at(pc); index >= 0) {
      const VersionedLoop& loop = loops[static_cast<size_t>(index)];
      const auto i = static_cast<size_t>(index);
      stub(entry_[i], stub::LoopEntry{i});
      // Falling in from the loop itself goes round; from anywhere else
      // (code before the loop, a call to a function headed by it), enters.
      if (!plan_.falls_through_from(pc, loop)) emit_jump(entry_[i]);
      code.bind(checked_head_[i]);
    }
    if (!plan_.folded(pc)) emit_instruction(pc);
  }
  code.bind(pc_label(n));

  // Stubs may add stubs of their own (a guard's slow path ends in an abort).
  for (size_t i = 0; i < stubs_.size(); ++i) {
    code.bind(stubs_[i].label);
    const Stub stub = stubs_[i].stub;  // a copy: emitting it may queue more
    if (const auto* entry = std::get_if<stub::LoopEntry>(&stub)) {
      const VersionedLoop& loop = loops[entry->loop];
      emit_entry_check(loop);
      if (plan_.options().count_versioned_trips) emit_count(offsetof(NativeContext, versioned_entries));
      emit_loop_copy(loop);
    } else {
      emit_stub(stub);
    }
  }
  emit_exits(abort_exit_, epilogue_);
}

// The loop's instructions again, from its header on, with the hoisted
// guards left out. Jumps stay in the copy while their target is in the
// loop; where the next instruction in the program is not the copy's next,
// an explicit jump takes the fall-through's place.
void Lowering::emit_loop_copy(const VersionedLoop& loop) {
  const size_t n = plan_.size();
  copying_ = &loop;
  const std::vector<size_t>& pcs = loop.members;
  for (size_t i = 0; i < pcs.size(); ++i) {
    const size_t pc = pcs[i];
    code_->bind(copy_label_[pc]);
    if (i == 0 && plan_.options().count_versioned_trips) emit_count(offsetof(NativeContext, versioned_trips));
    if (plan_.folded(pc)) continue;  // part of an earlier instruction: nothing jumps here
    emit_instruction(pc);
    if (plan_.program().insns[pc].ends_block_unconditionally()) continue;
    const size_t next = plan_.successor(pc);
    if (const std::optional<Select>& s = plan_.select_at(pc); s && s->then_jump) continue;  // ends in its `ja`
    size_t following = i + 1;  // the copy's next instruction with code of its own
    while (following < pcs.size() && plan_.folded(pcs[following])) ++following;
    const bool falls_into_next = following < pcs.size() && pcs[following] == next;
    if (!falls_into_next && next < n) emit_jump(jump_label(pc, static_cast<int64_t>(next)));
  }
  copying_ = nullptr;
}

}  // namespace sbpf::jit
