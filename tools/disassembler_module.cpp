#include "tools/disassembler_module.h"

#include <cstdio>
#include <string>

#include "tools/command_line.h"
#include "tools/shared_module.h"

namespace sbpf::tools {

#if !SBPF_WITH_NATIVE_DISASSEMBLER
namespace {

// A build without LLVM (the device's): A64 code is a sequence of 32-bit
// words, each shown as `.inst 0x...` (what an assembler reads back);
// x86-64's variable-length code cannot be cut without a decoder.
std::vector<jit::NativeInstruction> list_words(jit::Arch arch, std::span<const uint8_t> code) {
  if (arch != jit::Arch::kArm64)
    throw UsageError(std::string("--dump: this build of sbpf has no disassembler (it was built without LLVM): it "
                                 "shows arm64 code as words; dump ") +
                     jit::arch_name(arch) + " code with the host's sbpf");
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

}  // namespace
#endif

DisassembleNative load_native_disassembler() {
#if SBPF_WITH_NATIVE_DISASSEMBLER
  static const auto* module = static_cast<const DisassemblerModule*>(open_shared_module(
      {"sbpf-disassembler.so", kDisassemblerModuleSymbol, "SBPF_DISASSEMBLER_MODULE", "--dump"}));
  return module->disassemble;
#else
  return &list_words;
#endif
}

}  // namespace sbpf::tools
