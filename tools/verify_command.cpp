#include <cstdio>

#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/program_file.h"
#include "tools/load_flags.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

namespace sbpf::tools {

namespace {
constexpr const char* kHelp =
    "usage: sbpf verify PROG [--section NAME] [--type lambda|xrp|memory] [--format text|json|sarif]\n"
    "                        [--loop-budget N] [--strict] [--prove] [--prove-timeout MS] [-v]\n"
    "                        [--emit-image OUT.img]\n"
    "\n"
    "Proves what it can about each program of a BPF ELF object (or of a program\n"
    "image, raw bytecode or assembly) and guards the rest: an access not proven in\n"
    "bounds is checked at run time, a loop not proven to end counts against the\n"
    "loop budget.\n"
    "\n"
    "  --section NAME     only the program in this ELF section\n"
    "  --type T           the program type, when the section name and BTF do not tell\n"
    "  --format F         text (default), json, or sarif (SARIF 2.1.0, for code scanning)\n"
    "  --loop-budget N    backward jumps one invocation may take in counted loops\n"
    "                     (default 16777215, λ-IO's)\n"
    "  --strict           reject anything that would need a guard or a loop counter\n"
    "  --prove            hand each remaining guard to Z3 and drop the ones it proves\n"
    "                     unnecessary (loop induction variables, arithmetic the\n"
    "                     abstract domains lose); Z3 comes in a module,\n"
    "                     sbpf-prover.so, found next to sbpf or in LIBDIR/sbpf\n"
    "                     (or at $SBPF_PROVER_MODULE)\n"
    "  --prove-timeout MS Z3's time per guard (default 1000); a guard it does not\n"
    "                     settle in time stays\n"
    "  -v                 print the abstract state before every instruction\n"
    "  --emit-image OUT   once the program is verified, write its image (what the\n"
    "                     device takes: bytecode, data, line info, type and loop\n"
    "                     budget); an object with several programs needs --section\n"
    "An image's type and loop budget are the defaults of --type and --loop-budget.\n"
    "\n"
    "Exit status: 0 every program verified, 1 a program was rejected, 2 bad input.\n";

}  // namespace

int verify_command(const Args& args) {
  CommandLine cl(args, {"--section", "--type", "--format", "--loop-budget", "--prove-timeout", "--emit-image"}, {"--help", "--strict", "-v", "--prove"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "program file (sbpf verify PROG)");
  const std::string& path = cl.positionals()[0];
  const std::string format = cl.get_choice("--format", {"text", "json", "sarif"}, "text");
  const std::optional<ImageSettings> image = image_settings(path);
  const std::string forced_type = requested_type(cl, image);
  // What `sbpf run` would verify with the same flags, and the verifier's own.
  runtime::LoadOptions load_options = parse_load_options(cl);
  take_image_budget(cl, image, load_options);
  verifier::Options options = load_options.verifier_options();
  options.strict = cl.has("--strict");
  options.trace = cl.has("-v");

  const std::vector<isa::Program> programs = load_program_files(path, cl.get_or("--section", ""));
  std::vector<verifier::ProgramType> types;
  for (const auto& p : programs) types.push_back(program_type_of(p, forced_type));
  const auto emit_image = cl.get("--emit-image");
  if (emit_image && programs.size() != 1)
    throw UsageError(path + " holds " + std::to_string(programs.size()) +
                     " programs; an image holds one: name it with --section");

  std::vector<verifier::VerificationResult> results;
  bool all_accepted = true;
  for (size_t i = 0; i < programs.size(); ++i) {
    results.push_back(verifier::verify(programs[i], types[i], options));
    all_accepted = all_accepted && results.back().accepted;
  }
  std::vector<verifier::ReportInput> inputs;
  for (size_t i = 0; i < programs.size(); ++i) inputs.push_back({programs[i], types[i], results[i], path});
  if (format == "sarif") {
    std::fputs(verifier::sarif_report(inputs).c_str(), stdout);
  } else if (format == "json") {
    // One JSON document: an object for one program, an array for several.
    if (inputs.size() == 1) {
      std::fputs(verifier::json_report(inputs[0]).c_str(), stdout);
    } else {
      std::string out = "[\n";
      for (size_t i = 0; i < inputs.size(); ++i) {
        std::string one = verifier::json_report(inputs[i]);
        one.pop_back();
        out += one + (i + 1 < inputs.size() ? ",\n" : "\n");
      }
      std::fputs((out + "]\n").c_str(), stdout);
    }
  } else {
    for (const auto& in : inputs) std::fputs(verifier::text_report(in, options.trace).c_str(), stdout);
  }
  if (emit_image && all_accepted) write_program_image(*emit_image, programs[0], types[0], options.loop_budget);
  return all_accepted ? kExitOk : kExitRejected;
}

}  // namespace sbpf::tools
