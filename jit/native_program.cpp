#include "jit/native_program.h"

#include <string>

#include "jit/arm64/arm64_backend.h"
#include "jit/x86_64/x86_64_backend.h"

namespace sbpf::jit {

const char* arch_name(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "x86_64";
    case Arch::kArm64: return "arm64";
  }
  return "?";
}

NativeProgram::NativeProgram(Arch arch, std::vector<uint8_t> code, std::vector<uint32_t> pc_offsets,
                             std::vector<GuardSite> sites)
    : arch_(arch), memory_(code), pc_offsets_(std::move(pc_offsets)), sites_(std::move(sites)) {}

NativeProgram compile(Arch arch, const isa::Program& program, const verifier::Annotations& annotations,
                      const CompileOptions& options) {
  if (annotations.access.size() != program.size() || annotations.back_edge.size() != program.size())
    throw std::invalid_argument("jit: annotations for " + std::to_string(annotations.access.size()) +
                                " slots, but the program has " + std::to_string(program.size()));
  switch (arch) {
    case Arch::kX86_64: return compile_x86_64(program, annotations, options);
    case Arch::kArm64: return compile_arm64(program, annotations, options);
  }
  throw UnsupportedForJit(std::string("no ") + arch_name(arch) + " backend");
}

}  // namespace sbpf::jit
