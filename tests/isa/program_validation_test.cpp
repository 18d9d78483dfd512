// Every rule of isa::validate(), broken once, with the message it must give.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "isa/program.h"

namespace sbpf::isa {
namespace {

constexpr Instruction kExit{kOpExit, 0, 0, 0, 0};

std::vector<uint8_t> bytes_of(std::vector<Instruction> insns) {
  Program p;
  p.insns = std::move(insns);
  return encode(p);
}

// The FormatError message for `insns`, or "" when they are valid.
std::string error_for(std::vector<Instruction> insns) {
  try {
    decode(bytes_of(std::move(insns)));
    return "";
  } catch (const FormatError& e) {
    return e.what();
  }
}

TEST(Validation, AcceptsMinimalProgram) {
  Program p = decode(bytes_of({{0xb7, 0, 0, 0, 1}, kExit}));
  ASSERT_EQ(p.size(), 2u);
  ASSERT_EQ(p.functions.size(), 1u);
  EXPECT_EQ(p.functions[0].start, 0u);
  EXPECT_EQ(p.functions[0].end, 2u);
}

TEST(Validation, RejectsEmptyAndTruncatedInput) {
  EXPECT_THROW(decode(std::vector<uint8_t>{}), FormatError);
  try {
    decode(std::vector<uint8_t>(12, 0));
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()), "truncated program: 12 bytes is not a whole number of 8-byte instructions");
  }
}

TEST(Validation, NamesUnknownOpcodes) {
  EXPECT_EQ(error_for({{0xb7, 0, 0, 0, 0}, {0xe7, 0, 0, 0, 0}, kExit}), "pc 1: unknown opcode 0xe7");
  EXPECT_EQ(error_for({{0x8e, 0, 0, 0, 0}, kExit}), "pc 0: unknown opcode 0x8e");  // JMP32 callx
  EXPECT_EQ(error_for({{0x96, 0, 0, 0, 0}, kExit}), "pc 0: unknown opcode 0x96");  // JMP32 exit
  EXPECT_EQ(error_for({{0x8c, 0, 0, 0, 0}, kExit}), "pc 0: unknown opcode 0x8c");  // neg with X
  EXPECT_EQ(error_for({{0xdf, 0, 0, 0, 64}, kExit}), "pc 0: unknown opcode 0xdf");  // bswap with X
  EXPECT_EQ(error_for({{0x99, 0, 1, 0, 0}, kExit}), "pc 0: unknown opcode 0x99");  // ldxsdw
}

TEST(Validation, RejectsBadRegisters) {
  EXPECT_EQ(error_for({{0xbf, 11, 0, 0, 0}, kExit}), "pc 0: bad destination register r11");
  EXPECT_EQ(error_for({{0xbf, 0, 12, 0, 0}, kExit}), "pc 0: bad source register r12");
  EXPECT_EQ(error_for({{0xb7, 10, 0, 0, 0}, kExit}),
            "pc 0: r10 is the read-only frame pointer and cannot be written");
  EXPECT_EQ(error_for({{0x8d, 11, 0, 0, 0}, kExit}), "pc 0: bad callx register r11");
  EXPECT_EQ(error_for({{0x8d, 0, 0, 0, 0x144b740a}, kExit}), "pc 0: bad callx register r340489226");
}

TEST(Validation, RejectsNonZeroUnusedFields) {
  EXPECT_EQ(error_for({{0x07, 0, 0, 1, 1}, kExit}), "pc 0: unused field offset is 1, must be 0 for opcode 0x07");
  EXPECT_EQ(error_for({{0x07, 0, 1, 0, 1}, kExit}), "pc 0: unused field src is 1, must be 0 for opcode 0x07");
  EXPECT_EQ(error_for({{0x0f, 0, 0, 0, 1}, kExit}), "pc 0: unused field imm is 1, must be 0 for opcode 0x0f");
  EXPECT_EQ(error_for({{0x95, 0, 0, 0, 1}}), "pc 0: unused field imm is 1, must be 0 for opcode 0x95");
  EXPECT_EQ(error_for({{0x05, 1, 0, 0, 0}, kExit}), "pc 0: unused field dst is 1, must be 0 for opcode 0x05");
}

TEST(Validation, ChecksOperandRanges) {
  EXPECT_EQ(error_for({{0xd4, 0, 0, 0, 24}, kExit}), "pc 0: byte swap width must be 16, 32 or 64, not 24");
  EXPECT_EQ(error_for({{0x3f, 0, 1, 2, 0}, kExit}),
            "pc 0: division offset must be 0 (unsigned) or 1 (signed), not 2");
  EXPECT_EQ(error_for({{0xbc, 0, 1, 32, 0}, kExit}), "pc 0: movsx offset 32 is not a valid sign-extension width");
  EXPECT_EQ(error_for({{0xb7, 0, 0, 8, 0}, kExit}), "pc 0: movsx offset 8 is not a valid sign-extension width");
  EXPECT_EQ(error_for({{0xdb, 10, 1, -8, 0x02}, kExit}), "pc 0: unknown atomic operation 0x02");
  EXPECT_EQ(error_for({{0xd3, 10, 1, -8, 0x00}, kExit}), "pc 0: unknown opcode 0xd3");  // 8-bit atomic
}

TEST(Validation, RejectsJumpsOutsideOrIntoLddw) {
  EXPECT_EQ(error_for({{0x05, 0, 0, 5, 0}, kExit}), "pc 0: jump to pc 6 is outside the program (2 slots)");
  EXPECT_EQ(error_for({{0x05, 0, 0, -2, 0}, kExit}), "pc 0: jump to pc -1 is outside the program (2 slots)");
  EXPECT_EQ(error_for({{0x05, 0, 0, 1, 0}, {kOpLddw, 0, 0, 0, 1}, {0, 0, 0, 0, 0}, kExit}),
            "pc 0: jump to pc 2 lands in the middle of an lddw");
  EXPECT_EQ(error_for({{kOpGotol, 0, 0, 0, 7}, kExit}), "pc 0: jump to pc 8 is outside the program (2 slots)");
}

TEST(Validation, RejectsHalfAnLddw) {
  EXPECT_EQ(error_for({kExit, {kOpLddw, 0, 0, 0, 1}}), "pc 1: lddw is cut in half: its second slot is missing");
  EXPECT_EQ(error_for({{kOpLddw, 0, 0, 0, 1}, {0x07, 0, 0, 0, 0}, kExit}),
            "pc 1: second slot of lddw must have only an immediate, found opcode 0x07");
  EXPECT_EQ(error_for({{kOpLddw, 1, kLddwMapValue, 0, 0}, {0, 0, 0, 0, 0}, kExit}),
            "pc 0: lddw refers to data section 0 but the program has 0");
}

TEST(Validation, LddwOffsetMustStayInsideItsSection) {
  Program p;
  p.sections.push_back({".rodata", SectionKind::kRodata, std::vector<uint8_t>(8)});
  p.insns = {{kOpLddw, 1, kLddwMapValue, 0, 0}, {0, 0, 0, 0, 9}, kExit};
  try {
    validate(p);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()), "pc 0: lddw offset 9 is past the end of section .rodata");
  }
  p.insns[1].imm = 8;
  EXPECT_NO_THROW(validate(p));
}

// The passes after validation (control flow, the JIT's plan) read jump
// targets from it; a program that fails keeps none of them.
TEST(Validation, MarksJumpTargetsAndOnlyAPassingProgramIsValidated) {
  // 0: jeq r1, 0, +3 (to 4)   1: lddw   3: call local +1 (to 5)   4: exit   5: exit
  Program p;
  p.insns = {{0x15, 1, 0, 3, 0}, {kOpLddw, 0, 0, 0, 7}, {0, 0, 0, 0, 0}, {kOpCall, 0, kCallLocal, 0, 1}, kExit, kExit};
  EXPECT_FALSE(p.validated());
  validate(p);
  EXPECT_TRUE(p.validated());
  std::vector<size_t> targets;
  for (size_t pc = 0; pc < p.size(); ++pc)
    if (p.is_jump_target(pc)) targets.push_back(pc);
  EXPECT_EQ(targets, (std::vector<size_t>{4, 5}));
  EXPECT_TRUE(p.is_lddw_tail(2));
  EXPECT_FALSE(p.is_jump_target(p.size()));

  p.insns[0].offset = 1;  // into the lddw's second slot
  EXPECT_THROW(validate(p), FormatError);
  EXPECT_FALSE(p.validated());
  EXPECT_FALSE(p.is_jump_target(5));
}

TEST(Validation, ReportsUnsupportedForms) {
  EXPECT_EQ(error_for({{0x20, 0, 0, 0, 0}, kExit}),
            "pc 0: legacy packet load (ld_abs) is not supported: storage programs have no packet");
  EXPECT_EQ(error_for({{0x50, 0, 1, 0, 0}, kExit}),
            "pc 0: legacy packet load (ld_ind) is not supported: storage programs have no packet");
  EXPECT_EQ(error_for({{kOpCall, 0, kCallKfunc, 0, 5}, kExit}),
            "pc 0: calls to kernel functions (kfuncs) are not supported");
}

TEST(Validation, FindsFunctionsAndChecksCalls) {
  // main: call f; exit.   f: mov r0, 1; exit
  Program p = decode(bytes_of({{kOpCall, 0, kCallLocal, 0, 1}, kExit, {0xb7, 0, 0, 0, 1}, kExit}));
  ASSERT_EQ(p.functions.size(), 2u);
  EXPECT_EQ(p.functions[1].start, 2u);
  EXPECT_EQ(p.functions[1].name, "func_2");
  EXPECT_EQ(&p.function_at(3), &p.functions[1]);
  EXPECT_EQ(error_for({{kOpCall, 0, kCallLocal, 0, 9}, kExit}), "pc 0: call to pc 10 is outside the program (2 slots)");
}

TEST(Validation, RejectsFallingOffTheEnd) {
  EXPECT_EQ(error_for({{0xb7, 0, 0, 0, 1}}), "pc 0: execution can fall off the end of the program");
  EXPECT_EQ(error_for({{0x15, 0, 0, -1, 0}}), "pc 0: execution can fall off the end of the program");
  // main falls into f.
  EXPECT_EQ(error_for({{kOpCall, 0, kCallLocal, 0, 1}, {0xb7, 0, 0, 0, 0}, {0xb7, 0, 0, 0, 1}, kExit}),
            "pc 1: execution can fall through from main into the next function");
}

TEST(Validation, RejectsJumpsBetweenFunctions) {
  EXPECT_EQ(error_for({{kOpCall, 0, kCallLocal, 0, 2}, {0x05, 0, 0, 1, 0}, kExit, kExit}),
            "pc 1: jump to pc 3 leaves function main");
}

// The suite's negative raw programs: every one sets a field its opcode
// does not use, and each must be rejected.
TEST(Validation, RejectsEverySuiteNegativeRawProgram) {
  const std::string dir = std::string(SBPF_CONFORMANCE_DIR) + "/negative";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("unused-", 0) != 0) continue;
    std::ifstream in(entry.path());
    std::string line;
    bool raw = false;
    std::vector<uint8_t> bytes;
    while (std::getline(in, line)) {
      if (line.rfind("-- ", 0) == 0) {
        raw = line == "-- raw";
        continue;
      }
      if (!raw) continue;
      std::istringstream tokens(line);
      std::string t;
      while (tokens >> t) bytes.push_back(static_cast<uint8_t>(std::stoul(t, nullptr, 16)));
    }
    EXPECT_THROW(decode(bytes), FormatError) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

}  // namespace
}  // namespace sbpf::isa
