// The device runtime as its own process: the far end of a DeviceChannel,
// taking each command to a DeviceExecutionPort (`sbpf device serve`).
#pragma once

#include "runtime/device_channel.h"
#include "runtime/device_execution_port.h"

namespace sbpf::runtime {

// Serves `channel` until the host sends kShutdown: namespaces opened,
// downloads verified into `port`'s slots, λ-reads and runs executed on
// them.
void serve_device(DeviceChannel& channel, DeviceExecutionPort& port);

}  // namespace sbpf::runtime
