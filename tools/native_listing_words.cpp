// The device's listing, without LLVM: A64 code is a sequence of 32-bit
// words, each shown as `.inst 0x...` (what an assembler reads back);
// x86-64's variable-length code cannot be cut without a decoder.
#include <cstdio>

#include "tools/command_line.h"
#include "tools/native_listing.h"

namespace sbpf::tools {

std::vector<jit::NativeInstruction> native_listing(jit::Arch arch, std::span<const uint8_t> code) {
  if (arch != jit::Arch::kArm64)
    throw UsageError(std::string("the device build shows arm64 code only (as words); dump ") + jit::arch_name(arch) +
                     " code with the host's sbpf");
  std::vector<jit::NativeInstruction> out;
  for (size_t at = 0; at + 4 <= code.size(); at += 4) {
    const uint32_t word = static_cast<uint32_t>(code[at]) | static_cast<uint32_t>(code[at + 1]) << 8 |
                          static_cast<uint32_t>(code[at + 2]) << 16 | static_cast<uint32_t>(code[at + 3]) << 24;
    char text[24];
    std::snprintf(text, sizeof text, ".inst 0x%08x", word);
    out.push_back({at, 4, text});
  }
  return out;
}

}  // namespace sbpf::tools
