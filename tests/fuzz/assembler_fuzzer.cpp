// Arbitrary text as assembly: an AssemblyError or a valid program whose
// disassembly reassembles to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "isa/assembler.h"
#include "isa/disassembler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sbpf;
  std::string text(reinterpret_cast<const char*>(data), size);
  isa::Program program;
  try {
    program = isa::assemble(text, "<fuzz>");
  } catch (const isa::AssemblyError&) {
    return 0;
  }
  if (isa::encode(isa::assemble(isa::disassemble(program), "<fuzz>")) != isa::encode(program)) std::abort();
  return 0;
}
