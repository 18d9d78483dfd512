// Constant blinding as a BPF rewrite (jit/constant_blinding.h): no chosen
// constant survives into the rewritten program or the native code, jumps
// and annotations move with their instructions, and what cannot be
// rewritten says so. That blinded programs compute what the originals do is
// the differential test's part (jit_differential_test.cpp).
#include "jit/constant_blinding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "isa/assembler.h"
#include "jit/native_program.h"

namespace sbpf::jit {
namespace {

constexpr int32_t kChosen = 0x5eed1234;
constexpr uint64_t kChosenWide = 0x1122334455667788;

const char* const kProgram = R"(
    mov %r0, 0x5eed1234
    add32 %r0, 0x5eed1234
    lddw %r2, 0x1122334455667788
    stdw [%r10-8], 0x5eed1234
    jeq %r1, 0x5eed1234, out
    ja out
out:
    exit
)";

TEST(ConstantBlinding, NoChosenConstantSurvives) {
  const isa::Program program = isa::assemble(kProgram);
  const verifier::Annotations annotations = verifier::Annotations::all_checked(program);
  const BlindedProgram blinded = blind_constants(program, annotations, {}, 42);
  const isa::Program& p = blinded.program;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    EXPECT_NE(p.insns[pc].imm, kChosen) << "pc " << pc;
    if (!p.is_lddw_tail(pc) && p.insns[pc].is_lddw()) {
      EXPECT_NE(p.lddw_value_at(pc), kChosenWide) << "pc " << pc;
    }
  }
  // Every immediate-taking slot now reads the blinding register.
  size_t uses = 0;
  for (const isa::Instruction& insn : p.insns) uses += insn.src == kBlindingRegister ? 1 : 0;
  EXPECT_EQ(uses, 4u);  // add32, the xor after the lddws, stx, jeq (a mov computes in its own register)
  // The same seed, the same rewrite; another seed, other keys.
  EXPECT_EQ(blind_constants(program, annotations, {}, 42).program.insns, p.insns);
  EXPECT_NE(blind_constants(program, annotations, {}, 43).program.insns, p.insns);
}

TEST(ConstantBlinding, JumpsAndAnnotationsMoveWithTheirInstructions) {
  const isa::Program program = isa::assemble(kProgram);
  verifier::Annotations annotations = verifier::Annotations::all_checked(program);
  const size_t store = 4, jeq = 5, exit = 7;  // lddw takes two slots
  ASSERT_TRUE(program.insns[store].cls() == isa::kClassSt);
  annotations.access[store].check = verifier::AccessCheck::kProven;
  const BlindedProgram blinded = blind_constants(program, annotations, {}, 7);
  const isa::Program& p = blinded.program;
  ASSERT_EQ(blinded.source_pc.size(), p.size());
  ASSERT_EQ(blinded.annotations.access.size(), p.size());
  size_t stx = p.size(), jump = p.size();
  for (size_t pc = 0; pc < p.size(); ++pc) {
    if (p.insns[pc].cls() == isa::kClassStx) stx = pc;
    if (p.insns[pc].opcode == (isa::kClassJmp | isa::kJmpJeq | isa::kSourceX)) jump = pc;
  }
  ASSERT_LT(stx, p.size());
  ASSERT_LT(jump, p.size());
  EXPECT_EQ(blinded.source_pc[stx], store);
  EXPECT_EQ(blinded.annotations.access[stx].check, verifier::AccessCheck::kProven);
  EXPECT_EQ(blinded.source_pc[jump], jeq);
  EXPECT_EQ(blinded.source_pc[static_cast<size_t>(p.insns[jump].jump_target(jump))], exit);
  EXPECT_EQ(blinded.source_pc[p.size() - 1], exit);
}

// The x86-64 code of the blinded program holds neither constant's bytes;
// the plain program's does (or the check would prove nothing).
TEST(ConstantBlinding, NativeCodeHoldsNoChosenBytes) {
  const isa::Program program = isa::assemble(kProgram);
  const verifier::Annotations annotations = verifier::Annotations::all_checked(program);
  auto holds = [](const NativeProgram& native, uint64_t value, size_t bytes) {
    std::string pattern(bytes, '\0');
    for (size_t i = 0; i < bytes; ++i) pattern[i] = static_cast<char>(value >> (8 * i));
    const std::string code(reinterpret_cast<const char*>(native.code()), native.code_size());
    return code.find(pattern) != std::string::npos;
  };
  CompileOptions options;
  const NativeProgram plain = compile(Arch::kX86_64, program, annotations, options);
  EXPECT_TRUE(holds(plain, static_cast<uint32_t>(kChosen), 4));
  EXPECT_TRUE(holds(plain, kChosenWide, 8));
  options.blind_constants = true;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    options.blinding_seed = seed;
    const NativeProgram blinded = compile(Arch::kX86_64, program, annotations, options);
    EXPECT_FALSE(holds(blinded, static_cast<uint32_t>(kChosen), 4)) << "seed " << seed;
    EXPECT_FALSE(holds(blinded, kChosenWide, 8)) << "seed " << seed;
    // Offsets stay per slot of the verified program.
    EXPECT_EQ(blinded.pc_offsets().size(), program.size() + 1);
  }
}

// Three slots for each immediate: a jump over 12,000 of them needs 36,000
// slots, past a 16-bit offset. `ja` becomes `gotol`; a conditional jump
// cannot, and says so.
TEST(ConstantBlinding, JumpsThatOutgrowSixteenBits) {
  std::string body;
  for (int i = 0; i < 12000; ++i) body += "    add %r0, 3\n";
  const isa::Program far_ja = isa::assemble("    mov %r0, 0\n    ja out\n" + body + "out:\n    exit\n");
  const BlindedProgram rewritten = blind_constants(far_ja, verifier::Annotations::all_checked(far_ja), {}, 1);
  const size_t ja = 2;  // after the two slots of `mov %r0, 0`
  EXPECT_EQ(rewritten.program.insns[ja].opcode, isa::kOpGotol);
  EXPECT_EQ(rewritten.source_pc[static_cast<size_t>(rewritten.program.insns[ja].jump_target(ja))], far_ja.size() - 1);

  const isa::Program far_jeq = isa::assemble("    mov %r0, 0\n    jeq %r1, 0, out\n" + body + "out:\n    exit\n");
  try {
    blind_constants(far_jeq, verifier::Annotations::all_checked(far_jeq), {}, 1);
    FAIL() << "a conditional jump past 16 bits was rewritten";
  } catch (const UnsupportedForJit& e) {
    EXPECT_NE(std::string(e.what()).find("pc 1: with its constants blinded"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sbpf::jit
