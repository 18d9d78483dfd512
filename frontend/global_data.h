// Global data (.rodata*, .data*, .bss*) as Program::sections: every program
// of an object sees all of it, in ELF order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "frontend/elf_object.h"
#include "isa/program.h"

struct btf;

namespace sbpf::frontend::detail {

struct GlobalData {
  std::vector<isa::DataSection> sections;
  std::map<size_t, uint32_t> index_of_elf_section;
};

// Addresses the data holds (relocations) become DataSection::pointers.
// Throws ObjectProblem for a section too large to be global data, and
// UnsupportedProblem for an address sbpf cannot hold (of a function, an
// extern, a map, or unaligned).
GlobalData collect_global_data(const ElfObject& elf);

// Pointer fields of globals (from the object's BTF) that start out null
// become DataPointers without a target, so that a program may read them as
// pointers (a list's last `next`) and store addresses there.
void add_null_pointers(GlobalData& data, const ElfObject& elf, const struct btf* btf);

}  // namespace sbpf::frontend::detail
