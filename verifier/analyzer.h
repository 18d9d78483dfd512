// The analysis behind verify(): a fixpoint over each function's graph per
// call context, then a checking pass over the final states that records
// diagnostics and annotations. Internal to verifier/; the public surface is
// verifier.h.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "verifier/abstract_state.h"
#include "verifier/argument_registers.h"
#include "isa/control_flow.h"
#include "verifier/data_pointers.h"
#include "verifier/guard_prover.h"
#include "verifier/verifier.h"

namespace sbpf::verifier {

class Analyzer {
 public:
  // `data_pointers`: what the address slots of global data hold (see
  // data_pointers.h); the run records what the program stores there.
  Analyzer(const isa::Program& program, const ProgramType& type, const Options& options,
           DataPointerTypes data_pointers);
  VerificationResult run();
  // After run(): per address slot, the join of every value a proven store
  // may have put there (nullopt: none).
  const DataPointerStores& data_pointer_stores() const { return data_pointer_stores_; }

 private:
  // A function analysed for one chain of call sites, or, once the function
  // has too many of those, for every further call site whose entry has one
  // caller_frame_shape (a shared context).
  struct Context {
    size_t function = 0;
    bool shared = false;
    // The states at the loop heads after the last analysis, by block
    // (sorted): where the next analysis starts warm, and what the loop-bound
    // proof reads. The other blocks' states are dropped: a program with
    // many calls has many contexts, and every state a difference-bounds
    // matrix and a frame per caller.
    std::vector<std::pair<size_t, AbstractState>> heads;
    std::vector<unsigned> visits;   // per block: joins so far (loop heads widen after a few)
    bool have_entry = false;
    // The checking pass analysed it. Each later analysis starts from an
    // entry that covers the last one, so the loop facts below, from its
    // last check, hold for every entry it was checked from.
    bool checked = false;
    bool last_checked = false;  // its last analysis was a check: last_entry's diagnostics are recorded
    unsigned entries_seen = 0;  // entries grown into last_entry so far
    // Per frame of a caller, the slots this function or its callees may
    // write (bit i: slot i); a call site keeps its own view of the others.
    std::array<uint64_t, kMaxFrames> caller_writes{};
    // And the slots they may read. A run never touches the callers' other
    // slots, so whatever they hold, it goes as it would from last_entry
    // (see covers()).
    std::array<uint64_t, kMaxFrames> caller_reads{};
    AbstractState last_entry, last_exit;
    // Filled by the checking pass, read by the loop-bound proof, which
    // looks at the running frame's registers only (kept for every checked
    // context, so no more than that):
    struct LatchState {
      size_t from, to;  // an edge back to a loop's head
      std::array<Value, 11> regs;
    };
    std::vector<LatchState> latch_states;
    std::vector<std::pair<size_t, Value>> before;  // the register an add/sub of a constant steps, before it
    std::vector<bool> checked_block;               // reached by the checking pass
    // The checks that took their callee's exit from this context's check:
    // the calling context and the call's pc. How often their loops may run
    // bounds how often this function is entered.
    std::vector<std::pair<int, size_t>> callers;
  };
  struct Edge {
    size_t to;
    AbstractState state;
  };

  // fixpoint.cpp
  void prepare();
  AbstractState analyze_function(int context, const AbstractState& entry, bool check);
  // Before an analysis: the exit when an earlier analysis covers `entry`;
  // else nullopt, with `entry` grown as call sites and rounds require and
  // `in`/`visits` set to start warm from the last analysis's loop heads.
  std::optional<AbstractState> reuse_or_plan(int context, bool check, AbstractState& entry,
                                             std::vector<AbstractState>& in, std::vector<unsigned>& visits);
  std::vector<Edge> transfer_block(int context, size_t block, AbstractState state, bool check, AbstractState& exits);
  // The context that analyses the call at `call_pc` in `context` from
  // `entry`: the call string's own, or once `function`'s contexts pass
  // kContextInstructionsBeforeSharing, the one its entry's shape shares.
  int child_context(int context, size_t call_pc, size_t function, const AbstractState& entry);
  // Whether `c`'s last analysis holds for `entry`: `entry` is below
  // last_entry except perhaps at caller slots that no run from either
  // touches, which the call site takes back from its own state.
  static bool covers(const Context& c, const AbstractState& entry);
  // Another context of the same function whose last analysis (a check, for
  // `checked`) covers `entry`, or -1.
  int covering_context(int context, const AbstractState& entry, bool checked) const;
  // The state at loop head `block` of `c` after its last analysis.
  static const AbstractState& head_state(const Context& c, size_t block);
  AbstractState entry_state();
  WideningThresholds loop_thresholds(const isa::FunctionGraph& g, const isa::Loop& loop, const AbstractState& old,
                                     const AbstractState& next) const;

  // instruction semantics: alu_semantics.cpp, branch_semantics.cpp,
  // memory_semantics.cpp, call_semantics.cpp
  void step(int context, size_t pc, AbstractState& s, bool check, AbstractState& exits);
  void alu(size_t pc, AbstractState& s);
  void branch(size_t pc, const AbstractState& s, AbstractState& taken, AbstractState& not_taken);
  void load(size_t pc, AbstractState& s);
  void store(size_t pc, AbstractState& s);
  void atomic(size_t pc, AbstractState& s);
  void lddw(size_t pc, AbstractState& s);
  void helper_call(size_t pc, int32_t id, AbstractState& s);
  void local_call(int context, size_t pc, AbstractState& s, bool check);
  void exit(size_t pc, AbstractState& s, AbstractState& exits);

  // Values and registers.
  Value use(size_t pc, const AbstractState& s, int r);  // reports an uninitialised read
  void set_scalar(AbstractState& s, int r, const Scalar& v);
  void set_value(AbstractState& s, int r, const Value& v);
  void sync_bounds(AbstractState& s, int r);  // interval -> difference bounds

  // Memory (memory_semantics.cpp).
  enum class Access : uint8_t { kRead, kWrite };
  struct AccessResult {
    bool ok = false;
    bool proven = false;
    RegionIds regions = 0;
    RelativeRange relative;  // the address against a register the innermost loop keeps
    bool slot_access = false;  // guarded to one whole address slot (kPointerSlotAccess)
  };
  AccessResult check_access(size_t pc, const AbstractState& s, int base, const Value& ptr, int64_t offset,
                            uint64_t size_max, Access access, const char* what);
  // A fill (an 8-byte load of a spilled value) also gives back the value's
  // bounds against the region lengths in `lengths`.
  Value read_stack(size_t pc, AbstractState& s, const Value& ptr, int64_t offset, unsigned size, bool sign_extend,
                   LengthBounds* lengths = nullptr);
  void write_stack(size_t pc, AbstractState& s, const Value& ptr, int64_t offset, uint64_t size_max, const Value* value,
                   bool exact, const LengthBounds& lengths = {});
  bool check_stack_readable(size_t pc, const AbstractState& s, const Value& ptr, int64_t offset, uint64_t size_max,
                            const char* what);
  // Bytes [lo, hi) of frame `frame` are accessed: when that is a caller's
  // frame, the running context's caller_reads or caller_writes take their slots.
  void note_caller_slots(const AbstractState& s, uint8_t frame, int64_t lo, int64_t hi, Access access);
  // The address slots of global data an access of `size` bytes at `ptr` +
  // `offset` may touch (data_pointers.h).
  struct SlotTouch {
    bool any = false;    // it may touch a byte of some slot
    bool whole = false;  // every place it may access is exactly one slot (8 bytes, aligned)
    bool exact = false;  // one region, a known offset: it touches what it touches on every path
    std::vector<std::pair<size_t, size_t>> slots;   // (section, pointer index) it may touch
    std::vector<std::pair<size_t, size_t>> starts;  // those it may access whole
  };
  SlotTouch data_slots(const Value& ptr, int64_t offset, unsigned size) const;
  // An access that must keep off the slots it may touch: guarded, which the
  // run-time check keeps off them, and never proven by --prove.
  void guard_off_slots(size_t pc, AccessResult& r);
  // An 8-byte access proven in bounds that may be a whole slot or plain
  // data: guarded to the slot (kPointerSlotAccess). Returns false when it
  // cannot be: no slot may start where it accesses, or it is not proven.
  bool guard_to_slot(size_t pc, AccessResult& r, const SlotTouch& t, unsigned size);
  Value read_ctx(size_t pc, const Value& ptr, int64_t offset, unsigned size);
  bool check_ctx_write(size_t pc, const Value& ptr, int64_t offset, unsigned size);
  void record_access(size_t pc, const AccessResult& r, unsigned size);

  // --prove: what the checking pass knows before each instruction, and the
  // Z3 pass over the guards that remain.
  void note_facts(size_t pc, const AbstractState& s);
  void prove_guards();

  // Diagnostics, only while checking.
  void error(size_t pc, Rule rule, std::string message);
  std::string insn_text(size_t pc) const;

  // loop_bounds.cpp: decides free or counted for every backward jump.
  void decide_back_edges();
  uint64_t loop_trip_bound(const Context& c, const isa::FunctionGraph& g, size_t loop);

  const isa::Program& program_;
  const ProgramType& type_;
  const Options& options_;
  isa::ProgramGraph graph_;
  std::vector<WideningThresholds> offset_thresholds_;             // per region id
  std::vector<RegisterMask> arguments_;                           // per function: the r1..r5 it reads
  RegionTable regions_;
  std::vector<Context> contexts_;
  std::map<std::pair<int, size_t>, int> context_of_call_;
  std::vector<std::vector<int>> contexts_of_function_;
  struct MergedSites {
    unsigned analyses = 0;  // call sites analysed from their own entry so far
    int last = -1;          // the context analysed last
    int shared = -1;        // the context every further call site shares, once there is one
  };
  // By function, call depth and caller_frame_shape (fixpoint.cpp).
  std::map<std::tuple<size_t, size_t, uint64_t>, MergedSites> merged_sites_;
  bool checking_ = false;
  int current_context_ = 0;  // the context whose blocks are being transferred
  int exit_context_ = 0;     // set by analyze_function: the context whose analysis gave its exit
  VerificationResult result_;
  std::vector<bool> access_seen_;      // per pc: some checked context reached it
  std::vector<uint8_t> error_at_;      // per pc: a diagnostic was already reported
  std::vector<std::unique_ptr<PointFacts>> point_facts_;  // per pc, with --prove
  DataPointerTypes data_pointers_;
  DataPointerStores data_pointer_stores_;
  std::vector<bool> off_slots_;  // per pc: guarded to keep off address slots (guard_off_slots)
  // Per pc, what its guard must let through in the contexts checked: bit 0
  // only a whole address slot, bit 1 anything but one (a guard has one
  // check for all contexts, so both is a rejection).
  std::vector<uint8_t> slot_guard_;
};

}  // namespace sbpf::verifier
