// Global data (.rodata*, .data*, .bss*) as Program::sections: every program
// of an object sees all of it, in ELF order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "frontend/elf_object.h"
#include "isa/program.h"

namespace sbpf::frontend::detail {

struct GlobalData {
  std::vector<isa::DataSection> sections;
  std::map<size_t, uint32_t> index_of_elf_section;
};

// Throws ObjectProblem for a section too large to be global data, or one
// that holds an address.
GlobalData collect_global_data(const ElfObject& elf);

}  // namespace sbpf::frontend::detail
