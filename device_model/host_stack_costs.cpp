#include "device_model/host_stack_costs.h"

#include <initializer_list>

namespace sbpf::device_model {

Nanoseconds HostStackCosts::of(HostLayer layer) const {
  switch (layer) {
    case HostLayer::crossing: return crossing_ns;
    case HostLayer::syscall: return syscall_ns;
    case HostLayer::file_system: return file_system_ns;
    case HostLayer::block_layer: return block_layer_ns;
    case HostLayer::driver: return driver_ns;
  }
  return 0;
}

Nanoseconds HostStackCosts::cost(HostLayers layers) const {
  Nanoseconds total = 0;
  for (HostLayer layer : {HostLayer::crossing, HostLayer::syscall, HostLayer::file_system, HostLayer::block_layer,
                          HostLayer::driver}) {
    if (layers.contains(layer)) total += of(layer);
  }
  return total;
}

}  // namespace sbpf::device_model
