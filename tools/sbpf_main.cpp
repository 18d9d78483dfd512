// `sbpf`: a thin driver over the libraries, one subcommand per file.
#include <cstdio>
#include <exception>
#include <string>

#include "tools/command_line.h"
#include "tools/commands.h"

namespace {

struct Subcommand {
  const char* name;
  int (*run)(const sbpf::tools::Args&);
  const char* summary;
};

constexpr Subcommand kSubcommands[] = {
    {"compile", sbpf::tools::compile_command, "compile a λ or XRP program in C to a BPF object"},
    {"asm", sbpf::tools::asm_command, "assemble text to raw bytecode"},
    {"disasm", sbpf::tools::disasm_command, "disassemble an ELF object or raw bytecode"},
    {"verify", sbpf::tools::verify_command, "prove a program safe, guarding what cannot be proven"},
    {"run", sbpf::tools::run_command, "run a program on memory, or a λ program on an input file"},
    {"jit", sbpf::tools::jit_command, "compile a program to native code and show it"},
    {"xrp", sbpf::tools::xrp_command, "build a BPF-KV database and look keys up through XRP functions"},
    {"conformance-plugin", sbpf::tools::conformance_plugin_command, "the bpf_conformance plugin contract"},
    {"device", sbpf::tools::device_command, "the device model's profiles: list them, check and show one"},
    {"sim", sbpf::tools::sim_command, "experiments on the device model: λ-IO's host, device and auto modes"},
};

void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: sbpf <command> [options]\n\ncommands:\n");
  for (const auto& c : kSubcommands) std::fprintf(out, "  %-20s %s\n", c.name, c.summary);
  std::fprintf(out, "\n`sbpf <command> --help` describes a command. Exit codes: 0 success, 1 the program was "
                    "rejected or failed, 2 bad usage or unreadable input.\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string invoked_as = argv[0];
  if (invoked_as.size() >= 23 && invoked_as.compare(invoked_as.size() - 23, 23, "sbpf-conformance-plugin") == 0) {
    try {
      return sbpf::tools::conformance_plugin_command(sbpf::tools::Args(argv + 1, argv + argc));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sbpf-conformance-plugin: error: %s\n", e.what());
      return sbpf::tools::kExitUsage;
    }
  }
  if (argc < 2) {
    print_usage(stderr);
    return sbpf::tools::kExitUsage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return sbpf::tools::kExitOk;
  }
  for (const auto& c : kSubcommands) {
    if (name != c.name) continue;
    sbpf::tools::Args args(argv + 2, argv + argc);
    try {
      return c.run(args);
    } catch (const sbpf::tools::ProgramRejected&) {
      return sbpf::tools::kExitRejected;
    } catch (const sbpf::tools::UsageError& e) {
      std::fprintf(stderr, "sbpf %s: error: %s\n", c.name, e.what());
      return sbpf::tools::kExitUsage;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "sbpf %s: error: out of memory\n", c.name);
      return sbpf::tools::kExitUsage;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sbpf %s: error: %s\n", c.name, e.what());
      return sbpf::tools::kExitUsage;
    }
  }
  std::fprintf(stderr, "sbpf: error: unknown command '%s'\n", name.c_str());
  print_usage(stderr);
  return sbpf::tools::kExitUsage;
}
