// The messages of aborts, in the program's terms. The interpreter and the
// JIT engine build them the same way, so the two report an abort alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "isa/instruction.h"
#include "runtime/region.h"

namespace sbpf::runtime {

// Why the access of `insn` failed, relative to the region its base register
// (holding `base_value`) points into when it points into one. `allowed`:
// the regions it was checked against.
std::string bad_access_message(const isa::Instruction& insn, uint64_t base_value, const RegionTable& regions,
                               RegionSet allowed);
std::string misaligned_message(unsigned bytes, uint64_t address);
std::string loop_budget_message(uint64_t budget);
// `depth`: the local calls in progress at the call that failed.
std::string stack_overflow_message(size_t depth);
std::string unknown_helper_message(int32_t id);
std::string callx_message(uint8_t reg, uint64_t value);

}  // namespace sbpf::runtime
