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
  const size_t at = bytes_.size();
  bytes_.resize(at + 4);
  for (int i = 0; i < 4; ++i) bytes_[at + i] = static_cast<uint8_t>(v >> (8 * i));
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

void CodeBuffer::fixup(const FixupKind& kind, size_t field, size_t origin, Label label) {
  fixups_.push_back({&kind, field, origin, label});
}

bool CodeBuffer::sized_jump(Label label, const FixupKind& short_kind, size_t short_origin, size_t shrink) {
  const size_t index = sized_.size();
  const bool is_short = index < short_jumps_.size() && short_jumps_[index];
  sized_.push_back({&short_kind, bytes_.size(), short_origin, is_short ? 0 : shrink, label});
  return is_short;
}

std::vector<uint8_t> CodeBuffer::assemble(const std::function<void(CodeBuffer&)>& emit) {
  std::vector<bool> decision;
  size_t last_size = 0, last_labels = 0, last_fixups = 0;
  int pass_count = 0;
  for (;;) {
    CodeBuffer pass;
    pass.short_jumps_ = decision;
    // Each pass is about as large as the one before: no regrowth.
    pass.bytes_.reserve(last_size);
    pass.labels_.reserve(last_labels);
    pass.fixups_.reserve(last_fixups);
    pass.sized_.reserve(decision.size());
    emit(pass);
    last_size = pass.bytes_.size();
    last_labels = pass.labels_.size();
    last_fixups = pass.fixups_.size();
    // The next pass's forms: short wherever this layout allows it. A target
    // ahead of a jump comes closer by the bytes the jump itself saves; one
    // behind it does not move. Code only ever shrinks between passes, so
    // fitting now means fitting then.
    std::vector<bool> next(pass.sized_.size(), false);
    bool changed = false;
    for (size_t i = 0; i < pass.sized_.size(); ++i) {
      const SizedJump& j = pass.sized_[i];
      size_t target = pass.offset_of(j.target);
      if (target > j.start) target -= j.shrink;
      const int64_t displacement = static_cast<int64_t>(target) - static_cast<int64_t>(j.start + j.short_origin);
      next[i] = j.shrink == 0 || j.short_kind->fits(displacement);
      changed |= next[i] != (i < decision.size() && decision[i]);
    }
    // Two passes at most: the second pass's forms are final. A jump it
    // could shorten further only because others shrank (a few bytes in a
    // hundred thousand) is not worth emitting the whole program again.
    if (changed && pass_count++ == 0) {
      decision = std::move(next);
      continue;
    }
    for (const Fixup& f : pass.fixups_) {
      const int64_t displacement =
          static_cast<int64_t>(pass.offset_of(f.target)) - static_cast<int64_t>(f.origin);
      if (!f.kind->fits(displacement))
        throw std::length_error(std::string("jit: a ") + f.kind->name + " displacement of " +
                                std::to_string(displacement) + " bytes does not fit (code too large)");
      f.kind->patch(pass.bytes_.data() + f.field, displacement);
    }
    return std::move(pass.bytes_);
  }
}

}  // namespace sbpf::jit
