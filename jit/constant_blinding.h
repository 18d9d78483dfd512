// Constant blinding as a rewrite of the BPF before any backend runs, as the
// kernel does it: every constant a program chooses (ALU, jump and store
// immediates, lddw values) is computed at run time from two random numbers
// in a register of its own, so a program cannot plant chosen bytes in
// executable memory. A backend maps that register and needs no blinding of
// its own.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/program.h"
#include "verifier/annotations.h"

namespace sbpf::jit {

// The register a blinded program computes its constants in (the kernel's
// BPF_REG_AX): one past the ISA's, so no program names it. A backend gives
// it a register that nothing else in an instruction's code uses between
// the constant's computation and its use.
inline constexpr uint8_t kBlindingRegister = isa::kNumRegisters;

struct BlindedProgram {
  isa::Program program;
  verifier::Annotations annotations;  // per slot of `program`
  std::vector<uint32_t> source_pc;    // per slot: the slot of the original it comes from
};

// Rewrites `program`: `op dst, imm` becomes `mov ax, imm ^ key; xor ax, key;
// op dst, ax`, for ALU operations, conditional jumps and stores of an
// immediate (`stx` from ax); `mov dst, imm` becomes `mov dst, imm ^ key;
// xor dst, key`; `lddw dst, v` becomes `lddw dst, v ^ key;
// lddw ax, key; xor dst, ax`, with data section addresses (kLddwMapValue)
// resolved through `section_addresses` first. Jump, call and gotol
// displacements are recomputed; a conditional jump that no longer reaches
// its target in 16 bits throws UnsupportedForJit. The annotation of each
// original slot moves with it; the slots added are neither accesses nor
// back-edges. `seed` fixes the keys.
BlindedProgram blind_constants(const isa::Program& program, const verifier::Annotations& annotations,
                               const std::vector<uint64_t>& section_addresses, uint64_t seed);

}  // namespace sbpf::jit
