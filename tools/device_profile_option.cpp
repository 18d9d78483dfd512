#include "tools/device_profile_option.h"

#include "tools/command_line.h"

namespace sbpf::tools {

device_model::DeviceProfile profile_or_usage_error(const std::string& name_or_path, bool always_file) {
  try {
    return always_file ? device_model::load_profile_file(name_or_path) : device_model::find_profile(name_or_path);
  } catch (const device_model::ProfileError& e) {
    throw UsageError(e.what());
  }
}

}  // namespace sbpf::tools
