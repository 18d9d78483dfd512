// The x86-64 backend (System V hosts). Use jit::compile() with Arch::kX86_64.
#pragma once

#include "jit/lowering.h"
#include "jit/lowering_plan.h"

namespace sbpf::jit {

LoweredCode lower_x86_64(const LoweringPlan& plan);

}  // namespace sbpf::jit
