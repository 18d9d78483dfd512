// `sbpf conformance-plugin` alone, for the aarch64 build under qemu: the
// plugin contract with no frontend or LLVM behind it.
#include <cstdio>

#include "tools/command_line.h"
#include "tools/commands.h"

int main(int argc, char** argv) {
  sbpf::tools::Args args(argv + 1, argv + argc);
  try {
    return sbpf::tools::conformance_plugin_command(args);
  } catch (const sbpf::tools::UsageError& e) {
    std::fprintf(stderr, "conformance-plugin: %s\n", e.what());
    return 2;
  }
}
