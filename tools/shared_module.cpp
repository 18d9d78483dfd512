#include "tools/shared_module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tools/command_line.h"

namespace sbpf::tools {

namespace {

std::string executable_directory() {
  std::vector<char> buf(4096);
  const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return ".";
  const std::string path(buf.data(), static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string find(const SharedModule& module) {
  const std::string prefix = std::string(module.needed_for) + ": ";
  if (const char* forced = std::getenv(module.environment); forced != nullptr && *forced != '\0') {
    if (!exists(forced))
      throw UsageError(prefix + "no module at " + forced + " ($" + module.environment + ")");
    return forced;
  }
  const std::string dir = executable_directory();
  const std::vector<std::string> candidates = {dir + "/" + module.file,
                                               dir + "/" SBPF_MODULES_FROM_BINDIR "/" + module.file};
  for (const std::string& c : candidates)
    if (exists(c)) return c;
  throw UsageError(prefix + "needs the module " + module.file + ", which is neither at " + candidates[0] +
                   " nor at " + candidates[1] + " (set " + module.environment + " to its path)");
}

}  // namespace

const void* open_shared_module(const SharedModule& module) {
  const std::string prefix = std::string(module.needed_for) + ": ";
  const std::string path = find(module);
  // RTLD_NOW: a module that cannot resolve what it needs fails here, with
  // a message, rather than in the middle of its work.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw UsageError(prefix + "cannot load the module: " + dlerror());
  const void* entry = dlsym(handle, module.symbol);
  if (entry == nullptr) throw UsageError(prefix + path + " is not the module " + module.file);
  const char* version = *static_cast<const char* const*>(entry);
  if (std::strcmp(version, SBPF_VERSION) != 0)
    throw UsageError(prefix + "the module " + path + " is from sbpf " + version + ", this is sbpf " + SBPF_VERSION);
  return entry;
}

}  // namespace sbpf::tools
