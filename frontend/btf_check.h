// libbpf 1.1 follows type ids and name offsets in .BTF without checking them
// (its validation came in 1.2), so a corrupt .BTF would crash
// bpf_object__open. This check runs first, on libbpf's own parse of the
// section, and turns every dangling reference into a message.
#pragma once

#include "frontend/elf_object.h"
#include "frontend/libbpf_warnings.h"

namespace sbpf::frontend::detail {

// Throws ObjectProblem when the object's .BTF (if any) does not parse or
// refers to a type or string that does not exist.
void check_btf(const ElfObject& elf, const LibbpfWarnings& warnings);

}  // namespace sbpf::frontend::detail
