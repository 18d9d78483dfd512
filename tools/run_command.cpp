#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "runtime/heap_arena.h"
#include "runtime/host_file.h"
#include "runtime/lambda_runtime.h"
#include "runtime/loaded_program.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/lambda_run_output.h"
#include "tools/load_flags.h"
#include "tools/program_file.h"
#include "tools/run_on_model.h"
#include "verifier/program_type.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf run PROG [options]\n"
    "\n"
    "Runs a program. PROG is a BPF ELF object, a program image, assembly (.s), raw\n"
    "bytecode, or a native twin (a host shared object from `sbpf compile --native`).\n"
    "\n"
    "A λ program (section lambda/... or lambda_io/..., or a function taking\n"
    "struct context), or any program given --input, runs over the input the way\n"
    "the λ runtime does: once per chunk of --chunk-size bytes, each with a fresh\n"
    "output buffer of --output-size bytes, the outputs concatenated. Its context\n"
    "in r1 is {buf_o, buf_i, size_i, size_o_cap}; it returns the output bytes.\n"
    "The output goes to --out, or is shown as a hex dump.\n"
    "Any other program runs once with r1 = memory, r2 = its length, like the\n"
    "conformance suite, and its r0 is printed.\n"
    "\n"
    "  --section NAME      the program in this ELF section (default: the only one)\n"
    "  --input FILE        λ input (default: empty)\n"
    "  --out FILE          write the λ output here\n"
    "  --chunk-size N      λ chunk size (default 2M, λ-IO's device buffer; at most 8M)\n"
    "  --output-size N     λ output capacity per chunk (default 16M; at most 256M)\n"
    "  --mem HEX           memory for a non-λ program, as hex bytes\n"
    "  --mem-file FILE     memory for a non-λ program, from a file\n"
    "  --engine E          interp (the interpreter), jit (this host's JIT), or auto\n"
    "                      (the JIT where the host has one; the default)\n"
    "  --loop-budget N     backward jumps allowed per invocation (default 16777215,\n"
    "                      or the image's)\n"
    "  --no-verify         run without verifying first: every access is checked and\n"
    "                      every backward jump counted (verified, only the accesses\n"
    "                      and loops the verifier could not prove are)\n"
    "  --prove             verify with Z3's guard removal (as `sbpf verify --prove`)\n"
    "A program the verifier rejects is not run: its report is printed, exit 1.\n";
constexpr const char* kHelpFooter = "Sizes take a K, M or G suffix.\n";

int run_lambda_program(const CommandLine& cl, const std::string& path, runtime::LambdaFunction& function,
                       const isa::Program* program) {
  const runtime::LambdaRunOptions options = lambda_run_options(cl);

  // Read chunk by chunk, so that a large file is never held whole.
  std::unique_ptr<runtime::HostFile> input;
  if (auto in = cl.get("--input")) {
    try {
      input = std::make_unique<runtime::HostFile>(*in);
    } catch (const std::system_error& e) {
      throw UsageError(std::string("cannot open ") + e.what());
    }
  }
  LambdaOutput output(cl.get("--out"));
  runtime::LambdaRunResult result = runtime::run_lambda(
      function, input ? input->size() : 0,
      [&](uint64_t offset, std::span<uint8_t> chunk) {
        try {
          if (!input->read_at(offset, chunk)) throw UsageError("cannot read " + input->path() + ": the file shrank");
        } catch (const std::system_error& e) {
          throw UsageError(std::string("cannot read ") + e.what());
        }
      },
      [&](std::span<const uint8_t> bytes) { output.write(bytes); }, options);
  if (!result.ok()) {
    report_lambda_failure(path, *result.failure, program);
    return kExitRejected;
  }
  output.finish(result.chunks, input ? input->size() : 0, result.output_bytes);
  return kExitOk;
}

int run_memory_program(const CommandLine& cl, const std::string& path, runtime::LoadedProgram& program) {
  if (cl.has("--out") || cl.has("--output-size") || cl.has("--chunk-size"))
    throw UsageError("--out, --output-size and --chunk-size apply to λ programs (give --input)");
  std::vector<uint8_t> memory;
  if (auto hex = cl.get("--mem")) memory = parse_hex_bytes(*hex);
  if (auto file = cl.get("--mem-file")) memory = read_file(*file);

  runtime::HeapArena heap;
  runtime::Invocation invocation;
  invocation.heap = &heap;
  invocation.pass_memory(memory);
  runtime::ExecutionResult result = program.run(invocation);
  if (!result.ok()) {
    std::fputs(runtime::format_abort(program.program(), *result.abort, path).c_str(), stderr);
    return kExitRejected;
  }
  std::printf("r0 = %" PRId64 " (0x%" PRIx64 ")\n", static_cast<int64_t>(result.r0), result.r0);
  return kExitOk;
}

}  // namespace

int run_command(const Args& args) {
  std::set<std::string> value_options = {"--section", "--input",  "--out",    "--chunk-size", "--output-size",
                                         "--mem",     "--mem-file", "--engine", "--loop-budget"};
  value_options.insert(std::begin(kRunOnModelValueOptions), std::end(kRunOnModelValueOptions));
  CommandLine cl(args, value_options, {"--help", "--no-verify", "--prove"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    std::fputs(kRunOnModelHelp, stdout);
    std::fputs(kHelpFooter, stdout);
    return kExitOk;
  }
  std::optional<runtime::LambdaMode> on;
  if (auto side = cl.get("--on")) {
    on = runtime::mode_named(*side);
    if (!on) throw UsageError("--on takes host, device or auto, not '" + *side + "'");
    if (!cl.has("--input")) throw UsageError("--on needs --input FILE: the λ API reads a file");
  } else {
    for (const char* option : kRunOnModelValueOptions)
      if (cl.has(option)) throw UsageError(std::string(option) + " applies to runs with --on");
  }
  cl.expect_positionals(1, "program file (sbpf run PROG)");
  runtime::LoadOptions defaults;
  defaults.engine = runtime::engine_named("auto");
  runtime::LoadOptions load_options = parse_load_options(cl, defaults);
  if (cl.has("--mem") && cl.has("--mem-file")) throw UsageError("give --mem or --mem-file, not both");
  const std::string& path = cl.positionals()[0];
  const bool memory_given = cl.has("--mem") || cl.has("--mem-file");

  if (frontend::looks_like_native_twin(read_file(path))) {
    if (memory_given) throw UsageError("a native twin is a λ function: it reads --input, not --mem");
    if (on) throw UsageError("a native twin runs on this host only: --on takes a BPF program");
    try {
      frontend::NativeTwin twin(path, cl.get_or("--section", ""));
      runtime::NativeLambda function(reinterpret_cast<runtime::NativeLambda::Entry>(twin.entry()));
      return run_lambda_program(cl, path, function, nullptr);
    } catch (const frontend::LoadError& e) {
      throw UsageError(e.what());
    }
  }

  isa::Program program = load_program_file(path, cl.get_or("--section", ""));
  const std::optional<ImageSettings> image = image_settings(path);
  const std::string type = image ? image->type : program_type_name(program);
  take_image_budget(cl, image, load_options);
  if (type == "xrp") throw UsageError(path + ": an XRP program runs on reads of a file: use `sbpf xrp get`");
  const bool lambda = type == "lambda" || cl.has("--input");
  if (lambda && memory_given) throw UsageError("a λ program reads --input, not --mem");
  if (lambda) lambda_run_options(cl);  // bad options are reported before the program is verified
  runtime::LoadedProgram loaded = load_or_reject(
      std::move(program), *verifier::program_type_named(lambda ? "lambda" : "memory"), load_options, path);
  if (!lambda) {
    if (on) throw UsageError("--on runs λ programs: give --input");
    return run_memory_program(cl, path, loaded);
  }
  if (on) return run_on_model(cl, path, loaded.program(), loaded.loop_budget(), *on);
  runtime::BytecodeLambda function(loaded);
  return run_lambda_program(cl, path, function, &loaded.program());
}

}  // namespace sbpf::tools
