// `sbpf jit --dump` prints native code through LLVM's MC disassemblers
// (jit/native_disassembler.h). They are a module, sbpf-disassembler.so,
// that the command opens only then (shared_module.h): linked in, LLVM's
// tables cost every command about 3 ms of relocations at start-up.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "jit/native_disassembler.h"

namespace sbpf::tools {

using DisassembleNative = std::vector<jit::NativeInstruction> (*)(jit::Arch arch, std::span<const uint8_t> code);

// What the module exports under kDisassemblerModuleSymbol.
struct DisassemblerModule {
  const char* abi;  // the sbpf version it was built from
  DisassembleNative disassemble;
};
inline constexpr const char* kDisassemblerModuleSymbol = "sbpf_disassembler_module";

// jit::disassemble, from the module (opened once per process). A
// UsageError (exit 2) when this build has none or it cannot be opened.
DisassembleNative load_native_disassembler();

}  // namespace sbpf::tools
