// `sbpf device serve`: the device runtime as its own process — the device
// build's sbpf under qemu-aarch64, started by the host's `sbpf run --on
// device --device qemu` — serving the host over a DeviceChannel.
#include <cstdio>
#include <string>

#include "runtime/device_channel.h"
#include "runtime/device_execution_port.h"
#include "runtime/device_server.h"
#include "tools/command_line.h"
#include "tools/commands.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf device serve --memory-fd M --submit-fd S --complete-fd C [--engine interp|jit|auto]\n"
    "\n"
    "Runs the device's side of λ-IO for a host that started this process and\n"
    "handed it a channel (shared memory and two eventfd doorbells): it verifies\n"
    "the program images the host downloads and runs them on its engine (auto:\n"
    "the JIT where there is one; the metered interpreter runs too, for the\n"
    "cost the host's device model charges, and both must agree). It returns\n"
    "when the host says so. `sbpf run --on device --device qemu` starts it.\n";

int descriptor(const CommandLine& cl, const std::string& name) {
  const auto fd = cl.get_number(name);
  if (!fd || *fd > 65535) throw UsageError(name + " N: the channel's descriptor the host passed");
  return static_cast<int>(*fd);
}

}  // namespace

int device_serve_command(const Args& args) {
  CommandLine cl(args, {"--memory-fd", "--submit-fd", "--complete-fd", "--engine"}, {"--help"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(0, "nothing after serve");
  const auto engine = runtime::engine_named(cl.get_or("--engine", "auto"));
  if (!engine) throw UsageError("--engine takes interp, jit or auto");
  const int memory = descriptor(cl, "--memory-fd");
  const int submit = descriptor(cl, "--submit-fd");
  const int complete = descriptor(cl, "--complete-fd");
  try {
    runtime::DeviceChannel channel = runtime::DeviceChannel::attach(memory, submit, complete);
    runtime::DeviceExecutionPort port(*engine);
    runtime::serve_device(channel, port);
  } catch (const std::exception& e) {
    throw UsageError(std::string("the device channel: ") + e.what());
  }
  return kExitOk;
}

}  // namespace sbpf::tools
