// The host's listing: LLVM's MC disassemblers.
#include "tools/native_listing.h"

namespace sbpf::tools {

std::vector<jit::NativeInstruction> native_listing(jit::Arch arch, std::span<const uint8_t> code) {
  return jit::disassemble(arch, code);
}

}  // namespace sbpf::tools
