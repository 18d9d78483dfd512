// The bpf_conformance plugin contract: the program arrives on stdin as one
// line of hex bytes, the memory as hex in the first argument; r1 = memory,
// r2 = its length; r0 is printed in hex. Errors go to stderr with a non-zero
// exit.
#include <cinttypes>
#include <cstdio>

#include "runtime/loaded_program.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/load_flags.h"
#include "verifier/program_type.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf conformance-plugin [HEX_MEMORY] [--engine interp|jit|auto] [--jit]\n"
    "       (also runs as `sbpf-conformance-plugin`, for the bpf_conformance runner)\n"
    "\n"
    "Reads a program as hex bytes on stdin, runs it with r1 = memory, r2 = its length,\n"
    "prints r0 in hex. Helper 5 is the suite's test helper: it returns its first argument.\n"
    "--jit is --engine jit: the host's JIT instead of the interpreter.\n";

// The suite's programs call helper 5 (`call 5`, and `callx` through a
// register holding 5) and only need it to return normally.
uint64_t suite_helper(runtime::HelperCall&, const uint64_t args[5]) { return args[0]; }

}  // namespace

int conformance_plugin_command(const Args& raw_args) {
  // The runner passes its plugin options as one more argument, often empty.
  Args args;
  for (const auto& a : raw_args)
    if (!a.empty()) args.push_back(a);
  CommandLine cl(args, {"--engine"}, {"--help", "--jit"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  const std::string engine = cl.get_choice("--engine", {"interp", "jit", "auto"}, "interp");
  if (cl.has("--jit") && cl.has("--engine") && engine != "jit") throw UsageError("--jit contradicts --engine " + engine);
  // The suite's programs are not verified: they test the machine, and many
  // do what a verifier forbids. Every access is checked instead.
  runtime::LoadOptions options;
  options.verify = false;
  options.engine = runtime::engine_named(cl.has("--jit") ? "jit" : engine);
  options = parse_load_options(cl, options);
  if (cl.positionals().size() > 1) throw UsageError("unexpected argument '" + cl.positionals()[1] + "'");

  std::vector<uint8_t> memory;
  if (!cl.positionals().empty()) memory = parse_hex_bytes(cl.positionals()[0]);
  // stdio, not iostream: <iostream> would give every command a static
  // initialiser to run at start-up.
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) text.append(buf, n);
  std::vector<uint8_t> code = parse_hex_bytes(text);

  isa::Program program;
  try {
    program = isa::decode(code, "<stdin>");
  } catch (const isa::FormatError& e) {
    std::fprintf(stderr, "malformed program: %s\n", e.what());
    return kExitRejected;
  }

  options.helpers.emplace();
  options.helpers->add({5, {"suite_helper", runtime::ReturnType::kScalar, {runtime::ArgType::kScalar}}, suite_helper, {}, {}});
  runtime::LoadedProgram loaded = runtime::load(std::move(program), verifier::memory_program_type(), options);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.failure()->reason.c_str());
    return kExitRejected;
  }
  runtime::Invocation invocation;
  invocation.pass_memory(memory);
  const runtime::ExecutionResult result = loaded.run(invocation);
  if (!result.ok()) {
    std::fprintf(stderr, "%s at pc %zu: %s\n", runtime::abort_kind_name(result.abort->kind), result.abort->pc,
                 result.abort->message.c_str());
    return kExitRejected;
  }
  std::printf("%" PRIx64 "\n", result.r0);
  return kExitOk;
}

}  // namespace sbpf::tools
