// Which of r1..r5 each function reads before it writes them: its arguments.
// BPF calls carry no argument count, so without this every register r1..r5
// the caller happens to hold flows into the callee: a stack pointer left in
// r4 would make the caller's frame look reachable, and a counter left in r3
// would make each call's entry differ from the last.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "isa/program.h"
#include "isa/control_flow.h"

namespace sbpf::verifier {

// A set of registers, bit r for rr.
using RegisterMask = uint16_t;

// The registers one instruction writes (a call: r0..r5, which it clobbers).
RegisterMask registers_written(const isa::Instruction& insn);

// Per function (as in Program::functions), the registers among r1..r5 some
// path reads before writing. `helper_arguments(id)` gives the registers a
// helper call reads.
std::vector<RegisterMask> argument_registers(const isa::Program& program, const isa::ProgramGraph& graph,
                                             const std::function<RegisterMask(int32_t)>& helper_arguments);

}  // namespace sbpf::verifier
