// Arbitrary bytes as bytecode: decoding either rejects them with a
// FormatError or yields a program that disassembles, reassembles to the same
// bytes, and runs to a result or a typed abort — never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "isa/assembler.h"
#include "isa/disassembler.h"
#include "isa/program.h"
#include "runtime/heap_arena.h"
#include "runtime/interpreter.h"
#include "runtime/lambda_io_helpers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sbpf;
  // The first 16 bytes are the program's memory, the rest its code.
  const size_t mem_size = size < 16 ? size : 16;
  std::vector<uint8_t> memory(data, data + mem_size);
  isa::Program program;
  try {
    program = isa::decode({data + mem_size, size - mem_size});
  } catch (const isa::FormatError&) {
    return 0;
  }
  isa::Program again = isa::assemble(isa::disassemble(program), "<fuzz>");
  if (isa::encode(again) != isa::encode(program)) std::abort();

  runtime::HelperRegistry helpers;
  runtime::add_lambda_io_helpers(helpers);
  runtime::HeapArena heap(4096);
  runtime::Invocation invocation;
  invocation.pass_memory(memory);
  invocation.heap = &heap;
  invocation.loop_budget = 4096;
  try {
    runtime::Interpreter interpreter(program, helpers);
    interpreter.run(invocation);
  } catch (const runtime::UnsupportedProgram&) {
  }
  return 0;
}
