#include "tools/program_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "isa/assembler.h"
#include "isa/program_image.h"
#include "tools/command_line.h"
#include "verifier/program_type.h"
#include "verifier/report.h"

namespace sbpf::tools {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

namespace {

// A construct sbpf does not run is the program's rejection (exit 1), said
// like the verifier's.
[[noreturn]] void reject_unsupported(const frontend::UnsupportedConstruct& e) {
  std::fprintf(stderr, "%s: error: %s\n", e.path().c_str(), e.reason().c_str());
  throw ProgramRejected(e.what());
}

}  // namespace

isa::Program load_program_file(const std::string& path, const std::string& section) {
  std::vector<uint8_t> bytes = read_file(path);
  if (std::optional<std::string> machine = frontend::foreign_twin_machine(bytes))
    throw UsageError(path + ": a native twin for " + *machine + ": this sbpf runs " + frontend::host_machine() +
                     " code; run the twin with an sbpf built for " + *machine);
  try {
    if (frontend::looks_like_elf(bytes)) return frontend::load_elf_program(path, section);
    if (!section.empty()) throw UsageError(path + ": --section applies to ELF objects only");
    if (isa::looks_like_image(bytes)) return isa::read_image(bytes).program;
    if (ends_with(path, ".s") || ends_with(path, ".asm"))
      return isa::assemble(std::string(bytes.begin(), bytes.end()), path);
    return isa::decode(bytes, path);
  } catch (const frontend::UnsupportedConstruct& e) {
    reject_unsupported(e);
  } catch (const frontend::LoadError& e) {
    throw UsageError(e.what());
  } catch (const isa::AssemblyError& e) {
    throw UsageError(e.what());
  } catch (const isa::FormatError& e) {
    throw UsageError(path + ": malformed bytecode: " + e.what());
  } catch (const isa::ImageError& e) {
    throw UsageError(path + ": " + e.what());
  }
}

std::optional<ImageSettings> image_settings(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  if (!isa::looks_like_image(bytes)) return std::nullopt;
  try {
    isa::ProgramImage image = isa::read_image(bytes);
    if (!verifier::program_type_named(image.program_type))
      throw UsageError(path + ": the image's program type '" + image.program_type + "' is not one sbpf knows");
    return ImageSettings{image.program_type, image.loop_budget};
  } catch (const isa::ImageError& e) {
    throw UsageError(path + ": " + e.what());
  }
}

std::string requested_type(const CommandLine& cl, const std::optional<ImageSettings>& image) {
  if (cl.has("--type")) return cl.get_choice("--type", {"lambda", "xrp", "memory"}, "");
  return image ? image->type : "";
}

void take_image_budget(const CommandLine& cl, const std::optional<ImageSettings>& image, runtime::LoadOptions& options) {
  if (image && !cl.has("--loop-budget")) options.loop_budget = image->loop_budget;
}

void write_program_image(const std::string& path, const isa::Program& program, const verifier::ProgramType& type,
                         uint64_t loop_budget) {
  std::vector<uint8_t> bytes;
  try {
    bytes = isa::write_image({program, type.name, loop_budget});
  } catch (const isa::ImageError& e) {
    throw UsageError(path + ": " + e.what());
  }
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(path.c_str(), "wb"), fclose);
  if (!out || std::fwrite(bytes.data(), 1, bytes.size(), out.get()) != bytes.size() || std::fflush(out.get()) != 0)
    throw UsageError("cannot write " + path + ": " + std::strerror(errno));
}

std::vector<isa::Program> load_program_files(const std::string& path, const std::string& section) {
  if (section.empty() && frontend::looks_like_elf(read_file(path))) {
    try {
      return frontend::load_elf(path);
    } catch (const frontend::UnsupportedConstruct& e) {
      reject_unsupported(e);
    } catch (const frontend::LoadError& e) {
      throw UsageError(e.what());
    }
  }
  std::vector<isa::Program> programs;
  programs.push_back(load_program_file(path, section));
  return programs;
}

std::string program_type_name(const isa::Program& program) {
  const auto type = verifier::program_type_for(program);
  return type ? type->name : "";
}

verifier::ProgramType program_type_of(const isa::Program& program, const std::string& forced) {
  if (!forced.empty()) return *verifier::program_type_named(forced);
  if (auto t = verifier::program_type_for(program)) return *t;
  throw UsageError("cannot tell what kind of program '" + program.name +
                   "' is (no lambda/, lambda_io/ or xrp section, no struct context or struct bpf_xrp parameter); "
                   "pass --type lambda, xrp or memory");
}

runtime::LoadedProgram load_or_reject(isa::Program program, const verifier::ProgramType& type,
                                      const runtime::LoadOptions& options, const std::string& path) {
  runtime::LoadedProgram loaded = runtime::load(std::move(program), type, options);
  if (loaded.ok()) return loaded;
  const runtime::LoadFailure& failure = *loaded.failure();
  if (failure.kind == runtime::LoadFailure::Kind::kRejected) {
    std::fputs(verifier::text_report({loaded.program(), type, *loaded.verification(), path}, false).c_str(), stderr);
  } else {
    std::fprintf(stderr, "%s: error: %s\n", path.c_str(), failure.reason.c_str());
  }
  throw ProgramRejected(failure.reason);
}

}  // namespace sbpf::tools
