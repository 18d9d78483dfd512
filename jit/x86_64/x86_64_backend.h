// The x86-64 backend (System V hosts). Use jit::compile() with Arch::kX86_64.
#pragma once

#include "jit/native_program.h"

namespace sbpf::jit {

NativeProgram compile_x86_64(const isa::Program& program, const verifier::Annotations& annotations,
                             const CompileOptions& options);

}  // namespace sbpf::jit
