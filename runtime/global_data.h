// One engine instance's copy of a program's global data. It lives as long as
// the engine and persists between its runs, as BPF global data does, so the
// addresses its pointer slots hold (isa::DataPointer) are known once it is
// laid out, and are this copy's own.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/program.h"

namespace sbpf::runtime {

// Copies every section of `program` (Program::sections order) and writes
// into each pointer slot the address of its target in the copy. Every
// section gets a non-null address, even an empty one, so that no pointer to
// global data is ever 0 (the verifier takes them for non-null).
std::vector<std::vector<uint8_t>> lay_out_global_data(const isa::Program& program);

}  // namespace sbpf::runtime
