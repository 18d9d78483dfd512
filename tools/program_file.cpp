#include "tools/program_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "frontend/elf_loader.h"
#include "isa/assembler.h"
#include "isa/disassembler.h"
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

std::string format_abort(const isa::Program& program, const runtime::Abort& abort, const std::string& path) {
  std::string out;
  const isa::LineInfo* line = program.line_for(abort.pc);
  if (line != nullptr) {
    out = line->file + ":" + std::to_string(line->line) + ":" + std::to_string(line->column);
  } else {
    out = path;
  }
  out += ": error: " + std::string(runtime::abort_kind_name(abort.kind)) + ": " + abort.message + "\n";
  if (line != nullptr && !line->source.empty())
    out += "  " + std::to_string(line->line) + " | " + line->source + "\n";
  if (abort.pc < program.size())
    out += "note: at pc " + std::to_string(abort.pc) + ": " + isa::disassemble_instruction(program, abort.pc) + "\n";
  return out;
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

verifier::VerificationResult verify_before_running(const isa::Program& program, const verifier::ProgramType& type,
                                                   uint64_t loop_budget, bool prove, const std::string& path) {
  verifier::Options options;
  options.loop_budget = loop_budget;
  options.prove = prove;
  verifier::VerificationResult result = verifier::verify(program, type, options);
  if (result.accepted) return result;
  std::fputs(verifier::text_report({program, type, result, path}, false).c_str(), stderr);
  throw ProgramRejected(program.name + " failed verification");
}

}  // namespace sbpf::tools
