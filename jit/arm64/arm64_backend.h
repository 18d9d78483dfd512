// The arm64 backend (AAPCS64 hosts: the device's cores, or any host for a
// cross dump). Use jit::compile() with Arch::kArm64.
#pragma once

#include "jit/lowering.h"
#include "jit/lowering_plan.h"
#include "jit/native_program.h"

namespace sbpf::jit {

// The plan's atomics follow CompileOptions::arm64_atomics.
LoweredCode lower_arm64(const LoweringPlan& plan);

// Whether code compiled with `choice` uses the LSE atomics (kDetect: the
// CPU this runs on has them, or it is not an arm64 CPU).
bool arm64_uses_lse(Arm64Atomics choice);

}  // namespace sbpf::jit
