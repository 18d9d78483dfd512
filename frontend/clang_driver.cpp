#include "frontend/clang_driver.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>

extern char** environ;

namespace sbpf::frontend {

namespace {

bool is_executable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// The first `name` on $PATH that is an executable file.
std::optional<std::string> search_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace

ClangLookup find_clang() {
  ClangLookup lookup;
  if (const char* named = std::getenv("SBPF_CLANG"); named != nullptr && *named != '\0') {
    std::string name = named;
    auto found = name.find('/') != std::string::npos ? (is_executable(name) ? std::optional(name) : std::nullopt)
                                                     : search_path(name);
    if (found) lookup.path = found;
    else lookup.tried.push_back("$SBPF_CLANG=" + name + " (not an executable)");
    return lookup;
  }
  for (const char* name : {"clang-19", "clang"}) {
    if (auto found = search_path(name)) {
      lookup.path = found;
      return lookup;
    }
    lookup.tried.push_back(std::string(name) + " (not on $PATH)");
  }
  return lookup;
}

std::string sdk_dir() {
  if (const char* dir = std::getenv("SBPF_SDK"); dir != nullptr && *dir != '\0') return dir;
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "sbpf" / "sdk";
    if (std::filesystem::is_directory(installed / "include", error)) return installed.string();
  }
  return SBPF_SDK_DIR;
}

std::vector<std::string> clang_command(const std::string& clang, const CompileOptions& o) {
  std::vector<std::string> argv{clang};
  if (o.native) {
    // The twin: the same source as a shared object, for reference results
    // and as the speed limit in benchmarks.
    argv.insert(argv.end(), {"-shared", "-fPIC", "-g"});
    // Debian's clang finds the cross toolchain's libraries and linker
    // (g++-aarch64-linux-gnu) for another machine.
    if (!o.target.empty()) argv.push_back("--target=" + o.target + "-linux-gnu");
  } else {
    argv.insert(argv.end(), {"-target", "bpf", "-mcpu=v4", "-g", "-c", "-ffreestanding"});
  }
  argv.push_back("-O" + o.optimization);
  // The user's directories first, so that their own copy of a header wins
  // over the SDK's stand-in for it.
  for (const auto& dir : o.include_dirs) argv.push_back("-I" + dir);
  const std::string sdk = sdk_dir();
  argv.insert(argv.end(), {"-I" + sdk + "/include", "-I" + sdk + "/compat/linux", "-I" + sdk + "/compat/lambda_io",
                           "-include", "sbpf/kernel_types.h"});
  for (const auto& define : o.defines) argv.push_back("-D" + define);
  argv.insert(argv.end(), {o.source, "-o", o.output});
  return argv;
}

int run_command(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return 127;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace sbpf::frontend
