#include "verifier/annotations.h"

namespace sbpf::verifier {

Annotations Annotations::all_checked(const isa::Program& program) {
  Annotations annotations;
  annotations.access.resize(program.size());
  annotations.back_edge.resize(program.size());
  for (size_t pc = 0; pc < program.size(); ++pc) {
    if (program.is_lddw_tail(pc)) continue;
    const isa::Instruction& insn = program.insns[pc];
    if (insn.is_load() || insn.is_store() || insn.is_atomic()) {
      annotations.access[pc] = {AccessCheck::kGuarded, kAllRegionKinds, static_cast<uint8_t>(insn.access_bytes())};
    }
    const bool jump = insn.is_branch() || insn.opcode == isa::kOpGotol;
    if (jump && insn.jump_target(pc) <= static_cast<int64_t>(pc)) annotations.back_edge[pc] = BackEdge::kCounted;
  }
  return annotations;
}

std::string describe_annotation(const Annotations& annotations, size_t pc) {
  if (pc >= annotations.access.size()) return "";
  const AccessAnnotation& a = annotations.access[pc];
  if (a.check == AccessCheck::kProven) return "proven";
  if (a.check == AccessCheck::kGuarded) {
    std::string text = "guarded: " + region_set_name(a.regions);
    if (a.relative.base != RelativeRange::kNoBase)
      text += ", r" + std::to_string(a.relative.base) + " + [" + std::to_string(a.relative.low) + ", " +
              std::to_string(a.relative.high) + "]";
    return text;
  }
  if (a.check == AccessCheck::kUnreached) return "unreached (checked)";
  switch (annotations.back_edge[pc]) {
    case BackEdge::kFree: return "loop: free";
    case BackEdge::kCounted: return "loop: counted";
    case BackEdge::kNone: break;
  }
  return "";
}

}  // namespace sbpf::verifier
