#include "jit/native_program.h"

#include <optional>
#include <random>
#include <string>

#include "jit/arm64/arm64_backend.h"
#include "jit/constant_blinding.h"
#include "jit/lowering_plan.h"
#include "jit/x86_64/x86_64_backend.h"

namespace sbpf::jit {

const char* arch_name(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "x86_64";
    case Arch::kArm64: return "arm64";
  }
  return "?";
}

NativeProgram::NativeProgram(Arch arch, std::span<const uint8_t> code, std::vector<uint32_t> pc_offsets,
                             std::vector<GuardSite> sites)
    : arch_(arch), memory_(code), pc_offsets_(std::move(pc_offsets)), sites_(std::move(sites)) {}

NativeProgram compile(Arch arch, const isa::Program& program, const verifier::Annotations& annotations,
                      const CompileOptions& options) {
  if (!program.validated()) throw std::invalid_argument("jit: the program has not been validated (isa::validate)");
  if (annotations.access.size() != program.size() || annotations.back_edge.size() != program.size())
    throw std::invalid_argument("jit: annotations for " + std::to_string(annotations.access.size()) +
                                " slots, but the program has " + std::to_string(program.size()));
  std::optional<BlindedProgram> blinded;
  std::optional<LoweringPlan> plan;
  if (options.blind_constants) {
    uint64_t seed = options.blinding_seed;
    if (seed == 0) seed = (static_cast<uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
    blinded = blind_constants(program, annotations, options.section_addresses, seed);
    plan.emplace(blinded->program, blinded->annotations, options, blinded->source_pc);
  } else {
    plan.emplace(program, annotations, options);
  }
  LoweredCode lowered;
  switch (arch) {
    case Arch::kX86_64: lowered = lower_x86_64(*plan); break;
    case Arch::kArm64: lowered = lower_arm64(*plan); break;
  }
  // Offsets per slot of the verified program: where the code of the first
  // slot that came from it starts.
  std::vector<uint32_t> pc_offsets = std::move(lowered.pc_offsets);
  if (blinded) {
    std::vector<uint32_t> by_source(program.size() + 1, UINT32_MAX);
    by_source.back() = pc_offsets.back();
    for (size_t pc = blinded->source_pc.size(); pc-- > 0;) by_source[blinded->source_pc[pc]] = pc_offsets[pc];
    for (size_t pc = program.size(); pc-- > 0;)  // an lddw's second slot: where the next slot starts
      if (by_source[pc] == UINT32_MAX) by_source[pc] = by_source[pc + 1];
    pc_offsets = std::move(by_source);
  }
  return NativeProgram(arch, lowered.code, std::move(pc_offsets), plan->sites());
}

}  // namespace sbpf::jit
