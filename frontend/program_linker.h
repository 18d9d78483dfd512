// Linking one program the way libbpf's loader would: called sub-programs
// appended after the caller, local calls patched to reach them, and `lddw`
// of global data rewritten to the kLddwMapValue pseudo form.
#pragma once

#include "frontend/btf_ext.h"
#include "frontend/elf_object.h"
#include "frontend/global_data.h"
#include "frontend/libbpf_object.h"
#include "isa/program.h"

struct btf;

namespace sbpf::frontend::detail {

// The program that starts at `entry`, with its line info, not yet
// validated. Throws ObjectProblem naming the pc of whatever cannot be
// linked: an extern, a map, a function pointer, a CO-RE relocation.
isa::Program link_program(const EntryPoint& entry, const ElfObject& elf, const GlobalData& data,
                          const BtfExtInfo& ext, const struct btf* btf);

}  // namespace sbpf::frontend::detail
