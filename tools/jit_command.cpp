// `sbpf jit`: compiles a program to native code and shows it, each BPF
// instruction followed by the native instructions made from it.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "isa/disassembler.h"
#include "jit/native_disassembler.h"
#include "jit/native_program.h"
#include "runtime/loaded_program.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/disassembler_module.h"
#include "tools/load_flags.h"
#include "tools/program_file.h"
#include "verifier/verifier.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf jit PROG --dump [--arch x86_64|arm64] [--atomics lse|exclusive] [--section NAME]\n"
    "                     [--type lambda|xrp|memory] [--loop-budget N] [--no-verify | --prove] [--blind]\n"
    "                     [--no-bytes]\n"
    "\n"
    "Verifies a program, compiles it to native code with the verifier's annotations,\n"
    "and prints the code: each BPF instruction (with its C source line when the\n"
    "object has line info) followed by the native instructions made from it, then\n"
    "the out-of-line code (abort stubs, guard slow paths, the exit).\n"
    "\n"
    "  --dump           print the native code (the only action so far)\n"
    "  --arch A         x86_64 or arm64 (default: this host's; either compiles anywhere)\n"
    "  --atomics A      arm64: LSE instructions or exclusive load/store loops\n"
    "                   (default: what this CPU has; LSE on a host that is not arm64)\n"
    "  --section NAME   the program in this ELF section\n"
    "  --type T         the program type, when the section name and BTF do not tell\n"
    "  --loop-budget N  verify for this budget (default 16777215): a loop that may\n"
    "                   run longer is counted\n"
    "  --no-verify      compile without verifying: every access guarded, every\n"
    "                   backward jump counted\n"
    "  --prove          verify with Z3's guard removal\n"
    "  --blind          blind the program's constants\n"
    "  --no-bytes       omit the encoding column\n"
    "Global data is shown at address 0: an engine binds it when it loads the program.\n";

void print_native(const std::vector<jit::NativeInstruction>& code, size_t& next, size_t end, bool bytes,
                  const uint8_t* raw) {
  for (; next < code.size() && code[next].offset < end; ++next) {
    const jit::NativeInstruction& insn = code[next];
    std::string encoding;
    if (bytes) {
      char hex[4];
      for (size_t i = 0; i < insn.size; ++i) {
        std::snprintf(hex, sizeof hex, "%02x ", raw[insn.offset + i]);
        encoding += hex;
      }
      encoding.resize(std::max<size_t>(encoding.size(), 33), ' ');
    }
    std::printf("  0x%04zx:  %s%s\n", insn.offset, encoding.c_str(), insn.text.c_str());
  }
}

}  // namespace

int jit_command(const Args& args) {
  CommandLine cl(args, {"--arch", "--atomics", "--section", "--type", "--loop-budget"},
                 {"--help", "--dump", "--no-verify", "--prove", "--blind", "--no-bytes"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "program file (sbpf jit PROG --dump)");
  if (!cl.has("--dump")) throw UsageError("nothing to do: give --dump");
#if defined(__aarch64__)
  constexpr const char* kHostArch = "arm64";
#else
  constexpr const char* kHostArch = "x86_64";
#endif
  const std::string arch_name = cl.get_choice("--arch", {"x86_64", "arm64"}, kHostArch);
  const jit::Arch arch = arch_name == "arm64" ? jit::Arch::kArm64 : jit::Arch::kX86_64;
  if (cl.has("--atomics") && arch != jit::Arch::kArm64) throw UsageError("--atomics is for --arch arm64");
  const std::string atomics = cl.get_choice("--atomics", {"lse", "exclusive", "detect"}, "detect");
  const DisassembleNative disassemble = load_native_disassembler();
  // No engine: the code shown is compiled below, with global data at 0.
  runtime::LoadOptions load_options = parse_load_options(cl);
  load_options.engine = std::nullopt;
  const std::string& path = cl.positionals()[0];

  isa::Program file = load_program_file(path, cl.get_or("--section", ""));
  const std::optional<ImageSettings> image = image_settings(path);
  const std::string forced_type = requested_type(cl, image);
  take_image_budget(cl, image, load_options);
  // Unverified, a program needs no type: the helpers are the λ type's, as
  // `sbpf run` gives them.
  const verifier::ProgramType type =
      load_options.verify ? program_type_of(file, forced_type)
                          : verifier::lambda_program_type();
  const runtime::LoadedProgram loaded = load_or_reject(std::move(file), type, load_options, path);
  const isa::Program& program = loaded.program();
  const verifier::Annotations annotations =
      loaded.annotations() != nullptr ? *loaded.annotations() : verifier::Annotations::all_checked(program);
  jit::CompileOptions options;
  options.section_addresses.assign(program.sections.size(), 0);
  options.blind_constants = load_options.blind_constants;
  options.arm64_atomics = atomics == "lse"         ? jit::Arm64Atomics::kLse
                          : atomics == "exclusive" ? jit::Arm64Atomics::kExclusive
                                                   : jit::Arm64Atomics::kDetect;
  // λ-IO's memory functions run inline.
  options.memory_helpers = loaded.helpers().memory_functions();
  jit::NativeProgram native = [&] {
    try {
      return jit::compile(arch, program, annotations, options);
    } catch (const jit::UnsupportedForJit& e) {
      throw UsageError(path + ": " + e.what());
    }
  }();

  size_t guards = 0, counted = 0;
  for (const jit::GuardSite& site : native.guard_sites()) guards += site.helper_argument == 0;
  for (verifier::BackEdge b : annotations.back_edge) counted += b == verifier::BackEdge::kCounted;
  std::printf("# %s: %zu bytes of %s code for %zu BPF slots; %zu guarded access%s, %zu counted back-edge%s\n",
              program.name.empty() ? path.c_str() : program.name.c_str(), native.code_size(),
              jit::arch_name(native.arch()), program.size(),
              guards, guards == 1 ? "" : "es", counted, counted == 1 ? "" : "s");

  const std::vector<jit::NativeInstruction> code =
      disassemble(native.arch(), {native.code(), native.code_size()});
  const bool bytes = !cl.has("--no-bytes");
  const std::vector<uint32_t>& at = native.pc_offsets();
  size_t next = 0;
  std::printf("; entry\n");
  print_native(code, next, at[0], bytes, native.code());
  const isa::LineInfo* shown_line = nullptr;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    if (program.is_lddw_tail(pc)) continue;
    const isa::LineInfo* line = program.line_for(pc);
    if (line != nullptr && line != shown_line && !line->source.empty()) {
      std::printf("; %s:%u: %s\n", line->file.c_str(), line->line, line->source.c_str());
      shown_line = line;
    }
    const std::string note = verifier::describe_annotation(annotations, pc);
    std::printf("; %zu: %s%s%s\n", pc, isa::disassemble_instruction(program, pc).c_str(), note.empty() ? "" : "  # ",
                note.c_str());
    print_native(code, next, at[pc + 1], bytes, native.code());
  }
  std::printf("; out of line\n");
  print_native(code, next, native.code_size(), bytes, native.code());
  return kExitOk;
}

}  // namespace sbpf::tools
