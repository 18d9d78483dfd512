// Turns a path on the command line into a Program, and a run-time abort into
// a clang-style diagnostic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "isa/program.h"
#include "runtime/execution_result.h"
#include "verifier/program_type.h"
#include "verifier/verifier.h"

namespace sbpf::tools {

// A BPF ELF object or a program image (by their magic), assembly text
// (`.s`, `.asm`) or raw bytecode (anything else). Every load failure becomes a UsageError whose
// message names the file: the caller exits 2.
isa::Program load_program_file(const std::string& path, const std::string& section = "");

// Every program of an ELF object when no section is named, else the one
// program load_program_file gives.
std::vector<isa::Program> load_program_files(const std::string& path, const std::string& section);

// What a program image records beyond its program (isa/program_image.h):
// the type and loop budget the host verified it for, which a command takes
// as the defaults of --type and --loop-budget.
struct ImageSettings {
  std::string type;
  uint64_t loop_budget = 0;
};
// The settings of the image at `path`; nullopt for any other kind of file.
std::optional<ImageSettings> image_settings(const std::string& path);

// Writes the image of a verified program (`sbpf verify --emit-image`).
void write_program_image(const std::string& path, const isa::Program& program, const verifier::ProgramType& type,
                         uint64_t loop_budget);

// `file:line:col: error: <kind>: <message>`, then the source line when the
// program has line info, then the pc and instruction.
std::string format_abort(const isa::Program& program, const runtime::Abort& abort, const std::string& path);

// The program type the program announces (verifier::program_type_for):
// "lambda", "xrp", or "" when it announces none.
std::string program_type_name(const isa::Program& program);

// The program type `forced` names (a --type the caller has checked), else
// the one the program announces; a UsageError when it announces none.
verifier::ProgramType program_type_of(const isa::Program& program, const std::string& forced);

// Verifies a program about to run, for the run's loop budget (with `prove`,
// Z3 removes what guards it can), so that the interpreter skips the checks
// the verifier proved unneeded. A rejection prints the verifier's report on
// stderr and throws ProgramRejected: the command exits 1 without running
// the program.
verifier::VerificationResult verify_before_running(const isa::Program& program, const verifier::ProgramType& type,
                                                   uint64_t loop_budget, bool prove, const std::string& path);

}  // namespace sbpf::tools
