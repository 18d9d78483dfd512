// The device build's `sbpf compile`, `sbpf xrp`, `sbpf device` and `sbpf sim`: each
// needs what only the host has (clang and libbpf; BPF-KV's objects and a file
// system to read through XRP; the device model, which simulates the device
// rather than running on it), so each says where to go instead.
#include "tools/command_line.h"
#include "tools/commands.h"

namespace sbpf::tools {

int compile_command(const Args&) {
  throw UsageError("compiling C needs the host's sbpf (clang, libbpf): compile there, then make a program image "
                   "with `sbpf verify OBJ --emit-image OUT.img` and give the device the image");
}

int xrp_command(const Args&) {
  throw UsageError("`sbpf xrp` runs on the host (BPF-KV's objects, a file to read through XRP); "
                   "the device runs programs as images: `sbpf run IMAGE`");
}

int device_command(const Args& args) {
  if (!args.empty() && args[0] == "serve") return device_serve_command(Args(args.begin() + 1, args.end()));
  throw UsageError("`sbpf device` works with the device model, on the host: run it there (the device serves it "
                   "with `sbpf device serve`)");
}

int sim_command(const Args&) {
  throw UsageError("`sbpf sim` runs experiments on the device model, on the host: run it there");
}

}  // namespace sbpf::tools
