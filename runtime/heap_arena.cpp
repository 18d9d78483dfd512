#include "runtime/heap_arena.h"

#include <algorithm>

namespace sbpf::runtime {

HeapArena::HeapArena(uint64_t capacity) : buffer_(capacity) {}

uint64_t HeapArena::allocate(uint64_t size) {
  uint64_t rounded = (size + 7) & ~uint64_t{7};
  if (size == 0 || rounded < size || rounded > buffer_.size() - top_) return 0;
  uint64_t offset = top_;
  top_ += rounded;
  block_starts_.push_back(offset);
  return reinterpret_cast<uintptr_t>(buffer_.data()) + offset;
}

bool HeapArena::release(uint64_t addr) {
  uint64_t base = reinterpret_cast<uintptr_t>(buffer_.data());
  if (addr < base || addr - base >= buffer_.size()) return false;
  uint64_t offset = addr - base;
  auto it = std::lower_bound(block_starts_.begin(), block_starts_.end(), offset);
  if (it == block_starts_.end() || *it != offset) return false;
  if (std::next(it) == block_starts_.end()) top_ = offset;  // the newest block: give its space back
  block_starts_.erase(it);
  return true;
}

void HeapArena::reset() {
  top_ = 0;
  block_starts_.clear();
}

void HeapArena::clear() {
  reset();
  std::fill(buffer_.begin(), buffer_.end(), 0);
}

Region HeapArena::region() { return {RegionKind::kHeap, buffer_.data(), buffer_.size(), true}; }

}  // namespace sbpf::runtime
