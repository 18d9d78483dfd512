// What the analysis knows about one register or spilled stack slot.
#pragma once

#include <cstdint>
#include <string>

#include "verifier/scalar_domain.h"
#include "verifier/widening_thresholds.h"

namespace sbpf::verifier {

// The regions of one analysis: the program type's, the context, the stack
// and each data section, numbered; a pointer may point into a set of them.
using RegionIds = uint32_t;
inline constexpr int kMaxRegions = 32;

struct Value {
  enum class Kind : uint8_t {
    kUninit,   // never written, or no longer valid (a pointer into a returned frame)
    kScalar,   // a number
    kPointer,  // into one of `regions`, at offset `num` from its start
  };
  Kind kind = Kind::kUninit;
  Scalar num = Scalar::top();  // the number, or the pointer's offset
  RegionIds regions = 0;
  uint8_t frame = 0;         // pointers into the stack: the frame (0 = the entry function's)
  bool maybe_null = false;   // pointers: may also be 0 (malloc's result before its check)

  static Value uninit() { return {}; }
  static Value scalar(const Scalar& s) { return {Kind::kScalar, s, 0, 0, false}; }
  static Value constant(uint64_t v) { return scalar(Scalar::constant(v)); }
  static Value pointer(RegionIds regions, const Scalar& offset, uint8_t frame = 0) {
    return {Kind::kPointer, offset, regions, frame, false};
  }

  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_pointer() const { return kind == Kind::kPointer; }
  bool is_init() const { return kind != Kind::kUninit; }
  bool operator==(const Value&) const = default;
};

// Lattice operations; `stack_region` is the id of the stack (pointers into
// different frames do not join).
Value join(const Value& a, const Value& b, int stack_region);
// With thresholds, widened bounds stop at them first (widening_thresholds.h).
Value widen(const Value& old, const Value& next, int stack_region, const LoopThresholds& thresholds = {});
Value narrow(const Value& old, const Value& next);
bool leq(const Value& a, const Value& b);

}  // namespace sbpf::verifier
