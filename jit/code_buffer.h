// Machine code under construction: bytes, labels, and the jumps between them.
//
// Jumps are sized exactly by emitting the whole program several times. The
// first pass gives every jump its long form; each later pass gives the short
// form to every jump whose displacement fitted a byte in the pass before.
// Shortening a jump only brings code closer together, so a jump that fitted
// keeps fitting, and the passes stop when no jump changes. The last pass's
// fixups are then patched with the final addresses. A backend drives this
// with `assemble()`, handing it a function that emits the whole program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sbpf::jit {

// A position in the code, bound once per pass. Labels are numbered in the
// order they are made, so a backend that makes them in the same order on
// every pass names the same places.
struct Label {
  uint32_t id = UINT32_MAX;
};

class CodeBuffer {
 public:
  void byte(uint8_t b) { bytes_.push_back(b); }
  void bytes(std::initializer_list<uint8_t> bs) { bytes_.insert(bytes_.end(), bs); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  size_t size() const { return bytes_.size(); }

  Label make_label();
  void bind(Label label);
  // Offset of a bound label in this pass.
  size_t offset_of(Label label) const;

  // A jump to `label` whose displacement ends the instruction. The caller
  // passes the opcode bytes of both forms; which one is emitted is this
  // pass's decision. `short_opcode` empty: the jump has only a long form.
  void jump(std::initializer_list<uint8_t> short_opcode, std::initializer_list<uint8_t> long_opcode, Label label);
  // A 32-bit displacement to `label` that ends the instruction (call rel32).
  void rel32(Label label);

  // Emits the program with `emit` until the jump forms settle; returns the
  // final code. `emit` receives a fresh buffer each pass.
  static std::vector<uint8_t> assemble(const std::function<void(CodeBuffer&)>& emit);

 private:
  struct Fixup {
    size_t at;      // where the displacement goes
    size_t end;     // the end of the instruction (displacements count from it)
    Label target;
    bool is_short;  // 8-bit displacement
    uint32_t jump;  // index among the pass's sized jumps, or UINT32_MAX
    size_t start;   // where the instruction starts
    size_t shrink;  // bytes the short form saves (0 when short already)
  };

  std::vector<uint8_t> bytes_;
  std::vector<size_t> labels_;
  std::vector<Fixup> fixups_;
  std::vector<bool> short_jumps_;  // the previous pass's decision, per sized jump
  uint32_t jumps_ = 0;
};

}  // namespace sbpf::jit
