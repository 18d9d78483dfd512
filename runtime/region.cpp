#include "runtime/region.h"

#include <algorithm>

namespace sbpf::runtime {

size_t RegionTable::add(const Region& region) {
  if (count_ == kCapacity) throw std::length_error("region table is full");
  regions_[count_] = region;
  return count_++;
}

const isa::DataPointer* Region::pointer_in(uint64_t addr, uint64_t len) const {
  if (pointers.empty() || len == 0) return nullptr;
  const uint64_t first = addr - start(), last = first + len - 1;
  // The first slot that ends past `first`; it overlaps when it starts by `last`.
  auto it = std::upper_bound(pointers.begin(), pointers.end(), first,
                             [](uint64_t at, const isa::DataPointer& p) { return at < p.at + 8; });
  return it != pointers.end() && it->at <= last ? &*it : nullptr;
}

uint8_t* RegionTable::translate_slow(uint64_t addr, uint64_t len, bool write, RegionSet allowed,
                                     bool refuse_pointers) const {
  for (size_t i = 0; i < count_; ++i) {
    const Region& r = regions_[i];
    if ((allowed & region_bit(r.kind)) != 0 && r.contains(addr, len) && (r.writable || !write)) {
      if (refuse_pointers) {
        const isa::DataPointer* slot = r.pointer_in(addr, len);
        const bool whole_slot = slot != nullptr && len == 8 && addr - r.start() == slot->at;
        if ((allowed & kPointerSlotAccess) != 0 ? !whole_slot : slot != nullptr) return nullptr;
      }
      last_hit_ = i;
      return r.base + (addr - r.start());
    }
  }
  return nullptr;
}

const Region* RegionTable::find(uint64_t addr) const {
  for (size_t i = 0; i < count_; ++i)
    if (regions_[i].contains(addr, 1)) return &regions_[i];
  return nullptr;
}

}  // namespace sbpf::runtime
