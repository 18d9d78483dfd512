#include <cinttypes>
#include <cstdio>

#include "runtime/heap_arena.h"
#include "runtime/interpreter.h"
#include "runtime/lambda_context.h"
#include "runtime/lambda_io_helpers.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/program_file.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf run PROG [options]\n"
    "\n"
    "Runs a program once. PROG is a BPF ELF object, assembly (.s) or raw bytecode.\n"
    "\n"
    "A λ program (section lambda/... or lambda_io/...), or any program given --input,\n"
    "gets the λ context in r1: {buf_o, buf_i, size_i, size_o_cap}. Its return value is\n"
    "the number of output bytes, written to --out or shown as a hex dump.\n"
    "Any other program gets r1 = memory, r2 = its length, like the conformance suite.\n"
    "\n"
    "  --section NAME      the program in this ELF section (default: the only one)\n"
    "  --input FILE        λ input buffer contents\n"
    "  --out FILE          write the λ output bytes here\n"
    "  --output-size N     λ output buffer capacity (default: input size, at least 4096)\n"
    "  --mem HEX           memory for a non-λ program, as hex bytes\n"
    "  --mem-file FILE     memory for a non-λ program, from a file\n"
    "  --engine interp     execution engine (the interpreter; the JITs come later)\n"
    "  --loop-budget N     backward jumps allowed per invocation (default 16777215)\n";

void print_hex_dump(const uint8_t* bytes, size_t size) {
  for (size_t row = 0; row < size; row += 16) {
    std::printf("%08zx ", row);
    for (size_t i = row; i < row + 16 && i < size; ++i) std::printf(" %02x", bytes[i]);
    std::printf("\n");
  }
}

void print_r0(uint64_t r0) {
  std::printf("r0 = %" PRId64 " (0x%" PRIx64 ")\n", static_cast<int64_t>(r0), r0);
}

}  // namespace

int run_command(const Args& args) {
  CommandLine cl(args, {"--section", "--input", "--out", "--output-size", "--mem", "--mem-file", "--engine",
                        "--loop-budget"},
                 {"--help"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "program file (sbpf run PROG)");
  cl.get_choice("--engine", {"interp", "auto"}, "interp");
  if (cl.has("--mem") && cl.has("--mem-file")) throw UsageError("give --mem or --mem-file, not both");

  const std::string& path = cl.positionals()[0];
  isa::Program program = load_program_file(path, cl.get_or("--section", ""));
  const bool lambda = is_lambda_program(program) || cl.has("--input");
  if (lambda && (cl.has("--mem") || cl.has("--mem-file")))
    throw UsageError("a λ program reads --input, not --mem");
  if (!lambda && (cl.has("--out") || cl.has("--output-size")))
    throw UsageError("--out and --output-size apply to λ programs (give --input)");

  runtime::HelperRegistry helpers;
  runtime::add_lambda_io_helpers(helpers);
  runtime::HeapArena heap;
  runtime::Invocation invocation;
  invocation.heap = &heap;
  invocation.loop_budget = cl.get_number("--loop-budget").value_or(runtime::kDefaultLoopBudget);

  std::vector<uint8_t> memory, input, output;
  runtime::LambdaContext context{};
  if (lambda) {
    if (auto in = cl.get("--input")) input = read_file(*in);
    uint64_t capacity = cl.get_number("--output-size").value_or(std::max<uint64_t>(input.size(), 4096));
    output.assign(capacity, 0);
    context = {reinterpret_cast<uintptr_t>(output.data()), reinterpret_cast<uintptr_t>(input.data()), input.size(),
               output.size()};
    invocation.regions.add({runtime::RegionKind::kCtx, reinterpret_cast<uint8_t*>(&context), sizeof context, false});
    invocation.regions.add({runtime::RegionKind::kInput, input.data(), input.size(), false});
    invocation.regions.add({runtime::RegionKind::kOutput, output.data(), output.size(), true});
    invocation.args[0] = reinterpret_cast<uintptr_t>(&context);
  } else {
    if (auto hex = cl.get("--mem")) memory = parse_hex_bytes(*hex);
    if (auto file = cl.get("--mem-file")) memory = read_file(*file);
    invocation.pass_memory(memory);
  }

  runtime::ExecutionResult result;
  try {
    runtime::Interpreter interpreter(program, helpers);
    result = interpreter.run(invocation);
  } catch (const runtime::UnsupportedProgram& e) {
    std::fprintf(stderr, "%s: error: %s\n", path.c_str(), e.what());
    return kExitRejected;
  }
  if (!result.ok()) {
    std::fputs(format_abort(program, *result.abort, path).c_str(), stderr);
    return kExitRejected;
  }
  print_r0(result.r0);
  if (!lambda) return kExitOk;

  auto produced = static_cast<int64_t>(result.r0);
  if (produced < 0) {
    std::fprintf(stderr, "%s: error: the λ function returned error %" PRId64 "\n", path.c_str(), produced);
    return kExitRejected;
  }
  if (static_cast<uint64_t>(produced) > output.size()) {
    std::fprintf(stderr, "%s: error: the λ function reports %" PRId64 " output bytes, but the buffer holds %zu\n",
                 path.c_str(), produced, output.size());
    return kExitRejected;
  }
  output.resize(static_cast<size_t>(produced));
  if (auto out = cl.get("--out")) {
    write_file(*out, output);
  } else {
    print_hex_dump(output.data(), output.size());
  }
  return kExitOk;
}

}  // namespace sbpf::tools
