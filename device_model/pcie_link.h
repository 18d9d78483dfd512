// The PCIe link between host and device: a bandwidth per direction (the link
// is full duplex, so reads' data and writes' data do not queue behind each
// other) and a fixed cost per command for what every command moves besides
// its data: the doorbell write, the 64-byte submission entry the device
// fetches, the 16-byte completion entry and the interrupt message it sends.
//
// Transfers in one direction are serialised: a transfer starts when its data
// is ready and the direction is free.
#pragma once

#include <cstdint>

#include "device_model/sim_time.h"

namespace sbpf::device_model {

enum class LinkDirection { to_device, to_host };

class PcieLink {
 public:
  struct Config {
    std::uint64_t bytes_per_second = 0;
    Nanoseconds per_command_ns = 0;

    bool operator==(const Config&) const = default;
  };

  explicit PcieLink(const Config& config) : config_(config) {}

  // When `bytes` that are ready at `ready` have crossed.
  Nanoseconds transfer(Nanoseconds ready, std::uint64_t bytes, LinkDirection direction);
  // When a command rung at `rung` has been fetched by the device: the
  // per-command cost, on the direction toward the device.
  Nanoseconds fetch_command(Nanoseconds rung);

  const Config& config() const { return config_; }

 private:
  Config config_;
  Nanoseconds to_device_free_ = 0;
  Nanoseconds to_host_free_ = 0;
};

}  // namespace sbpf::device_model
