// A device profile: every number the model's timing uses, read from JSON.
//
//   {
//     "name": "p5800x", "summary": "one line for `sbpf device profiles`",
//     "media": {"kind": "fixed_latency", ...} or {"kind": "nand", ...},
//     "controller": {"command_ns"},
//     "link": {"bandwidth_mb_per_s", "per_command_ns"},
//     "cores": {"count", "ps_per_instruction", "ps_per_helper_byte"},
//     "interrupt": {"delivery_ns", "wakeup_ns", "poll_ns"},
//     "host": {
//       "cores": {"count", "ps_per_instruction", "ps_per_helper_byte"},
//       "scheduler": {"latency_ns", "min_granularity_ns"},
//       "layers": {"crossing_ns", "syscall_ns", "file_system_ns", "block_layer_ns", "driver_ns"},
//       "xrp_digest_lookup_ns"
//     }
//   }
//
// "cores" are the device's (0 for a drive that runs no programs);
// "host.cores" the host's, which run the host's side of a request: XRP's
// functions on the completion path, and the modelled threads themselves,
// shared between threads by "host.scheduler" (host_cpu.h).
// "host.xrp_digest_lookup_ns" is what translating a file offset through
// XRP's metadata digest costs the completion path, per read.
//
// Every field is required and every number is a non-negative integer (times
// in ns, or ps where the name says so; MB is 10^6 bytes); an unknown key is
// an error, so a misspelt field cannot silently fall back to a default. A
// bad profile is one ProfileError naming the file and the field's JSON path:
//   p5800x.json: media.read_latency_ns: must be ≥ 0
//
// The shipped profiles live in device_model/profiles/ (installed in
// share/sbpf/device_profiles), with the source of every number in the
// README there.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "device_model/core_pool.h"
#include "device_model/fixed_latency_medium.h"
#include "device_model/host_cpu.h"
#include "device_model/host_stack_costs.h"
#include "device_model/interrupt_model.h"
#include "device_model/nand_medium.h"
#include "device_model/pcie_link.h"

namespace sbpf::device_model {

class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The controller's own time per command (firmware: parsing, FTL lookup),
// before the medium starts. Commands overlap in it: it is a latency, not a
// queue.
struct ControllerConfig {
  Nanoseconds command_ns = 0;

  bool operator==(const ControllerConfig&) const = default;
};

// The host the device is plugged into: its cores and the software layers
// an I/O crosses.
struct HostConfig {
  CorePool::Config cores;
  SchedulerConfig scheduler;
  HostStackCosts layers;
  Nanoseconds xrp_digest_lookup_ns = 0;

  bool operator==(const HostConfig&) const = default;
};

struct DeviceProfile {
  std::string name;
  std::string summary;
  std::variant<FixedLatencyMedium::Config, NandMedium::Config> media;
  ControllerConfig controller;
  PcieLink::Config link;
  CorePool::Config cores;
  InterruptModel::Config interrupt;
  HostConfig host;

  bool operator==(const DeviceProfile&) const = default;
};

// Parses and validates a profile. `source` names it in messages (a file
// name). Throws ProfileError.
DeviceProfile parse_profile(std::string_view json_text, const std::string& source);
// The profile as JSON, fields in the documented order (what
// `sbpf device show` prints); parse_profile reads it back unchanged.
std::string profile_to_json(const DeviceProfile& profile);

// Reads a profile file; ProfileError when unreadable or invalid.
DeviceProfile load_profile_file(const std::filesystem::path& path);

// Where the shipped profiles are: $SBPF_DEVICE_PROFILES, else
// share/sbpf/device_profiles beside an installed sbpf, else the source tree.
std::filesystem::path shipped_profile_directory();
// Every shipped profile, by name.
std::vector<DeviceProfile> shipped_profiles();
// A shipped profile by name, or a file when `name_or_path` names one (it
// has a '/' or ends in .json). ProfileError for an unknown name.
DeviceProfile find_profile(const std::string& name_or_path);

}  // namespace sbpf::device_model
