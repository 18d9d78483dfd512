// What every backend decides the same way before it writes a byte: where
// jumps land, which conditional jumps become selects, which back-edges
// count against the budget, which loops run twice (versioned), how guard
// sites are numbered, and what each `lddw` loads. A backend turns the plan
// into its own instructions (jit/lowering.h drives it); nothing here knows
// an instruction encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "isa/program.h"
#include "jit/native_program.h"
#include "verifier/annotations.h"

namespace sbpf::jit {

// clang computes min, max and abs in BPF with a jump over a move or two,
// and a jump on data mispredicts about every other time: a select does not.
// The shape: a conditional jump to T over one to three 64-bit moves and
// arithmetic (add, sub, and, or, xor, mul) into one register, the first a
// move (so the result does not depend on the register's old value), either
// falling through to T or followed by `ja T` (with the same budget as the
// jump). Nothing else may jump into the moves. A backend computes the moves
// into a scratch register and keeps the result when the jump is not taken.
struct Select {
  uint32_t block_end;  // one past the folded moves (32 bits: the plan keeps a Select slot per pc)
  bool then_jump;      // a `ja` to the jump's target at block_end follows them
  uint8_t dst;         // the register they compute
};

// A loop whose guarded accesses keep a known distance from registers it
// never writes (verifier::RelativeRange) is emitted twice: as it is, and out
// of line without those guards. Entering it checks each such access's whole
// range once against the access's cached region and runs the copy when all
// of them fit. Only innermost, reducible loops: a copy of an outer loop
// would run its inner loops' guarded code out of reach of their own entry
// checks, and an irreducible loop has entries that bypass the check.
struct VersionedLoop {
  size_t head = 0;              // the header's first pc: where the loop is entered
  std::vector<size_t> members;  // the loop's pcs from the header on, in address order, wrapping around
  std::vector<size_t> hoisted;  // the accesses the copy runs unguarded (sorted)

  bool is_hoisted(size_t pc) const;
};

// Where a jump lands, before any label exists.
struct JumpDestination {
  enum Kind : uint8_t {
    kInstruction,  // pc's code in the main body
    kCopy,         // pc's code in the copy of the loop being emitted
    kLoopEntry,    // loop's entry check (a jump into a versioned loop from outside it)
    kCheckedHead,  // loop's header in the main body, past the jump to its entry check
  };
  Kind kind;
  size_t pc;    // kInstruction, kCopy
  size_t loop;  // kLoopEntry, kCheckedHead: index into versioned_loops()
};

// A pointer argument of an inline memory helper: register and direction.
struct HelperPointer {
  uint8_t reg;
  bool write;
};
std::span<const HelperPointer> helper_pointers(MemoryHelper kind);

class LoweringPlan {
 public:
  // `program` must be validated (isa::validate) and `annotations` have one
  // entry per slot (jit::compile checks both).
  // `source_pc`: per slot, the verified program's (see source_pc()); empty
  // when `program` is the verified program itself. Throws UnsupportedForJit
  // for an `lddw` that needs a kernel and for a data section without an
  // address.
  LoweringPlan(const isa::Program& program, const verifier::Annotations& annotations, const CompileOptions& options,
               std::vector<uint32_t> source_pc = {});

  const isa::Program& program() const { return program_; }
  const verifier::Annotations& annotations() const { return annotations_; }
  const CompileOptions& options() const { return options_; }
  size_t size() const { return program_.size(); }

  // The pc of the verified program that the slot at pc comes from: what
  // native code reports to the runtime (abort pcs, helper call pcs) and
  // what guard sites name. The plan's program may be a rewrite of the
  // verified one (constant blinding adds instructions).
  size_t source_pc(size_t pc) const { return source_pc_.empty() ? pc : source_pc_[pc]; }

  // Some jump or local call lands at pc.
  bool is_jump_target(size_t pc) const { return program_.is_jump_target(pc); }
  // The select a conditional jump at pc starts, if any.
  const std::optional<Select>& select_at(size_t pc) const { return select_[pc]; }
  // The slot is emitted as part of an earlier instruction (an lddw's second
  // slot, a select's moves and its `ja`): nothing of its own, no label use.
  bool folded(size_t pc) const { return folded_[pc] != 0; }
  // The pc whose code follows pc's (past an lddw's second slot or a
  // select's folded slots); size() at the end.
  size_t successor(size_t pc) const;
  // A taken jump from pc to target that counts against the loop budget.
  bool counted_back_edge(size_t pc, int64_t target) const {
    return target <= static_cast<int64_t>(pc) && annotations_.back_edge[pc] != verifier::BackEdge::kFree;
  }
  // The 64-bit value an `lddw` at pc loads (data section addresses resolved).
  uint64_t constant_at(size_t pc) const;
  // The memory helper a helper call at pc runs inline, if any.
  std::optional<MemoryHelper> memory_helper_at(size_t pc) const;

  const std::vector<VersionedLoop>& versioned_loops() const { return loops_; }
  // The versioned loop headed at pc, or -1.
  int loop_headed_at(size_t pc) const { return loop_at_[pc]; }
  // pc belongs to `loop`.
  bool in_loop(const VersionedLoop& loop, size_t pc) const {
    return pc < loop_of_.size() && loop_of_[pc] == &loop - loops_.data();
  }
  // The instruction before `pc` belongs to `loop` and runs on into pc: the
  // main body reaches the header without passing the entry check.
  bool falls_through_from(size_t pc, const VersionedLoop& loop) const;
  // Where a jump from `from` to `target` goes; `copying` is the loop whose
  // copy is being emitted (nullptr in the main body). In a copy, targets in
  // the loop stay in the copy; from a versioned loop's own instructions, its
  // head is reached past the entry check; from anywhere else, through it.
  JumpDestination destination(size_t from, int64_t target, const VersionedLoop* copying) const;

  // The access at pc needs its guard: in the main body (copying nullptr)
  // unless proven; in a copy, unless proven or hoisted.
  bool needs_guard(size_t pc, const VersionedLoop* copying) const;
  // Guard sites: the main body's in pc order, then each copy's, loop by
  // loop. A guarded access has one; an inline memory helper one per pointer
  // argument, consecutive.
  const std::vector<GuardSite>& sites() const { return sites_; }
  // The first site of the access or inline helper at pc, in the main body
  // or in `copying`'s copy.
  uint32_t site(size_t pc, const VersionedLoop* copying) const;

 private:
  void plan_loop_versions();
  void find_selects_and_sites();
  std::optional<Select> select_shape(size_t pc) const;
  void number_copy_sites();
  // Appends the sites of the instruction at pc; returns its first, or UINT32_MAX.
  uint32_t add_sites(size_t pc, const VersionedLoop* copying);

  const isa::Program& program_;
  const verifier::Annotations& annotations_;
  const CompileOptions& options_;
  std::vector<uint32_t> source_pc_;  // empty: the identity
  std::vector<std::optional<Select>> select_;
  // Per-pc flags as bytes: read once per instruction by every walk, where
  // vector<bool>'s bit arithmetic shows.
  std::vector<uint8_t> folded_;
  std::vector<VersionedLoop> loops_;
  std::vector<int> loop_at_;  // per pc: the versioned loop headed there, or -1
  std::vector<int> loop_of_;  // per pc: the versioned loop it belongs to, or -1 (they are disjoint)
  std::vector<GuardSite> sites_;
  std::vector<uint32_t> main_site_;  // per pc
  // Per loop, (pc, first site) of its copy's sites, sorted by pc.
  std::vector<std::vector<std::pair<size_t, uint32_t>>> copy_site_;
};

}  // namespace sbpf::jit
