// `sbpf run PROG --on host|device|auto`: a λ program's run through the λ
// API (runtime/lambda_io.h), the device on the model of --profile, the input
// read in requests that each side — or the scheduler — takes whole.
#pragma once

#include <string>

#include "isa/program.h"
#include "runtime/lambda_io.h"
#include "tools/command_line.h"

namespace sbpf::tools {

// The options this adds to `sbpf run`, and their help.
inline constexpr const char* kRunOnModelValueOptions[] = {
    "--on",    "--profile", "--request-size", "--interval",       "--samples",  "--cache-ratio",
    "--trace", "--seed",    "--device",       "--device-command", "--host-time"};
extern const char* const kRunOnModelHelp;

// `program` has been verified on the host already (its report printed); its
// output goes to --out or a hex dump, as a run without --on does. Returns the
// exit code.
int run_on_model(const CommandLine& cl, const std::string& path, const isa::Program& program, uint64_t loop_budget,
                 runtime::LambdaMode mode);

}  // namespace sbpf::tools
