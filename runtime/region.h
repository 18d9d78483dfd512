// The memory an invocation may touch: a small fixed table of regions, each a
// host address range with permissions. Every pointer a program holds points
// into one of them; anything else is out of bounds.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "isa/machine_limits.h"
#include "isa/program.h"
#include "verifier/region_kind.h"

namespace sbpf::runtime {

// The kinds are the verifier's: an annotation names the regions a guarded
// access may touch by kind.
using verifier::RegionKind;
using verifier::RegionSet;
using verifier::region_bit;
using verifier::region_name;

using verifier::kAllRegionKinds;
using verifier::kPointerSlotAccess;

// The stack region spans the current frame and its callers' frames.
using isa::kMaxFrames;
using isa::kStackFrameBytes;

struct Region {
  RegionKind kind = RegionKind::kMemory;
  uint8_t* base = nullptr;
  uint64_t size = 0;
  bool writable = false;
  // Global data: its 8-byte slots that hold addresses (isa::DataPointer),
  // sorted. Only an access the verifier proved touches them (see translate).
  std::span<const isa::DataPointer> pointers = {};

  uint64_t start() const { return reinterpret_cast<uintptr_t>(base); }
  // True when [addr, addr + len) lies inside; written so it cannot overflow.
  bool contains(uint64_t addr, uint64_t len) const {
    return addr >= start() && len <= size && addr - start() <= size - len;
  }
  // For [addr, addr + len) inside the region: the address slot it overlaps, or nullptr.
  const isa::DataPointer* pointer_in(uint64_t addr, uint64_t len) const;
};

// Fixed capacity, no allocation: built per invocation on the hot path.
class RegionTable {
 public:
  static constexpr size_t kCapacity = 16;

  // Throws std::length_error past kCapacity (a caller bug, not bad input).
  size_t add(const Region& region);
  Region& operator[](size_t i) { return regions_[i]; }
  const Region& operator[](size_t i) const { return regions_[i]; }
  size_t size() const { return count_; }
  std::span<const Region> regions() const { return {regions_.data(), count_}; }

  // Host pointer for an access of `len` bytes at `addr`, or nullptr when no
  // region holds it with the needed permission: the check of a program that
  // was not verified. Remembers the last region
  // hit: a program's accesses cluster, so the scan is usually one compare.
  uint8_t* translate(uint64_t addr, uint64_t len, bool write) const {
    const Region& last = regions_[last_hit_];
    if (last.contains(addr, len) && (last.writable || !write)) return last.base + (addr - last.start());
    return translate_slow(addr, len, write, kAllRegionKinds, false);
  }
  // The check of an access the verifier guarded, and of a helper's memory:
  // only regions whose kind is in `allowed` count, and no byte may belong to
  // an address slot of global data. The verifier types such a slot as a
  // pointer and trusts what a proven access stores there; a guarded access
  // may land in any region of its kinds, and a helper's length is not known,
  // so neither may read an address as a number or overwrite one.
  // With kPointerSlotAccess in `allowed`, the other way round: the access
  // must be exactly one whole slot.
  uint8_t* translate(uint64_t addr, uint64_t len, bool write, RegionSet allowed) const {
    const Region& last = regions_[last_hit_];
    if (last.contains(addr, len) && (last.writable || !write) && (allowed >> static_cast<int>(last.kind) & 1) != 0 &&
        last.pointers.empty() && (allowed & verifier::kPointerSlotAccess) == 0)
      return last.base + (addr - last.start());
    return translate_slow(addr, len, write, allowed, true);
  }

  // The region containing `addr`, whatever the permission (for messages).
  const Region* find(uint64_t addr) const;

 private:
  uint8_t* translate_slow(uint64_t addr, uint64_t len, bool write, RegionSet allowed, bool refuse_pointers) const;

  std::array<Region, kCapacity> regions_{};
  size_t count_ = 0;
  mutable size_t last_hit_ = 0;
};

}  // namespace sbpf::runtime
