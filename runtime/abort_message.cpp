#include "runtime/abort_message.h"

#include <cinttypes>
#include <cstdio>

namespace sbpf::runtime {

namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

// "input, output": the kinds in `set`.
std::string region_names(RegionSet set) {
  std::string names;
  for (int k = 0; k < verifier::kNumRegionKinds; ++k) {
    const auto kind = static_cast<RegionKind>(k);
    if ((set & region_bit(kind)) == 0) continue;
    if (!names.empty()) names += ", ";
    names += region_name(kind);
  }
  return names;
}

}  // namespace

std::string bad_access_message(const isa::Instruction& insn, uint64_t base_value, const RegionTable& regions,
                               RegionSet allowed) {
  const bool write = insn.cls() == isa::kClassSt || insn.cls() == isa::kClassStx;
  const unsigned len = insn.access_bytes();
  const uint8_t base_reg = insn.cls() == isa::kClassLdx ? insn.src : insn.dst;
  const uint64_t addr = base_value + static_cast<int64_t>(insn.offset);
  std::string what = std::string(write ? "store" : "load") + " of " + std::to_string(len) + " bytes at r" +
                     std::to_string(base_reg) + (insn.offset < 0 ? "" : "+") + std::to_string(insn.offset);
  const Region* r = regions.find(base_value);
  if (r == nullptr) r = regions.find(addr);
  if (r == nullptr) return what + " = " + hex(addr) + ", which is outside every region";
  const std::string name = region_name(r->kind);
  const bool before = addr < r->start();
  const uint64_t distance = before ? r->start() - addr : addr - r->start();
  std::string where = name + (before ? "-" : "+") + std::to_string(distance);
  if ((allowed & region_bit(r->kind)) == 0) {
    const std::string names = region_names(allowed);
    return what + " = " + where + ", but this access may only touch " + (names.empty() ? "no region" : names);
  }
  if ((allowed & kPointerSlotAccess) != 0 && r->contains(addr, len))
    return what + " = " + where + ", which is not an address slot of global data, the only place this access may touch";
  if (r->contains(addr, len) && r->pointer_in(addr, len) != nullptr)
    return what + " = " + where + ", which holds an address; only an 8-byte load or store the verifier proved may touch it";
  if (r->contains(addr, len)) return what + " = " + where + ", but " + name + " is read-only";
  return what + " = " + where + (before ? ", before the start of " : ", past the end of ") + name + " (" +
         std::to_string(r->size) + " bytes)";
}

std::string misaligned_message(unsigned bytes, uint64_t address) {
  return "atomic access of " + std::to_string(bytes) + " bytes at " + hex(address) + " is not naturally aligned";
}

std::string loop_budget_message(uint64_t budget) {
  return "more than " + std::to_string(budget) + " backward jumps in one invocation";
}

std::string stack_overflow_message(size_t depth) {
  return "call would need stack frame " + std::to_string(depth + 2) + "; the limit is " + std::to_string(kMaxFrames);
}

std::string unknown_helper_message(int32_t id) { return "call to unknown helper " + std::to_string(id); }

std::string callx_message(uint8_t reg, uint64_t value) {
  return "callx through r" + std::to_string(reg) + " = " + std::to_string(value) + ", which is not a helper id";
}

}  // namespace sbpf::runtime
