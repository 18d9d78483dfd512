// Turns a path on the command line into a Program, and a Program into a
// loaded one (the runtime's front door) or the report of why it is not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "isa/program.h"
#include "runtime/loaded_program.h"
#include "tools/command_line.h"
#include "verifier/program_type.h"

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
// The program type a command verifies as: --type (when the command takes
// it), else the image's, else "" (the type the program announces).
std::string requested_type(const CommandLine& cl, const std::optional<ImageSettings>& image);
// An image's loop budget into `options`, unless --loop-budget gave one.
void take_image_budget(const CommandLine& cl, const std::optional<ImageSettings>& image, runtime::LoadOptions& options);

// Writes the image of a verified program (`sbpf verify --emit-image`).
void write_program_image(const std::string& path, const isa::Program& program, const verifier::ProgramType& type,
                         uint64_t loop_budget);

// The program type the program announces (verifier::program_type_for):
// "lambda", "xrp", or "" when it announces none.
std::string program_type_name(const isa::Program& program);

// The program type `forced` names (a --type the caller has checked), else
// the one the program announces; a UsageError when it announces none.
verifier::ProgramType program_type_of(const isa::Program& program, const std::string& forced);

// Loads a program about to run (runtime::load). One the verifier rejects
// has its report printed on stderr, one the engine cannot run `PATH: error:
// why`; both throw ProgramRejected, so the command exits 1 without running
// anything.
runtime::LoadedProgram load_or_reject(isa::Program program, const verifier::ProgramType& type,
                                      const runtime::LoadOptions& options, const std::string& path);

}  // namespace sbpf::tools
