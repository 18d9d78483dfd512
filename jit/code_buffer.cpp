#include "jit/code_buffer.h"

#include <algorithm>
#include <cstring>
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
  const uint8_t le[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                         static_cast<uint8_t>(v >> 24)};
  bytes_.insert(bytes_.end(), le, le + 4);
}
void CodeBuffer::u64(uint64_t v) {
  u32(static_cast<uint32_t>(v));
  u32(static_cast<uint32_t>(v >> 32));
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

void CodeBuffer::shortenable_jump(size_t start, Label label, const ShortJump& short_form) {
  if (!shortenable_.empty() && start < shortenable_.back().end) throw std::logic_error("jit: jumps out of order");
  shortenable_.push_back({start, bytes_.size(), label, short_form});
}

void CodeBuffer::choose_short_jumps() {
  size_t kept = 0;
  for (const Shortenable& j : shortenable_) {
    const size_t shrink = j.end - j.start - j.short_form.size;
    size_t target = offset_of(j.target);
    if (target > j.start) target -= shrink;
    const int64_t displacement = static_cast<int64_t>(target) - static_cast<int64_t>(j.start + j.short_form.origin);
    if (j.short_form.kind->fits(displacement)) shortenable_[kept++] = j;
  }
  shortenable_.resize(kept);
}

std::vector<uint8_t> CodeBuffer::finish() {
  choose_short_jumps();
  const std::vector<Shortenable>& shortened = shortenable_;
  // Squeeze the code in place: each shortened jump's short form over the
  // start of its long form, the bytes in between moved down.
  // removed[i]: the bytes the first i shortened jumps gave up.
  std::vector<size_t> removed(shortened.size() + 1, 0);
  size_t from = 0, to = 0;
  for (size_t i = 0; i < shortened.size(); ++i) {
    const Shortenable& j = shortened[i];
    std::memmove(bytes_.data() + to, bytes_.data() + from, j.start - from);
    to += j.start - from;
    std::memcpy(bytes_.data() + to, j.short_form.bytes, j.short_form.size);
    to += j.short_form.size;
    from = j.end;
    removed[i + 1] = from - to;
  }
  std::memmove(bytes_.data() + to, bytes_.data() + from, bytes_.size() - from);
  bytes_.resize(to + bytes_.size() - from);

  // Where an offset of the long layout went: back by what the shortened
  // jumps before it gave up.
  const auto first_at_or_after = [&](size_t offset) {
    return static_cast<size_t>(
        std::partition_point(shortened.begin(), shortened.end(), [offset](const Shortenable& j) { return j.start < offset; }) -
        shortened.begin());
  };
  const auto moved = [&](size_t offset) { return offset - removed[first_at_or_after(offset)]; };
  for (size_t& at : labels_)
    if (at != kUnbound) at = moved(at);
  // A long form's fixups go with its bytes; the others move with the code.
  size_t kept = 0;
  for (const Fixup& f : fixups_) {
    const size_t next = first_at_or_after(f.field + 1);  // the first jump past the one f may lie in
    if (next > 0 && f.field < shortened[next - 1].end) continue;
    fixups_[kept++] = {f.kind, f.field - removed[next], moved(f.origin), f.target};
  }
  fixups_.resize(kept);
  for (size_t i = 0; i < shortened.size(); ++i) {
    const Shortenable& j = shortened[i];
    const size_t start = j.start - removed[i];
    fixups_.push_back({j.short_form.kind, start + j.short_form.field, start + j.short_form.origin, j.target});
  }

  for (const Fixup& f : fixups_) {
    const int64_t displacement = static_cast<int64_t>(offset_of(f.target)) - static_cast<int64_t>(f.origin);
    if (!f.kind->fits(displacement))
      throw std::length_error(std::string("jit: a ") + f.kind->name + " displacement of " +
                              std::to_string(displacement) + " bytes does not fit (code too large)");
    f.kind->patch(bytes_.data() + f.field, displacement);
  }
  fixups_.clear();
  shortenable_.clear();
  return std::move(bytes_);
}

}  // namespace sbpf::jit
