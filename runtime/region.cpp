#include "runtime/region.h"

namespace sbpf::runtime {

size_t RegionTable::add(const Region& region) {
  if (count_ == kCapacity) throw std::length_error("region table is full");
  regions_[count_] = region;
  return count_++;
}

uint8_t* RegionTable::translate_slow(uint64_t addr, uint64_t len, bool write, RegionSet allowed) const {
  for (size_t i = 0; i < count_; ++i) {
    const Region& r = regions_[i];
    if ((allowed & region_bit(r.kind)) != 0 && r.contains(addr, len) && (r.writable || !write)) {
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
