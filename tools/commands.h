// The subcommands of `sbpf`, one per file. Each takes the arguments after
// its name and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace sbpf::tools {

using Args = std::vector<std::string>;

int compile_command(const Args& args);
int asm_command(const Args& args);
int disasm_command(const Args& args);
int verify_command(const Args& args);
int run_command(const Args& args);
int jit_command(const Args& args);
int xrp_command(const Args& args);
// `sbpf xrp bench`: the paper's lookup experiment on the device model.
int xrp_bench_command(const Args& args);
int conformance_plugin_command(const Args& args);
int device_command(const Args& args);
// `sbpf device serve`: the device runtime in its own process (both builds).
int device_serve_command(const Args& args);
// `sbpf sim lambda-io`: λ-IO's experiment on the device model.
int sim_command(const Args& args);

}  // namespace sbpf::tools
