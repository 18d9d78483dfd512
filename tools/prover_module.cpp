#include "tools/prover_module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tools/command_line.h"
#include "verifier/guard_prover.h"

namespace sbpf::tools {

namespace {

#if SBPF_WITH_Z3
std::string executable_directory() {
  std::vector<char> buf(4096);
  const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return ".";
  const std::string path(buf.data(), static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Where the module is, or UsageError listing where it was looked for.
std::string find_module() {
  constexpr const char* kName = "sbpf-prover.so";
  if (const char* forced = std::getenv("SBPF_PROVER_MODULE"); forced != nullptr && *forced != '\0') {
    if (!exists(forced)) throw UsageError(std::string("--prove: no prover module at ") + forced + " ($SBPF_PROVER_MODULE)");
    return forced;
  }
  const std::string dir = executable_directory();
  const std::vector<std::string> candidates = {dir + "/" + kName, dir + "/" SBPF_PROVER_MODULE_FROM_BINDIR "/" + kName};
  for (const std::string& c : candidates)
    if (exists(c)) return c;
  throw UsageError("--prove needs the Z3 prover module " + std::string(kName) + ", which is neither at " +
                   candidates[0] + " nor at " + candidates[1] + " (set SBPF_PROVER_MODULE to its path)");
}

verifier::MakeGuardProver open_module() {
  const std::string path = find_module();
  // RTLD_NOW: a module that cannot resolve what it needs fails here, with
  // a message, rather than in the middle of a proof.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw UsageError("--prove: cannot load the prover module: " + std::string(dlerror()));
  const auto* module = static_cast<const verifier::ProverModule*>(dlsym(handle, verifier::kProverModuleSymbol));
  if (module == nullptr || module->make == nullptr)
    throw UsageError("--prove: " + path + " is not an sbpf prover module");
  if (std::strcmp(module->abi, SBPF_VERSION) != 0)
    throw UsageError("--prove: the prover module " + path + " is from sbpf " + module->abi + ", this is sbpf " +
                     SBPF_VERSION);
  return module->make;  // the module stays loaded until the process ends
}
#else
[[noreturn]] verifier::MakeGuardProver open_module() {
  throw UsageError("--prove: this build of sbpf has no prover (it was built without Z3)");
}
#endif

}  // namespace

verifier::MakeGuardProver load_guard_prover() {
  static const verifier::MakeGuardProver make = open_module();
  return make;
}

}  // namespace sbpf::tools
