#include <cstdio>

#include "isa/disassembler.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/program_file.h"
#include "tools/load_flags.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

namespace sbpf::tools {

namespace {
constexpr const char* kHelp =
    "usage: sbpf disasm PROG [--section NAME] [--pc] [--no-source]\n"
    "                        [--annotate [--type lambda|xrp|memory] [--loop-budget N] [--prove]]\n"
    "\n"
    "Prints the bytecode of a BPF ELF object (every program, or one section), of a\n"
    "program image or of raw bytecode, in the syntax `sbpf asm` reads back.\n"
    "\n"
    "  --section NAME   only the program in this ELF section\n"
    "  --pc             show each instruction's pc\n"
    "  --no-source      omit the C source lines taken from BTF line info\n"
    "  --annotate       verify each program first, and mark every memory access\n"
    "                   `proven` or `guarded: REGIONS` and every backward jump\n"
    "                   `loop: free` or `loop: counted`; a rejected program has its\n"
    "                   errors marked instead, and the command exits 1\n"
    "  --type T         with --annotate: the program type, when the section name and\n"
    "                   BTF do not tell\n"
    "  --loop-budget N  with --annotate: as for `sbpf verify`\n"
    "  --prove          with --annotate: as for `sbpf verify` (Z3 removes guards)\n";

// The annotations as per-pc notes, or for a rejected program its errors.
std::vector<std::string> verifier_notes(const isa::Program& program, const verifier::VerificationResult& result) {
  std::vector<std::string> notes(program.size());
  if (result.accepted) {
    for (size_t pc = 0; pc < program.size(); ++pc) notes[pc] = verifier::describe_annotation(result.annotations, pc);
  } else {
    for (const verifier::Diagnostic& d : result.diagnostics)
      notes[d.pc] = "error: " + d.message + " [" + verifier::rule_name(d.rule) + "]";
  }
  return notes;
}

}  // namespace

int disasm_command(const Args& args) {
  CommandLine cl(args, {"--section", "--type", "--loop-budget"}, {"--help", "--pc", "--no-source", "--annotate", "--prove"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "program file (sbpf disasm PROG)");
  const std::string& path = cl.positionals()[0];
  const bool annotate = cl.has("--annotate");
  if (!annotate && (cl.has("--type") || cl.has("--loop-budget") || cl.has("--prove")))
    throw UsageError("--type, --loop-budget and --prove apply to --annotate only");
  const std::optional<ImageSettings> image = image_settings(path);
  const std::string forced_type = requested_type(cl, image);
  runtime::LoadOptions load_options = parse_load_options(cl);
  take_image_budget(cl, image, load_options);
  const verifier::Options verifier_options = load_options.verifier_options();
  isa::DisassemblyOptions options;
  options.show_pc = cl.has("--pc");
  options.show_source = !cl.has("--no-source");

  const std::vector<isa::Program> programs = load_program_files(path, cl.get_or("--section", ""));
  bool all_accepted = true;
  for (size_t i = 0; i < programs.size(); ++i) {
    const isa::Program& program = programs[i];
    if (programs.size() > 1) std::printf("%s# section %s\n", i == 0 ? "" : "\n", program.name.c_str());
    std::vector<std::string> notes;
    if (annotate) {
      const verifier::ProgramType type = program_type_of(program, forced_type);
      const verifier::VerificationResult result = verifier::verify(program, type, verifier_options);
      const std::string report = verifier::text_report({program, type, result, path}, false);
      if (result.accepted) {
        std::printf("# %s", report.c_str());
      } else {
        std::fputs(report.c_str(), stderr);
        all_accepted = false;
      }
      notes = verifier_notes(program, result);
      options.notes = &notes;
    }
    std::fputs(isa::disassemble(program, options).c_str(), stdout);
  }
  return all_accepted ? kExitOk : kExitRejected;
}

}  // namespace sbpf::tools
