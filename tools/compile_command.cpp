#include <cstdio>

#include "frontend/clang_driver.h"
#include "tools/command_line.h"
#include "tools/commands.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf compile SRC.c -o OUT.o [-I DIR]... [-D NAME[=VAL]]... [-O LEVEL]\n"
    "                    [--native [--target x86_64|aarch64]]\n"
    "\n"
    "Compiles a λ or XRP program written in C to a BPF object with clang\n"
    "(-target bpf -mcpu=v4 -g), adding the sbpf SDK headers (<sbpf/lambda.h>, ...).\n"
    "clang's diagnostics are shown unchanged; a compile error exits 1.\n"
    "\n"
    "  -o FILE      the object to write (required)\n"
    "  -I DIR       add an include directory (repeatable)\n"
    "  -D NAME=VAL  define a macro (repeatable)\n"
    "  -O LEVEL     optimization level (default 2)\n"
    "  --native     build a shared object instead: the program's native twin\n"
    "  --target T   the twin's machine: x86_64 or aarch64 (default: this one's);\n"
    "               an aarch64 twin runs on the device's sbpf (under qemu-aarch64)\n"
    "\n"
    "clang is $SBPF_CLANG if set, else clang-19, else clang, on $PATH.\n";

// `-Ifoo` → `-I foo`, like clang spells them, for -I, -D and -O.
Args split_joined_flags(const Args& args) {
  Args out;
  for (const auto& a : args) {
    if (a.size() > 2 && a[0] == '-' && (a[1] == 'I' || a[1] == 'D' || a[1] == 'O') && a[2] != '=') {
      out.push_back(a.substr(0, 2));
      out.push_back(a.substr(2));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace

int compile_command(const Args& args) {
  CommandLine cl(split_joined_flags(args), {"-o", "-I", "-D", "-O", "--target"}, {"--help", "--native"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "source file (sbpf compile SRC.c -o OUT.o)");
  frontend::CompileOptions options;
  options.source = cl.positionals()[0];
  options.output = cl.get_or("-o", "");
  if (options.output.empty()) throw UsageError("missing -o OUT.o");
  options.include_dirs = cl.get_all("-I");
  options.defines = cl.get_all("-D");
  options.optimization = cl.get_choice("-O", {"0", "1", "2", "3", "s", "z"}, "2");
  options.native = cl.has("--native");
  if (cl.has("--target")) {
    if (!options.native) throw UsageError("--target names a native twin's machine: give --native too");
    options.target = cl.get_choice("--target", {"x86_64", "aarch64"}, "");
  }
  read_file(options.source);  // a missing source is bad usage (exit 2), not a compile error

  frontend::ClangLookup clang = frontend::find_clang();
  if (!clang.path) {
    std::string tried;
    for (const auto& t : clang.tried) tried += (tried.empty() ? "" : ", ") + t;
    throw UsageError("no clang found: looked for " + tried + "; install clang-19 or set SBPF_CLANG");
  }
  int status = frontend::run_command(frontend::clang_command(*clang.path, options));
  if (status == 127) throw UsageError("could not run " + *clang.path);
  return status == 0 ? kExitOk : kExitRejected;
}

}  // namespace sbpf::tools
