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
#include "tools/load_flags.h"
#include "tools/program_file.h"
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
    "A program the verifier rejects is not run: its report is printed, exit 1.\n"
    "Sizes take a K, M or G suffix.\n";

void print_hex_dump(const uint8_t* bytes, size_t size) {
  for (size_t row = 0; row < size; row += 16) {
    std::printf("%08zx ", row);
    for (size_t i = row; i < row + 16 && i < size; ++i) std::printf(" %02x", bytes[i]);
    std::printf("\n");
  }
}

runtime::LambdaRunOptions lambda_run_options(const CommandLine& cl) {
  runtime::LambdaRunOptions options;
  options.chunk_bytes = cl.get_byte_size("--chunk-size").value_or(runtime::kLambdaChunkBytes);
  options.output_capacity = cl.get_byte_size("--output-size").value_or(runtime::kLambdaOutputCapacity);
  if (options.chunk_bytes == 0) throw UsageError("--chunk-size must be at least 1");
  if (options.chunk_bytes > verifier::kLambdaMaxInputBytes)
    throw UsageError("--chunk-size is at most 8M: the verifier's proofs assume λ chunks no larger");
  if (options.output_capacity > verifier::kLambdaMaxOutputBytes)
    throw UsageError("--output-size is at most 256M: the verifier's proofs assume λ outputs no larger");
  return options;
}

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
  std::unique_ptr<FILE, int (*)(FILE*)> out(nullptr, fclose);
  const auto out_path = cl.get("--out");
  if (out_path) {
    out.reset(std::fopen(out_path->c_str(), "wb"));
    if (!out) throw UsageError("cannot write " + *out_path + ": " + std::strerror(errno));
  }
  std::vector<uint8_t> shown;
  runtime::LambdaRunResult result = runtime::run_lambda(
      function, input ? input->size() : 0,
      [&](uint64_t offset, std::span<uint8_t> chunk) {
        try {
          if (!input->read_at(offset, chunk)) throw UsageError("cannot read " + input->path() + ": the file shrank");
        } catch (const std::system_error& e) {
          throw UsageError(std::string("cannot read ") + e.what());
        }
      },
      [&](std::span<const uint8_t> bytes) {
        if (!out) {
          shown.insert(shown.end(), bytes.begin(), bytes.end());
        } else if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), out.get()) != bytes.size()) {
          throw UsageError("cannot write " + *out_path + ": " + std::strerror(errno));
        }
      },
      options);
  if (out && std::fflush(out.get()) != 0) throw UsageError("cannot write " + *out_path + ": " + std::strerror(errno));

  if (!result.ok()) {
    const runtime::LambdaFailure& failure = *result.failure;
    if (failure.abort && program != nullptr) {
      std::fputs(runtime::format_abort(*program, *failure.abort, path).c_str(), stderr);
      std::fprintf(stderr, "note: in the chunk at input offset %" PRIu64 " (%" PRIu64 " bytes)\n",
                   failure.chunk_offset, failure.chunk_bytes);
    } else {
      std::fprintf(stderr, "%s: error: %s\n", path.c_str(), failure.describe().c_str());
    }
    return kExitRejected;
  }
  if (out) {
    std::printf("%" PRIu64 " chunk%s, %" PRIu64 " input bytes, %" PRIu64 " output bytes\n", result.chunks,
                result.chunks == 1 ? "" : "s", input ? input->size() : 0, result.output_bytes);
  } else {
    print_hex_dump(shown.data(), shown.size());
  }
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
  CommandLine cl(args, {"--section", "--input", "--out", "--chunk-size", "--output-size", "--mem", "--mem-file",
                        "--engine", "--loop-budget"},
                 {"--help", "--no-verify", "--prove"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
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
  if (!lambda) return run_memory_program(cl, path, loaded);
  runtime::BytecodeLambda function(loaded);
  return run_lambda_program(cl, path, function, &loaded.program());
}

}  // namespace sbpf::tools
