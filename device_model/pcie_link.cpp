#include "device_model/pcie_link.h"

#include <algorithm>

namespace sbpf::device_model {

Nanoseconds PcieLink::transfer(Nanoseconds ready, std::uint64_t bytes, LinkDirection direction) {
  Nanoseconds& free = direction == LinkDirection::to_device ? to_device_free_ : to_host_free_;
  free = std::max(ready, free) + transfer_time(bytes, config_.bytes_per_second);
  return free;
}

Nanoseconds PcieLink::fetch_command(Nanoseconds rung) {
  to_device_free_ = std::max(rung, to_device_free_) + config_.per_command_ns;
  return to_device_free_;
}

}  // namespace sbpf::device_model
