#include "runtime/run_memory.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "runtime/heap_arena.h"

namespace sbpf::runtime {

RunMemory::RunMemory(const Invocation& invocation, const isa::Program& program,
                     std::vector<std::vector<uint8_t>>& sections)
    : regions(invocation.regions) {
  uint8_t* const stack = invocation.stack.empty() ? own_stack_ : invocation.stack.data();
  if (!invocation.stack.empty() && invocation.stack.size() != sizeof own_stack_)
    throw std::invalid_argument("the stack memory of an invocation is " + std::to_string(sizeof own_stack_) +
                                " bytes");
  std::memset(stack, 0, sizeof own_stack_);
  stack_top_ = stack + sizeof own_stack_;
  stack_region_ = regions.add({RegionKind::kStack, stack_top_ - kStackFrameBytes, kStackFrameBytes, true});
  for (size_t i = 0; i < sections.size(); ++i) {
    const bool rodata = program.sections[i].kind == isa::SectionKind::kRodata;
    if (sections[i].empty()) continue;
    regions.add({rodata ? RegionKind::kRodata : RegionKind::kData, sections[i].data(), sections[i].size(), !rodata,
                 program.sections[i].pointers});
  }
  if (invocation.heap != nullptr) regions.add(invocation.heap->region());
}

void check_loop_budget(const Invocation& invocation, uint64_t max_loop_budget) {
  if (invocation.loop_budget > max_loop_budget)
    throw std::invalid_argument("the annotations were proven for a loop budget of at most " +
                                std::to_string(max_loop_budget) + "; this run allows " +
                                std::to_string(invocation.loop_budget));
}

}  // namespace sbpf::runtime
