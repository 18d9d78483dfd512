// Machine code under construction: bytes, labels, and the displacements
// between them.
//
// A backend says how each kind of displacement field is encoded (a
// FixupKind: x86-64's rel8 and rel32, arm64's imm26 and imm19 inside a
// 32-bit word); the buffer records where each field is, what it counts from
// and which label it names, and patches them all once the code is laid out.
//
// Jumps with a short and a long form are emitted once, long, and shortened
// when the code is laid out (finish()): every such jump whose displacement
// fits its short form in the all-long layout gets it. A target ahead of a
// jump comes closer by the bytes the jump itself saves; one behind it does
// not move. Shortening a jump only brings code closer together, so a jump
// that fitted keeps fitting. (Deciding again on the shortened layout would
// shorten the few jumps that fit only once others have shrunk: tens of
// bytes in 100 KiB of code, for another walk over every jump.)
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <vector>

namespace sbpf::jit {

// std::allocator, except that growing a vector leaves the new elements
// uninitialised: the code buffer writes every byte before it is code, and
// zero-filling the room it reserves (16 bytes a slot) showed in profiles.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  // Only value-initialisation changes; construction from arguments falls
  // back to std::construct_at (allocator_traits).
  template <typename U>
  void construct(U* at) noexcept {
    ::new (static_cast<void*>(at)) U;
  }
};
using CodeBytes = std::vector<uint8_t, UninitializedAllocator<uint8_t>>;

// A position in the code, bound once.
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

// The short form of a jump (see CodeBuffer::shortenable_jump): its bytes
// with a zero displacement, and where its field of `kind` lies and its
// displacement counts from, in bytes from its start.
struct ShortJump {
  const FixupKind* kind;
  uint8_t bytes[4];
  uint8_t size;
  uint8_t field;
  uint8_t origin;
};

class CodeBuffer {
 public:
  void byte(uint8_t b) { *grow(1) = b; }
  void bytes(std::initializer_list<uint8_t> bs) {
    uint8_t* at = grow(bs.size());
    for (uint8_t b : bs) *at++ = b;  // a byte or two: a call to memcpy would cost more
  }
  void bytes(const uint8_t* from, size_t n) {
    uint8_t* at = grow(n);
    for (size_t i = 0; i < n; ++i) at[i] = from[i];
  }
  void u16(uint16_t v) { little_endian(grow(2), v, 2); }
  void u32(uint32_t v) { little_endian(grow(4), v, 4); }
  void u64(uint64_t v) { little_endian(grow(8), v, 8); }
  // Room for an instruction of up to n bytes at the end of the code, to be
  // written through the pointer and then committed: a backend that builds
  // an instruction piece by piece checks the room once for all of it.
  uint8_t* room(size_t n) {
    if (size_ + n > bytes_.size()) reserve(size_ + n);
    return bytes_.data() + size_;
  }
  // The bytes written into room() up to `end` are code now.
  void commit(const uint8_t* end) { size_ = static_cast<size_t>(end - bytes_.data()); }
  // Both hosts are little-endian, so the value's bytes are copied as they
  // are, in one store; the loop is for any other.
  static void little_endian(uint8_t* at, uint64_t v, size_t n) {
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(at, &v, n);
    } else {
      for (size_t i = 0; i < n; ++i) at[i] = static_cast<uint8_t>(v >> (8 * i));
    }
  }
  size_t size() const { return size_; }
  // Room for about this many bytes, to grow into without copying.
  void reserve(size_t bytes);
  // Room for about this many labels, and jumps with a fixup each, likewise:
  // copying them as they grow costs more than the code's own copies when
  // the code is large.
  void reserve(size_t labels, size_t jumps);

  Label make_label() {
    labels_.push_back(kUnboundPlace);
    return Label{static_cast<uint32_t>(labels_.size() - 1)};
  }
  // `count` labels at once, numbered consecutively: the first of them.
  Label make_labels(size_t count) {
    const auto first = static_cast<uint32_t>(labels_.size());
    labels_.resize(labels_.size() + count, kUnboundPlace);
    return Label{first};
  }
  void bind(Label label) {
    if (label.id >= labels_.size()) misuse("jit: no such label");
    if (labels_[label.id].offset != kUnbound) misuse("jit: label bound twice");
    labels_[label.id] = {static_cast<uint32_t>(size_), static_cast<uint32_t>(shortenable_.size())};
  }
  // Offset of a bound label: in the code so far, or after finish() in the
  // final code.
  size_t offset_of(Label label) const {
    if (label.id >= labels_.size()) misuse("jit: no such label");
    if (labels_[label.id].offset == kUnbound) misuse("jit: label never bound");
    return labels_[label.id].offset;
  }

  // The field of `kind` at offset `field` holds the displacement of `label`
  // from offset `origin` (where the instruction's displacements count from).
  // Fixups are recorded in the order of their fields.
  void fixup(const FixupKind& kind, size_t field, size_t origin, Label label);

  // The jump to `label` just emitted, from offset `start` on, is the long
  // form of a jump that has the short form `short_form`: finish() puts the
  // short form in its place when the displacement fits it. A long form's
  // fixups are dropped with its bytes.
  void shortenable_jump(size_t start, Label label, ShortJump short_form);

  // Lays the code out (shortening what jumps it can), patches every
  // displacement and returns the code; the buffer is then empty, and
  // offset_of() answers for the final code. Throws std::length_error when a
  // displacement does not fit its field.
  CodeBytes finish();

 private:
  // Where a label is bound, and how many shortenable jumps were recorded
  // before: the jumps that start before it, whose shortening moves it. 32
  // bits each, as the code never nears 4 GiB.
  struct Place {
    uint32_t offset;
    uint32_t jumps_before;
  };
  // Offsets are 32 bits here too (reserve() keeps the code below 4 GiB):
  // a compile records a fixup for most slots, and the records' size shows.
  struct Fixup {
    const FixupKind* kind;
    uint32_t field;
    uint32_t origin;
    Label target;
    uint32_t jumps_before;  // as for a label, before the field
  };
  struct Shortenable {
    ShortJump short_form;
    uint32_t start, end;  // the long form's bytes
    Label target;
    bool shortened;  // finish() gives it its short form
  };

  static constexpr uint32_t kUnbound = UINT32_MAX;
  static constexpr Place kUnboundPlace{kUnbound, 0};
  // Throws std::logic_error: a backend used a label wrongly.
  [[noreturn]] static void misuse(const char* what);
  // The next n bytes of code, to be written.
  uint8_t* grow(size_t n) {
    uint8_t* at = room(n);
    size_ += n;
    return at;
  }
  // Marks the jumps that get their short form.
  void choose_short_jumps();
  // Writes the displacement of `target` from `origin` into the field of
  // `kind` at `field` (offsets in the final code).
  void patch(const FixupKind& kind, uint32_t field, uint32_t origin, Label target);

  CodeBytes bytes_;  // the code in its first size_ bytes; the rest is room to grow
  size_t size_ = 0;
  std::vector<Place> labels_;  // per label, where it is bound (offset kUnbound until then)
  std::vector<Fixup> fixups_;
  std::vector<Shortenable> shortenable_;
};

}  // namespace sbpf::jit
