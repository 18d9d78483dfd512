#include "jit/code_buffer.h"

#include <stdexcept>
#include <string>

namespace sbpf::jit {

namespace {
constexpr size_t kUnbound = SIZE_MAX;
}

void CodeBuffer::u16(uint16_t v) {
  for (int i = 0; i < 2; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
}
void CodeBuffer::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
}
void CodeBuffer::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
}

Label CodeBuffer::make_label() {
  labels_.push_back(kUnbound);
  return Label{static_cast<uint32_t>(labels_.size() - 1)};
}

void CodeBuffer::bind(Label label) {
  if (labels_.at(label.id) != kUnbound) throw std::logic_error("jit: label bound twice");
  labels_[label.id] = bytes_.size();
}

size_t CodeBuffer::offset_of(Label label) const {
  const size_t at = labels_.at(label.id);
  if (at == kUnbound) throw std::logic_error("jit: label never bound");
  return at;
}

void CodeBuffer::jump(std::initializer_list<uint8_t> short_opcode, std::initializer_list<uint8_t> long_opcode,
                      Label label) {
  const uint32_t index = jumps_++;
  const bool is_short = short_opcode.size() != 0 && index < short_jumps_.size() && short_jumps_[index];
  const size_t start = bytes_.size();
  bytes(is_short ? short_opcode : long_opcode);
  const size_t at = bytes_.size();
  const size_t width = is_short ? 1 : 4;
  bytes_.resize(at + width, 0);
  const size_t shrink = is_short ? 0 : long_opcode.size() + 4 - short_opcode.size() - 1;
  fixups_.push_back({at, at + width, label, is_short, short_opcode.size() != 0 ? index : UINT32_MAX, start, shrink});
}

void CodeBuffer::rel32(Label label) {
  const size_t at = bytes_.size();
  bytes_.resize(at + 4, 0);
  fixups_.push_back({at, at + 4, label, false, UINT32_MAX, at, 0});
}

std::vector<uint8_t> CodeBuffer::assemble(const std::function<void(CodeBuffer&)>& emit) {
  std::vector<bool> decision;
  for (;;) {
    CodeBuffer pass;
    pass.short_jumps_ = decision;
    emit(pass);
    // The next pass's forms: short wherever this layout allows it.
    std::vector<bool> next(pass.jumps_, false);
    bool changed = decision.size() != next.size();
    for (const Fixup& f : pass.fixups_) {
      if (f.jump == UINT32_MAX) continue;
      // The displacement this jump would have in its short form: a target
      // behind it comes closer by the bytes the jump itself saves, one ahead
      // moves with the jump's end. Code only ever shrinks between passes,
      // so fitting now means fitting then.
      const size_t target = pass.offset_of(f.target);
      int64_t displacement = static_cast<int64_t>(target) - static_cast<int64_t>(f.end);
      if (target <= f.start) displacement += static_cast<int64_t>(f.shrink);
      next[f.jump] = f.is_short || (displacement >= INT8_MIN && displacement <= INT8_MAX);
      changed |= next[f.jump] != (f.jump < decision.size() && decision[f.jump]);
    }
    if (changed) {
      decision = std::move(next);
      continue;
    }
    for (const Fixup& f : pass.fixups_) {
      const int64_t displacement =
          static_cast<int64_t>(pass.offset_of(f.target)) - static_cast<int64_t>(f.end);
      if (f.is_short) {
        if (displacement < INT8_MIN || displacement > INT8_MAX)
          throw std::logic_error("jit: short jump out of range (" + std::to_string(displacement) + ")");
        pass.bytes_[f.at] = static_cast<uint8_t>(displacement);
      } else {
        if (displacement < INT32_MIN || displacement > INT32_MAX) throw std::logic_error("jit: code too large");
        for (int i = 0; i < 4; ++i) pass.bytes_[f.at + i] = static_cast<uint8_t>(static_cast<uint32_t>(displacement) >> (8 * i));
      }
    }
    return std::move(pass.bytes_);
  }
}

}  // namespace sbpf::jit
