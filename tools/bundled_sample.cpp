#include "tools/bundled_sample.h"

#include <filesystem>
#include <system_error>

namespace sbpf::tools {

std::string bundled_sample(const std::string& name) {
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "sbpf" / "samples" / name;
    if (std::filesystem::exists(installed, error)) return installed.string();
  }
  return std::string(SBPF_SAMPLES_BUILD_DIR) + "/" + name;
}

}  // namespace sbpf::tools
