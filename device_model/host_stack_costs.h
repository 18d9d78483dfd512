// The host's software layers one I/O passes through, each a fixed cost per
// I/O, after Table 1 of the XRP paper (a 512-byte read on an i5-8500 and an
// Optane P5800X): the user/kernel crossing, the read syscall, the file
// system (ext4), the block layer (bio) and the NVMe driver.
//
// A host path chooses which layers it pays for: a plain pread pays all five
// per hop; SPDK none (a user-space driver); XRP all five for the first read
// and none for the reads it resubmits from the completion handler.
#pragma once

#include <cstdint>

#include "device_model/sim_time.h"

namespace sbpf::device_model {

enum class HostLayer : std::uint8_t {
  crossing = 1 << 0,
  syscall = 1 << 1,
  file_system = 1 << 2,
  block_layer = 1 << 3,
  driver = 1 << 4,
};

// A set of layers; combine with |.
class HostLayers {
 public:
  constexpr HostLayers() = default;
  constexpr HostLayers(HostLayer layer) : bits_(static_cast<std::uint8_t>(layer)) {}  // NOLINT: a layer is a set of one
  static constexpr HostLayers all() { return HostLayers(0x1f); }
  static constexpr HostLayers none() { return HostLayers(0); }

  constexpr bool contains(HostLayer layer) const { return (bits_ & static_cast<std::uint8_t>(layer)) != 0; }
  constexpr HostLayers operator|(HostLayers other) const { return HostLayers(bits_ | other.bits_); }
  constexpr bool operator==(const HostLayers&) const = default;

 private:
  constexpr explicit HostLayers(int bits) : bits_(static_cast<std::uint8_t>(bits)) {}
  std::uint8_t bits_ = 0;
};

constexpr HostLayers operator|(HostLayer a, HostLayer b) { return HostLayers(a) | HostLayers(b); }

struct HostStackCosts {
  Nanoseconds crossing_ns = 0;
  Nanoseconds syscall_ns = 0;
  Nanoseconds file_system_ns = 0;
  Nanoseconds block_layer_ns = 0;
  Nanoseconds driver_ns = 0;

  Nanoseconds of(HostLayer layer) const;
  // The sum over `layers`.
  Nanoseconds cost(HostLayers layers) const;

  bool operator==(const HostStackCosts&) const = default;
};

}  // namespace sbpf::device_model
