// `sbpf device`: the device model's profiles (device_model/device_profile.h).
#include <cstdio>
#include <string>

#include "device_model/device_profile.h"
#include "tools/command_line.h"
#include "tools/device_profile_option.h"
#include "tools/commands.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf device profiles\n"
    "       sbpf device show PROFILE|FILE\n"
    "       sbpf device show --profile FILE\n"
    "       sbpf device serve ...   (the device runtime in its own process: serve --help)\n"
    "\n"
    "profiles  lists the device profiles sbpf ships, one line each.\n"
    "show      checks a profile and prints it as JSON, every field in order:\n"
    "          a shipped one by name, or your own file (a path with a '/' or\n"
    "          ending in .json, or given with --profile).\n"
    "\n"
    "A profile sets every number of the device model: the medium, the\n"
    "controller, the PCIe link, the device's cores, interrupts, and the host's\n"
    "cores and software layers. An unknown key, a missing field or a negative\n"
    "time is an error naming the field, exit 2. The shipped profiles and where their\n"
    "numbers come from: device_model/profiles/README.md (installed in\n"
    "share/sbpf/device_profiles); $SBPF_DEVICE_PROFILES points elsewhere.\n";

int list_profiles() {
  std::vector<device_model::DeviceProfile> profiles;
  try {
    profiles = device_model::shipped_profiles();
  } catch (const device_model::ProfileError& e) {
    throw UsageError(e.what());
  }
  for (const auto& profile : profiles) std::printf("%-12s %s\n", profile.name.c_str(), profile.summary.c_str());
  return kExitOk;
}

}  // namespace

int device_command(const Args& args) {
  if (!args.empty() && args[0] == "serve") return device_serve_command(Args(args.begin() + 1, args.end()));
  CommandLine cl(args, {"--profile"}, {"--help"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  const auto& positionals = cl.positionals();
  if (positionals.empty()) throw UsageError("missing subcommand (sbpf device profiles|show)");
  const std::string& action = positionals[0];
  if (action == "profiles") {
    if (positionals.size() > 1) throw UsageError("unexpected argument '" + positionals[1] + "'");
    if (cl.has("--profile")) throw UsageError("profiles takes no --profile");
    return list_profiles();
  }
  if (action == "show") {
    const auto file = cl.get("--profile");
    if (positionals.size() > 2) throw UsageError("unexpected argument '" + positionals[2] + "'");
    if (file && positionals.size() == 2) throw UsageError("give a PROFILE or --profile FILE, not both");
    if (!file && positionals.size() < 2) throw UsageError("missing profile (sbpf device show PROFILE|FILE)");
    const device_model::DeviceProfile profile = file ? profile_or_usage_error(*file, true)
                                                     : profile_or_usage_error(positionals[1], false);
    std::fputs(device_model::profile_to_json(profile).c_str(), stdout);
    return kExitOk;
  }
  throw UsageError("unknown subcommand '" + action + "' (sbpf device profiles|show|serve)");
}

}  // namespace sbpf::tools
