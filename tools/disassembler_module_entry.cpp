// sbpf-disassembler.so: LLVM's disassemblers (jit/native_disassembler.h) as
// a module that `sbpf jit --dump` opens (tools/disassembler_module.h). Only
// the entry below leaves the module.
#include "jit/native_disassembler.h"
#include "tools/disassembler_module.h"

extern "C" __attribute__((visibility("default"))) const sbpf::tools::DisassemblerModule sbpf_disassembler_module = {
    SBPF_VERSION, sbpf::jit::disassemble};
