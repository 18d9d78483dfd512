#include "jit/code_buffer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sbpf::jit {

void CodeBuffer::reserve(size_t bytes) {
  if (bytes <= bytes_.size()) return;
  if (bytes > UINT32_MAX) throw std::length_error("jit: the code would reach 4 GiB");
  bytes_.resize(std::min<size_t>(std::max(bytes, 2 * bytes_.size()), UINT32_MAX));
}

void CodeBuffer::reserve(size_t labels, size_t jumps) {
  labels_.reserve(labels);
  fixups_.reserve(jumps);
  shortenable_.reserve(jumps);
}

void CodeBuffer::misuse(const char* what) { throw std::logic_error(what); }

void CodeBuffer::fixup(const FixupKind& kind, size_t field, size_t origin, Label label) {
  if (!fixups_.empty() && field < fixups_.back().field) throw std::logic_error("jit: fixups out of order");
  // Field by field: a record built whole on the stack and copied in is
  // stored in pieces and reloaded in one, which stalls store forwarding.
  Fixup& f = fixups_.emplace_back();
  f.kind = &kind;
  f.field = static_cast<uint32_t>(field);
  f.origin = static_cast<uint32_t>(origin);
  f.target = label;
  f.jumps_before = static_cast<uint32_t>(shortenable_.size());
}

void CodeBuffer::shortenable_jump(size_t start, Label label, ShortJump short_form) {
  if (!shortenable_.empty() && start < shortenable_.back().end) throw std::logic_error("jit: jumps out of order");
  Shortenable& j = shortenable_.emplace_back();  // field by field, as in fixup()
  j.short_form = short_form;
  j.start = static_cast<uint32_t>(start);
  j.end = static_cast<uint32_t>(size_);
  j.target = label;
  j.shortened = false;
}

void CodeBuffer::choose_short_jumps() {
  for (Shortenable& j : shortenable_) {
    const size_t shrink = j.end - j.start - j.short_form.size;
    size_t target = offset_of(j.target);
    if (target > j.start) target -= shrink;
    const int64_t displacement = static_cast<int64_t>(target) - static_cast<int64_t>(j.start + j.short_form.origin);
    j.shortened = j.short_form.kind->fits(displacement);
  }
}

void CodeBuffer::patch(const FixupKind& kind, uint32_t field, uint32_t origin, Label target) {
  const int64_t displacement = static_cast<int64_t>(offset_of(target)) - static_cast<int64_t>(origin);
  if (!kind.fits(displacement))
    throw std::length_error(std::string("jit: a ") + kind.name + " displacement of " + std::to_string(displacement) +
                            " bytes does not fit (code too large)");
  kind.patch(bytes_.data() + field, displacement);
}

CodeBytes CodeBuffer::finish() {
  choose_short_jumps();
  const size_t count = shortenable_.size();
  // Squeeze the code in place: each shortened jump's short form over the
  // start of its long form, the bytes in between moved down.
  // removed[i]: the bytes the shortened ones of the first i jumps gave up.
  std::vector<uint32_t> removed(count + 1, 0);
  uint8_t* const code = bytes_.data();
  size_t from = 0, to = 0;
  for (size_t i = 0; i < count; ++i) {
    const Shortenable& j = shortenable_[i];
    removed[i + 1] = removed[i];
    if (!j.shortened) continue;
    std::memmove(code + to, code + from, j.start - from);
    to += j.start - from;
    std::memcpy(code + to, j.short_form.bytes, j.short_form.size);
    to += j.short_form.size;
    from = j.end;
    removed[i + 1] = static_cast<uint32_t>(from - to);
  }
  std::memmove(code + to, code + from, size_ - from);
  bytes_.resize(to + size_ - from);
  size_ = bytes_.size();

  // An offset of the long layout moves back by what the shortened jumps
  // before it gave up; labels and fields know how many jumps came before.
  for (Place& label : labels_)
    if (label.offset != kUnbound) label.offset -= removed[label.jumps_before];
  // A long form's fixups go with its bytes (it is the next jump recorded
  // after them); the others move with the code. An origin lies in its
  // field's instruction, but is looked up from there all the same.
  const auto jumps_before = [&](size_t offset, size_t k) {
    while (k < count && shortenable_[k].start < offset) ++k;
    while (k > 0 && shortenable_[k - 1].start >= offset) --k;
    return k;
  };
  for (const Fixup& f : fixups_) {
    const size_t k = f.jumps_before;
    if (k < count && shortenable_[k].shortened && f.field >= shortenable_[k].start) continue;
    patch(*f.kind, f.field - removed[k], f.origin - removed[jumps_before(f.origin, k)], f.target);
  }
  for (size_t i = 0; i < count; ++i) {
    const Shortenable& j = shortenable_[i];
    if (!j.shortened) continue;
    const uint32_t start = j.start - removed[i];
    patch(*j.short_form.kind, start + j.short_form.field, start + j.short_form.origin, j.target);
  }
  fixups_.clear();
  shortenable_.clear();
  size_ = 0;
  return std::move(bytes_);
}

}  // namespace sbpf::jit
