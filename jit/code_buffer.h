// Machine code under construction: bytes, labels, and the displacements
// between them.
//
// A backend says how each kind of displacement field is encoded (a
// FixupKind: x86-64's rel8 and rel32, arm64's imm26 and imm19 inside a
// 32-bit word); the buffer records where each field is, what it counts from
// and which label it names, and patches them all once the code is laid out.
//
// Jumps with a short and a long form are sized by emitting the whole
// program twice. The first pass gives every such jump its long form; the
// second gives the short form to every jump whose displacement fitted it in
// the first. Shortening a jump only brings code closer together, so a jump
// that fitted keeps fitting. (A third pass would shorten the few jumps that
// fit only once others have shrunk: tens of bytes in 100 KiB of code, for
// half as much compile time again.) A backend drives this with
// `assemble()`, handing it a function that emits the whole program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <vector>

namespace sbpf::jit {

// A position in the code, bound once per pass. Labels are numbered in the
// order they are made, so a backend that makes them in the same order on
// every pass names the same places.
struct Label {
  uint32_t id = UINT32_MAX;
};

// One encoding of a displacement field, defined by a backend.
struct FixupKind {
  const char* name;
  int64_t min, max;  // the displacements (bytes) the field holds
  int64_t scale;     // displacements are multiples of it (4 for arm64's words)
  // Writes `displacement` into the field at `field`, keeping the other bits
  // of the instruction there.
  void (*patch)(uint8_t* field, int64_t displacement);

  bool fits(int64_t displacement) const {
    return displacement >= min && displacement <= max && displacement % scale == 0;
  }
};

class CodeBuffer {
 public:
  void byte(uint8_t b) { bytes_.push_back(b); }
  void bytes(std::initializer_list<uint8_t> bs) {
    for (uint8_t b : bs) bytes_.push_back(b);
  }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  size_t size() const { return bytes_.size(); }

  Label make_label();
  void bind(Label label);
  // Offset of a bound label in this pass.
  size_t offset_of(Label label) const;

  // The field of `kind` at offset `field` holds the displacement of `label`
  // from offset `origin` (where the instruction's displacements count from).
  void fixup(const FixupKind& kind, size_t field, size_t origin, Label label);

  // Before emitting a jump to `label` that has two forms: this pass's choice,
  // true for the short form. The short form's displacement field is of
  // `short_kind` and counts from `short_origin` bytes past the jump's start;
  // it is `shrink` bytes shorter than the long form. The backend then emits
  // the form chosen, with its fixup.
  bool sized_jump(Label label, const FixupKind& short_kind, size_t short_origin, size_t shrink);

  // Emits the program with `emit` until the jump forms settle; returns the
  // final code. `emit` receives a fresh buffer each pass. Throws
  // std::length_error when a displacement does not fit its field.
  static std::vector<uint8_t> assemble(const std::function<void(CodeBuffer&)>& emit);

 private:
  struct Fixup {
    const FixupKind* kind;
    size_t field;
    size_t origin;
    Label target;
  };
  struct SizedJump {
    const FixupKind* short_kind;
    size_t start;
    size_t short_origin;  // from start
    size_t shrink;        // 0 when short already
    Label target;
  };

  std::vector<uint8_t> bytes_;
  std::vector<size_t> labels_;
  std::vector<Fixup> fixups_;
  std::vector<SizedJump> sized_;
  std::vector<bool> short_jumps_;  // the previous pass's decision, per sized jump
};

}  // namespace sbpf::jit
