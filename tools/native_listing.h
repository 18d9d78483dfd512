// Native code as a list of instructions for `sbpf jit --dump`: LLVM's MC
// disassemblers on the host (jit/native_disassembler.h), code words in the
// device build, which has no LLVM.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "jit/native_disassembler.h"
#include "jit/native_program.h"

namespace sbpf::tools {

// Throws UsageError when this build cannot show code of `arch`.
std::vector<jit::NativeInstruction> native_listing(jit::Arch arch, std::span<const uint8_t> code);

}  // namespace sbpf::tools
