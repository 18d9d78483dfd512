// What the generator knows about the code it has emitted so far: per
// register and per stack byte, what it holds on every path to the current
// point. Fragments read only what this says is there.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>

#include "isa/opcodes.h"

namespace sbpf::testing::generator {

enum class Kind : uint8_t {
  kUninit,        // not written on some path: reading it is a violation
  kDead,          // written, but with nothing the generator will read again
  kScalar,
  kCtx,           // the context pointer
  kInput,         // buf_i: the start of the input
  kOutput,        // buf_o: the start of the output
  kStack,         // r10 + number, in this function's frame
  kCallerBuffer,  // the start of `number` initialised bytes in a caller's frame
  kHeap,          // a non-null block of `number` bytes from malloc
};

enum class Tag : uint8_t {
  kNone,
  kSizeI,     // exactly ctx->size_i
  kSizeOCap,  // exactly ctx->size_o_cap
  kPinned,    // a loop's counter or bound: a loop body must not change it
};

struct Value {
  Kind kind = Kind::kUninit;
  Tag tag = Tag::kNone;
  int64_t number = 0;

  friend bool operator==(const Value&, const Value&) = default;
  bool readable() const { return kind != Kind::kUninit && kind != Kind::kDead; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_pointer() const { return kind >= Kind::kCtx; }
  // A scalar that code may change in place without breaking anything the
  // generator relies on.
  bool plain_scalar() const { return kind == Kind::kScalar && tag == Tag::kNone; }

  static Value scalar(Tag tag = Tag::kNone) { return {Kind::kScalar, tag, 0}; }
  static Value pointer(Kind kind, int64_t number = 0) { return {kind, Tag::kNone, number}; }
  static Value dead() { return {Kind::kDead, Tag::kNone, 0}; }
};

inline Value join(const Value& a, const Value& b) {
  if (a == b) return a;
  if (a.kind == Kind::kUninit || b.kind == Kind::kUninit) return {};
  if (a.is_scalar() && b.is_scalar()) return Value::scalar();
  return Value::dead();
}

constexpr int kRegisters = 10;  // r0..r9; r10 is the frame pointer
constexpr int kSlots = 64;      // the 512-byte frame in 8-byte slots
constexpr uint8_t kFp = isa::kFrameRegister;
constexpr uint16_t bit(uint8_t r) { return static_cast<uint16_t>(1u << r); }
constexpr uint16_t kCallerSaved = 0x3f;   // r0..r5: clobbered by every call
constexpr uint16_t kCalleeSaved = 0x3c0;  // r6..r9

// Slot s holds the bytes [r10 - 8(s+1), r10 - 8s).
inline int16_t slot_offset(int s) { return static_cast<int16_t>(-8 * (s + 1)); }

// `value` describes the bytes set in `init`: a scalar's bytes, or (with all
// eight set) a spilled pointer; kDead when the bytes mix the two.
struct Slot {
  Value value;
  uint8_t init = 0;
};

struct FrameState {
  std::array<Value, kRegisters> regs{};
  std::array<Slot, kSlots> slots{};
};

inline FrameState join(const FrameState& a, const FrameState& b) {
  FrameState out;
  for (int r = 0; r < kRegisters; ++r) out.regs[r] = join(a.regs[r], b.regs[r]);
  for (int s = 0; s < kSlots; ++s) {
    Slot& slot = out.slots[s];
    slot.init = a.slots[s].init & b.slots[s].init;
    slot.value = join(a.slots[s].value, b.slots[s].value);
    if (slot.init == 0) slot.value = {};
    else if (slot.value.kind == Kind::kUninit) slot.value = Value::dead();
    else if (slot.value.is_pointer() && slot.init != 0xff) slot.value = Value::dead();
  }
  return out;
}

// What a loop body may not retype: everything readable when it starts.
struct Locks {
  uint16_t regs = 0;
  std::bitset<kSlots> slots;
};

// The values fragments ask for by meaning rather than by register.
enum class Want : uint8_t { kCtx, kInput, kOutput, kSizeI, kSizeOCap };

inline bool matches(const Value& v, Want w) {
  switch (w) {
    case Want::kCtx: return v.kind == Kind::kCtx;
    case Want::kInput: return v.kind == Kind::kInput;
    case Want::kOutput: return v.kind == Kind::kOutput;
    case Want::kSizeI: return v.kind == Kind::kScalar && v.tag == Tag::kSizeI;
    case Want::kSizeOCap: return v.kind == Kind::kScalar && v.tag == Tag::kSizeOCap;
  }
  return false;
}

inline Value value_of(Want w) {
  switch (w) {
    case Want::kCtx: return Value::pointer(Kind::kCtx);
    case Want::kInput: return Value::pointer(Kind::kInput);
    case Want::kOutput: return Value::pointer(Kind::kOutput);
    case Want::kSizeI: return Value::scalar(Tag::kSizeI);
    case Want::kSizeOCap: return Value::scalar(Tag::kSizeOCap);
  }
  return {};
}

// The field's offset in struct context (runtime/lambda_context.h).
inline int16_t ctx_offset(Want w) {
  switch (w) {
    case Want::kOutput: return 0;
    case Want::kInput: return 8;
    case Want::kSizeI: return 16;
    case Want::kSizeOCap: return 24;
    case Want::kCtx: break;
  }
  return 0;
}

constexpr int32_t kMemcpy = 156, kMalloc = 157, kFree = 158, kMemRead = 159, kMemWrite = 160, kMemcmp = 161,
                  kMemset = 162;

// Byte `b` of slot `s` is at r10 - 8(s+1) + b.
struct StackByte {
  int slot;
  int byte;
};
inline StackByte stack_byte(int fp_offset) {
  const int below = -fp_offset - 1;  // 0 for r10-1, 511 for r10-512
  return {below / 8, 7 - below % 8};
}

}  // namespace sbpf::testing::generator
