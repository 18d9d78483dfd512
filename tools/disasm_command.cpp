#include <cstdio>

#include "frontend/elf_loader.h"
#include "isa/disassembler.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/program_file.h"

namespace sbpf::tools {

namespace {
constexpr const char* kHelp =
    "usage: sbpf disasm PROG [--section NAME] [--pc] [--no-source]\n"
    "\n"
    "Prints the bytecode of a BPF ELF object (every program, or one section) or of raw\n"
    "bytecode, in the syntax `sbpf asm` reads back.\n"
    "\n"
    "  --section NAME   only the program in this ELF section\n"
    "  --pc             show each instruction's pc\n"
    "  --no-source      omit the C source lines taken from BTF line info\n";
}  // namespace

int disasm_command(const Args& args) {
  CommandLine cl(args, {"--section"}, {"--help", "--pc", "--no-source"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "program file (sbpf disasm PROG)");
  const std::string& path = cl.positionals()[0];
  isa::DisassemblyOptions options;
  options.show_pc = cl.has("--pc");
  options.show_source = !cl.has("--no-source");

  std::vector<isa::Program> programs;
  std::string section = cl.get_or("--section", "");
  if (section.empty() && frontend::looks_like_elf(read_file(path))) {
    try {
      programs = frontend::load_elf(path);
    } catch (const frontend::LoadError& e) {
      throw UsageError(e.what());
    }
  } else {
    programs.push_back(load_program_file(path, section));
  }
  for (size_t i = 0; i < programs.size(); ++i) {
    if (programs.size() > 1) std::printf("%s# section %s\n", i == 0 ? "" : "\n", programs[i].name.c_str());
    std::fputs(isa::disassemble(programs[i], options).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace sbpf::tools
