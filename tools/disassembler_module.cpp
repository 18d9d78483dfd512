#include "tools/disassembler_module.h"

#include "tools/command_line.h"
#include "tools/shared_module.h"

namespace sbpf::tools {

DisassembleNative load_native_disassembler() {
#if SBPF_WITH_NATIVE_DISASSEMBLER
  static const auto* module = static_cast<const DisassemblerModule*>(open_shared_module(
      {"sbpf-disassembler.so", kDisassemblerModuleSymbol, "SBPF_DISASSEMBLER_MODULE", "--dump"}));
  return module->disassemble;
#else
  throw UsageError("--dump: this build of sbpf has no native disassembler (it was built without LLVM)");
#endif
}

}  // namespace sbpf::tools
