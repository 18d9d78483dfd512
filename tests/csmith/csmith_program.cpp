#include "tests/csmith/csmith_program.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "frontend/clang_driver.h"

namespace sbpf::csmith {

namespace {

constexpr std::chrono::seconds kGenerateLimit{30};
constexpr std::chrono::seconds kCompileLimit{120};

// Between csmith's comments that open the globals and the forward
// declarations, `static` means nothing: two preprocessor lines, in plain
// sight in the program that a finding keeps.
bool make_globals_external(const std::string& path) {
  std::string text;
  {
    std::ifstream in(path);
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  const std::string globals = "/* --- GLOBAL VARIABLES --- */\n";
  const std::string declarations = "/* --- FORWARD DECLARATIONS --- */\n";
  const size_t begin = text.find(globals);
  const size_t end = text.find(declarations);
  if (begin == std::string::npos || end == std::string::npos || end < begin) return false;
  text.insert(end, "#undef static\n");
  text.insert(begin + globals.size(), "#define static /* sbpf: external globals */\n");
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

const char* profile_name(Profile profile) { return profile == Profile::kPointers ? "pointers" : "scalars"; }

std::vector<std::string> csmith_options(Profile profile) {
  std::vector<std::string> options{
      // main takes no arguments: it becomes the body of a λ function.
      "--no-argc",
      // A λ function's memory is its own: nothing is volatile.
      "--no-volatiles",
      "--no-volatile-pointers",
      // The BPF calling convention passes and returns scalars only (clang:
      // "pass by value not supported", "aggregate returns are not
      // supported"). Unions may still be returned: csmith 2.3 sometimes
      // aborts with --no-return-unions.
      "--no-arg-structs",
      "--no-return-structs",
      "--no-arg-unions",
  };
  if (profile == Profile::kScalars) options.push_back("--no-pointers");
  return options;
}

ProgramFiles program_files(const std::string& work_dir, uint64_t seed) {
  const std::string stem = work_dir + "/csmith-" + std::to_string(seed);
  return {stem + ".c", stem + ".o", stem + ".so", stem + ".ref", stem + ".img"};
}

ChildResult generate_program(const Toolchain& tools, uint64_t seed, Profile profile, const ProgramFiles& files) {
  std::vector<std::string> argv{tools.csmith, "--seed", std::to_string(seed)};
  const std::vector<std::string> options = csmith_options(profile);
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"-o", files.source});
  // csmith leaves a platform.info in its working directory.
  ChildResult generated = run_program(argv, kGenerateLimit, std::filesystem::path(files.source).parent_path().string());
  if (generated.succeeded() && profile == Profile::kScalars && !make_globals_external(files.source)) {
    generated.status = ChildResult::Status::kExited;
    generated.code = 1;
    generated.output += "cannot find csmith's global variables section in " + files.source + "\n";
  }
  return generated;
}

ChildResult compile_program(const Toolchain& tools, const ProgramFiles& files, bool native) {
  frontend::CompileOptions options;
  options.source = tools.runtime_dir + "/csmith_lambda.c";
  options.output = native ? files.twin : files.object;
  options.native = native;
  // Ours first, so that the program's "csmith.h" is the freestanding one.
  options.include_dirs = {tools.runtime_dir, tools.csmith_include_dir};
  options.defines = {"CSMITH_PROGRAM=\"" + files.source + "\""};
  std::vector<std::string> argv = frontend::clang_command(tools.clang, options);
  argv.insert(argv.begin() + 1, "-w");
  return run_program(argv, kCompileLimit);
}

std::optional<uint32_t> reference_checksum(const Toolchain& tools, const ProgramFiles& files,
                                           std::chrono::milliseconds limit) {
  const ChildResult built = run_program(
      {tools.clang, "-O0", "-w", "-I" + tools.csmith_include_dir, files.source, "-o", files.reference}, kCompileLimit);
  if (!built.succeeded()) return std::nullopt;
  const ChildResult ran = run_program({files.reference}, limit);
  const size_t at = ran.output.find("checksum = ");
  if (!ran.succeeded() || at == std::string::npos) return std::nullopt;
  return static_cast<uint32_t>(std::stoul(ran.output.substr(at + 11), nullptr, 16));
}

std::string first_error(const std::string& clang_output) {
  const size_t at = clang_output.find("error:");
  const size_t start = at == std::string::npos ? 0 : at;
  return clang_output.substr(start, clang_output.find('\n', start) - start);
}

std::string clang_rejection(const std::string& clang_output) {
  // The BPF backend's refusals, by the words of their messages.
  static const std::pair<const char*, const char*> kKnown[] = {
      {"pass by value not supported", "an aggregate passed by value"},
      {"stack limit", "stack over 512 bytes"},
      {"too many arguments", "more than 5 arguments"},
      {"stack arguments are not supported", "more than 5 arguments"},
      {"aggregate returns are not supported", "an aggregate returned"},
      {"only small returns supported", "an aggregate returned"},
      {"unsupported signed division", "signed division"},
  };
  const std::string error = first_error(clang_output);
  for (const auto& [words, category] : kKnown) {
    if (error.find(words) != std::string::npos) return std::string("clang: ") + category;
  }
  return "clang: other";
}

}  // namespace sbpf::csmith
