// The arm64 backend (AAPCS64 hosts: the device's cores, or any host for a
// cross dump). Use jit::compile() with Arch::kArm64.
#pragma once

#include "jit/native_program.h"

namespace sbpf::jit {

NativeProgram compile_arm64(const isa::Program& program, const verifier::Annotations& annotations,
                            const CompileOptions& options);

// Whether code compiled with `choice` uses the LSE atomics (kDetect: the
// CPU this runs on has them, or it is not an arm64 CPU).
bool arm64_uses_lse(Arm64Atomics choice);

}  // namespace sbpf::jit
