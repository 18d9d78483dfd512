// The abstract state at one program point: per frame the registers and the
// 8-byte stack slots, and the difference bounds of the current frame.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isa/machine_limits.h"
#include "isa/program.h"
#include "verifier/abstract_value.h"
#include "verifier/difference_bounds.h"
#include "verifier/program_type.h"

namespace sbpf::verifier {

inline constexpr int64_t kFrameBytes = isa::kStackFrameBytes;
inline constexpr int kSlotsPerFrame = kFrameBytes / 8;
inline constexpr int kMaxFrames = isa::kMaxFrames;

// One region of the analysis. Pointer offsets into the stack are relative to
// the top of their frame (valid offsets are -512..-1); others to the start.
struct AnalysisRegion {
  RegionKind kind = RegionKind::kMemory;
  RegionLength length;
  bool writable = false;
  int length_symbol = -1;  // index of its length in DifferenceBounds, -1 when fixed
  int section = -1;        // data sections: index in Program::sections
};

struct RegionTable {
  std::vector<AnalysisRegion> regions;
  int ctx = -1;
  int stack = -1;
  std::vector<int> section_region;  // Program::sections index -> region id

  int find(RegionKind kind) const;  // the first region of that kind, -1 if none
  RegionIds id_set(int region) const { return region < 0 ? 0 : RegionIds{1} << region; }
  RegionIds stack_id() const { return id_set(stack); }
  RegionIds ctx_id() const { return id_set(ctx); }  // 0 without a context
  std::string names(RegionIds ids) const;
  RegionSet kinds(RegionIds ids) const;
};

RegionTable build_region_table(const isa::Program& program, const ProgramType& type);

// Eight bytes of one frame's stack.
struct StackSlot {
  Value spilled;             // a register stored whole (8 aligned bytes), else uninit
  LengthBounds lengths;      // the spilled value's bounds against region lengths
  uint8_t written = 0;       // per byte: holds program data
  uint8_t pointer_bytes = 0; // per byte: holds part of a pointer

  void spill(const Value& v, const LengthBounds& bounds) {
    spilled = v;
    lengths = bounds;
  }
  void forget_value() { spill(Value::uninit(), {}); }
  bool untouched() const { return written == 0 && pointer_bytes == 0 && !spilled.is_init(); }

  bool operator==(const StackSlot&) const = default;
};

// A frame's 64 slots, slot i covering offsets -(i+1)*8 .. -i*8-1. Programs
// touch few of them, and states are copied and joined all the time, so
// only the slots that are not untouched are stored, sorted by index.
//
// Copies share their slots until one of them changes: a callee's states
// carry the caller frames its arguments reach, which stay as they are
// through most of its blocks, and copying them into every state of every
// call context would dominate the analysis's time and memory.
class StackSlots {
 public:
  using Entry = std::pair<uint8_t, StackSlot>;

  StackSlots();
  const StackSlot& get(int i) const;
  StackSlot& set(int i);  // the slot, stored (untouched) if it was not
  void forget_value(int i);
  void clear();
  // The slots outside `written` (bit i: slot i) as they are in `before`.
  void restore_unwritten(const StackSlots& before, uint64_t written);
  std::vector<Entry>& entries() { return mut(); }
  const std::vector<Entry>& entries() const { return *entries_; }

  void join_with(const StackSlots& other, int stack_region);
  void widen_with(const StackSlots& next, int stack_region, const LoopThresholds& thresholds);
  void narrow_with(const StackSlots& next);
  bool leq(const StackSlots& other, uint64_t only = ~uint64_t{0}) const;  // at the slots in `only` (bit i: slot i)
  bool operator==(const StackSlots& other) const;

 private:
  template <typename Entries>
  static auto position(Entries& entries, int i);
  // Applies `op(slot, other_slot)` to every index either side stores.
  template <typename Op>
  void merge(const StackSlots& other, Op op);
  // The entries to change: this object's own, copied first if shared.
  std::vector<Entry>& mut();
  void replace(std::vector<Entry>&& entries);  // keeps sharing when they are equal

  std::shared_ptr<const std::vector<Entry>> entries_;
};

struct Frame {
  std::array<Value, 11> regs;
  StackSlots slots;

  bool operator==(const Frame&) const = default;
};

struct AbstractState {
  bool reachable = false;
  std::vector<Frame> frames;   // back() is the running frame
  DifferenceBounds relations;  // registers of the running frame, region lengths

  static AbstractState unreachable() { return {}; }

  Frame& top() { return frames.back(); }
  const Frame& top() const { return frames.back(); }
  Value& reg(int r) { return frames.back().regs[static_cast<size_t>(r)]; }
  const Value& reg(int r) const { return frames.back().regs[static_cast<size_t>(r)]; }

  // Lattice operations; both states must have the same frame depth (the
  // analysis keeps one state per call context, so they do).
  void join_with(const AbstractState& other, int stack_region);
  void widen_with(const AbstractState& next, int stack_region, const LoopThresholds& thresholds = {});
  void narrow_with(const AbstractState& next);
  bool leq(const AbstractState& other) const;
  // leq, with the caller frames (all but the running one) compared only at
  // the slots in `caller_slots` (bit i of [f]: slot i of frame f).
  bool leq_at(const AbstractState& other, const std::array<uint64_t, kMaxFrames>& caller_slots) const;
  bool operator==(const AbstractState&) const = default;

  std::string describe(const RegionTable& regions) const;
};

std::string describe_value(const Value& v, const RegionTable& regions);

}  // namespace sbpf::verifier
