#include "runtime/region.h"

namespace sbpf::runtime {

const char* region_name(RegionKind kind) {
  switch (kind) {
    case RegionKind::kCtx: return "ctx";
    case RegionKind::kInput: return "input";
    case RegionKind::kOutput: return "output";
    case RegionKind::kStack: return "stack";
    case RegionKind::kScratch: return "scratch";
    case RegionKind::kRodata: return "rodata";
    case RegionKind::kData: return "data";
    case RegionKind::kHeap: return "heap";
    case RegionKind::kMemory: return "memory";
  }
  return "?";
}

size_t RegionTable::add(const Region& region) {
  if (count_ == kCapacity) throw std::length_error("region table is full");
  regions_[count_] = region;
  return count_++;
}

uint8_t* RegionTable::translate_slow(uint64_t addr, uint64_t len, bool write) const {
  for (size_t i = 0; i < count_; ++i) {
    const Region& r = regions_[i];
    if (r.contains(addr, len) && (r.writable || !write)) {
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
