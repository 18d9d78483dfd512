// Native code as text, through LLVM's MC disassembler: what `sbpf jit
// --dump` prints and the golden tests check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "jit/native_program.h"

namespace sbpf::jit {

struct NativeInstruction {
  size_t offset = 0;  // from the start of the code
  size_t size = 0;
  std::string text;   // Intel syntax for x86-64, e.g. "mov rax, qword ptr [rdi + 8]"
};

// Decodes `code` as `arch` instructions; bytes that do not decode come out
// one at a time as ".byte 0x..". Thread-safe.
std::vector<NativeInstruction> disassemble(Arch arch, std::span<const uint8_t> code);

}  // namespace sbpf::jit
