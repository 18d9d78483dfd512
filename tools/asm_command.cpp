#include <cstdio>

#include "isa/assembler.h"
#include "tools/command_line.h"
#include "tools/commands.h"

namespace sbpf::tools {

namespace {
constexpr const char* kHelp =
    "usage: sbpf asm FILE.s -o PROG.bin\n"
    "\n"
    "Assembles text in the bpf_conformance syntax (`mov32 %r0, 1`, labels, `#` comments)\n"
    "into raw little-endian bytecode, 8 bytes per instruction slot.\n"
    "\n"
    "  -o FILE    where to write the bytecode (required)\n";
}  // namespace

int asm_command(const Args& args) {
  CommandLine cl(args, {"-o"}, {"--help"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "input file (sbpf asm FILE.s -o PROG.bin)");
  auto out = cl.get("-o");
  if (!out) throw UsageError("missing -o PROG.bin");
  const std::string& path = cl.positionals()[0];
  std::vector<uint8_t> text = read_file(path);
  try {
    isa::Program program = isa::assemble(std::string(text.begin(), text.end()), path);
    write_file(*out, isa::encode(program));
  } catch (const isa::AssemblyError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace sbpf::tools
