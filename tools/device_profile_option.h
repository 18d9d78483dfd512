// A device profile named on the command line: a shipped one by name, or a
// JSON file; a bad one is a usage error (exit 2) naming the field.
#pragma once

#include <string>

#include "device_model/device_profile.h"

namespace sbpf::tools {

device_model::DeviceProfile profile_or_usage_error(const std::string& name_or_path, bool always_file = false);

}  // namespace sbpf::tools
