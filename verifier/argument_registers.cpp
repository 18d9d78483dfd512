#include "verifier/argument_registers.h"

namespace sbpf::verifier {

namespace {

constexpr RegisterMask bit(int r) { return static_cast<RegisterMask>(1u << r); }
constexpr RegisterMask kArgumentMask = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
constexpr RegisterMask kCallClobbers = bit(0) | kArgumentMask;

struct UseDef {
  RegisterMask use = 0, def = 0;
};

// What one instruction reads, and writes (registers_written).
UseDef use_def(const isa::Instruction& insn, const std::vector<RegisterMask>& callee_arguments,
               const isa::Program& program, size_t pc,
               const std::function<RegisterMask(int32_t)>& helper_arguments) {
  UseDef u;
  u.def = registers_written(insn);
  const bool from_reg = insn.source() == isa::kSourceX;
  switch (insn.cls()) {
    case isa::kClassAlu:
    case isa::kClassAlu64:
      if (insn.op() == isa::kAluMov) {
        if (from_reg) u.use |= bit(insn.src);
      } else {
        u.use |= bit(insn.dst);
        if (from_reg && insn.op() != isa::kAluNeg && insn.op() != isa::kAluEnd) u.use |= bit(insn.src);
      }
      return u;
    case isa::kClassLdx: u.use |= bit(insn.src); return u;
    case isa::kClassLd: return u;
    case isa::kClassSt: u.use |= bit(insn.dst); return u;
    case isa::kClassStx:
      u.use |= bit(insn.dst) | bit(insn.src);
      if (insn.is_atomic() && insn.imm == isa::kAtomicCmpxchg) u.use |= bit(0);
      return u;
    default: break;
  }
  if (insn.is_exit()) {
    u.use |= bit(0);
  } else if (insn.is_local_call()) {
    const size_t target = pc + 1 + static_cast<size_t>(static_cast<int64_t>(insn.imm));
    u.use |= callee_arguments[static_cast<size_t>(&program.function_at(target) - program.functions.data())];
  } else if (insn.is_helper_call()) {
    u.use |= helper_arguments(insn.imm);
  } else if (insn.is_callx()) {
    u.use |= bit(insn.callx_register()) | kArgumentMask;
  } else if (insn.is_branch() && insn.op() != isa::kJmpJa) {
    u.use |= bit(insn.dst);
    if (from_reg) u.use |= bit(insn.src);
  }
  return u;
}

}  // namespace

RegisterMask registers_written(const isa::Instruction& insn) {
  switch (insn.cls()) {
    case isa::kClassAlu:
    case isa::kClassAlu64:
    case isa::kClassLdx:
    case isa::kClassLd: return bit(insn.dst);
    case isa::kClassSt: return 0;
    case isa::kClassStx:
      if (!insn.is_atomic()) return 0;
      if (insn.imm == isa::kAtomicCmpxchg) return bit(0);
      return (insn.imm & isa::kAtomicFetch) ? bit(insn.src) : 0;
    default: break;
  }
  return insn.opcode == isa::kOpCall || insn.is_callx() ? kCallClobbers : 0;
}

std::vector<RegisterMask> argument_registers(const isa::Program& program, const isa::ProgramGraph& graph,
                                             const std::function<RegisterMask(int32_t)>& helper_arguments) {
  // A function's arguments depend on its callees': iterate to the least
  // fixpoint over all functions (the sets only grow).
  std::vector<RegisterMask> arguments(graph.functions.size(), 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (const isa::FunctionGraph& g : graph.functions) {
      // Backward liveness over the function's blocks.
      std::vector<RegisterMask> live_in(g.blocks.size(), 0);
      for (bool moved = true; moved;) {
        moved = false;
        for (auto it = g.order.rbegin(); it != g.order.rend(); ++it) {
          const isa::BasicBlock& b = g.blocks[*it];
          RegisterMask live = 0;
          for (size_t s : b.successors) live |= live_in[s];
          for (size_t pc = b.last + 1; pc-- > b.first;) {
            if (program.is_lddw_tail(pc)) continue;
            const UseDef u = use_def(program.insns[pc], arguments, program, pc, helper_arguments);
            live = static_cast<RegisterMask>((live & ~u.def) | u.use);
          }
          if (live != live_in[*it]) {
            live_in[*it] = live;
            moved = true;
          }
        }
      }
      const RegisterMask args = g.blocks.empty() ? 0 : static_cast<RegisterMask>(live_in[0] & kArgumentMask);
      if (args != arguments[g.function]) {
        arguments[g.function] = args;
        changed = true;
      }
    }
  }
  return arguments;
}

}  // namespace sbpf::verifier
