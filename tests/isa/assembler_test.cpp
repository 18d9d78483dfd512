#include "isa/assembler.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "isa/program.h"

namespace sbpf::isa {
namespace {

// The bytes of a program as hex, 16 digits per slot, slots separated by '|'.
std::string hex_slots(const Program& p) {
  std::vector<uint8_t> bytes = encode(p);
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0 && i % kSlotBytes == 0) out += '|';
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", bytes[i]);
    out += buf;
  }
  return out;
}

// Assembles one instruction followed by `exit` and returns the
// instruction's slots.
std::string encode_one(const std::string& line) {
  std::string slots = hex_slots(assemble(line + "\nexit\n"));
  return slots.substr(0, slots.size() - 17);  // drop "|9500000000000000"
}

struct EncodingCase {
  const char* text;
  const char* hex;
};

// Hand-encoded: opcode, dst | src << 4, offset (LE16), imm (LE32).
const EncodingCase kEncodings[] = {
    // ALU64 and ALU, immediate and register sources.
    {"add %r0, 1", "0700000001000000"},
    {"add32 %r0, %r1", "0c10000000000000"},
    {"sub %r2, -1", "17020000ffffffff"},
    {"mul32 %r3, 7", "2403000007000000"},
    {"div %r1, %r2", "3f21000000000000"},
    {"sdiv %r1, %r2", "3f21010000000000"},
    {"sdiv32 %r1, 3", "3401010003000000"},
    {"mod %r1, 3", "9701000003000000"},
    {"smod32 %r1, %r2", "9c21010000000000"},
    {"or %r1, 0xf0", "47010000f0000000"},
    {"and %r1, %r2", "5f21000000000000"},
    {"lsh %r1, 3", "6701000003000000"},
    {"rsh32 %r1, 3", "7401000003000000"},
    {"arsh %r1, %r2", "cf21000000000000"},
    {"xor32 %r1, 0xffffffff", "a4010000ffffffff"},
    {"mov %r0, 0x7fffffff", "b7000000ffffff7f"},
    {"mov32 %r0, -2147483648", "b400000000000080"},
    {"mov %r9, -0x10", "b7090000f0ffffff"},
    {"neg %r3", "8703000000000000"},
    {"neg32 %r3", "8403000000000000"},
    {"movsx832 %r1, %r2", "bc21080000000000"},
    {"movsx1632 %r1, %r2", "bc21100000000000"},
    {"movsx864 %r1, %r2", "bf21080000000000"},
    {"movsx1664 %r1, %r2", "bf21100000000000"},
    {"movsx3264 %r1, %r2", "bf21200000000000"},
    // Byte swaps; swapN is bswapN.
    {"le16 %r1", "d401000010000000"},
    {"le64 %r1", "d401000040000000"},
    {"be32 %r1", "dc01000020000000"},
    {"bswap64 %r1", "d701000040000000"},
    {"swap16 %r1", "d701000010000000"},
    {"swap32 %r1", "d701000020000000"},
    // Loads and stores.
    {"ldxb %r0, [%r1+2]", "7110020000000000"},
    {"ldxh %r0, [%r1]", "6910000000000000"},
    {"ldxw %r0, [%r10-4]", "61a0fcff00000000"},
    {"ldxdw %r0, [%r1+0x10]", "7910100000000000"},
    {"ldxdw %r0, [ %r1 - 0x8000 ]", "7910008000000000"},
    {"ldxsb %r0, [%r1+1]", "9110010000000000"},
    {"ldxsh %r0, [%r10-2]", "89a0feff00000000"},
    {"ldxsw %r0, [%r10-4]", "81a0fcff00000000"},
    {"stb [%r10-1], 0x7f", "720affff7f000000"},
    {"sth [%r1+2], 0x1234", "6a01020034120000"},
    {"stw [%r1], -1", "62010000ffffffff"},
    {"stdw [%r10-8], 0x11223344", "7a0af8ff44332211"},
    {"stxb [%r1+1], %r2", "7321010000000000"},
    {"stxh [%r1+1], %r2", "6b21010000000000"},
    {"stxw [%r1+1], %r2", "6321010000000000"},
    {"stxdw [%r10-8], %r1", "7b1af8ff00000000"},
    // Atomics.
    {"lock add [%r10-8], %r1", "db1af8ff00000000"},
    {"lock fetch add32 [%r10-4], %r1", "c31afcff01000000"},
    {"lock or [%r1], %r2", "db21000040000000"},
    {"lock fetch and32 [%r1+4], %r2", "c321040051000000"},
    {"lock xor32 [%r1], %r2", "c3210000a0000000"},
    {"lock fetch xor [%r1], %r2", "db210000a1000000"},
    {"lock xchg32 [%r10-4], %r1", "c31afcffe1000000"},
    {"lock cmpxchg [%r10-8], %r1", "db1af8fff1000000"},
    // lddw: two slots, any 64-bit value.
    {"lddw %r0, 0x1122334455667788", "1800000088776655|0000000044332211"},
    {"lddw %r1, -1", "18010000ffffffff|00000000ffffffff"},
    {"lddw %r1, 18446744073709551615", "18010000ffffffff|00000000ffffffff"},
    {"lddw %r1, -0x8000000000000000", "1801000000000000|0000000000000080"},
    {"lddw %r2, map_fd[3]", "1812000003000000|0000000000000000"},
    {"lddw %r2, btf_var[77]+1", "183200004d000000|0000000001000000"},
    {"lddw %r2, map_idx[4]", "1852000004000000|0000000000000000"},
    {"lddw %r2, map_idx_value[4]+16", "1862000004000000|0000000010000000"},
    {"lddw %r2, code[+0]", "1842000000000000|0000000000000000"},
    // Jumps with numeric offsets (target pc + 1 + offset).
    {"jeq %r1, 5, +0", "1501000005000000"},
    {"jne32 %r2, %r3, -1", "5e32ffff00000000"},
    {"jsgt32 %r2, 0xffffff80, +0", "6602000080ffffff"},
    {"jset %r1, 0x80, +0", "4501000080000000"},
    {"jge %r1, %r2, +0", "3d21000000000000"},
    {"jsle32 %r1, -1, +0", "d6010000ffffffff"},
    {"ja +0", "0500000000000000"},
    {"ja32 +0", "0600000000000000"},
    // Calls.
    {"call 5", "8500000005000000"},
    {"call helper 156", "850000009c000000"},
    {"call %r2", "8d02000000000000"},
    {"call legacy %r2", "8d00000002000000"},
    {"exit", "9500000000000000"},
};

TEST(AssemblerTest, EncodesEveryKindOfInstruction) {
  for (const EncodingCase& c : kEncodings) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(encode_one(c.text), c.hex);
  }
}

TEST(AssemblerTest, ResolvesLabelsForwardAndBackward) {
  Program p = assemble(
      "start:\n"
      "  mov %r0, 0\n"
      "loop:\n"
      "  add %r0, 1\n"
      "  jlt %r0, 10, loop   # back to pc 1\n"
      "  ja done\n"
      "  mov %r0, 7\n"
      "done:\n"
      "  exit\n");
  EXPECT_EQ(p.insns[2].offset, -2);
  EXPECT_EQ(p.insns[3].offset, 1);
}

TEST(AssemblerTest, Ja32PutsTheDisplacementInImm) {
  Program p = assemble("ja32 there\nmov %r0, 1\nthere:\nexit\n");
  EXPECT_EQ(p.insns[0].opcode, kOpGotol);
  EXPECT_EQ(p.insns[0].offset, 0);
  EXPECT_EQ(p.insns[0].imm, 1);
}

TEST(AssemblerTest, UndefinedExitLabelMeansTheFirstExitInstruction) {
  Program p = assemble(
      "jeq %r1, 0, exit\n"
      "mov %r0, 1\n"
      "exit\n"
      "mov %r0, 2\n"
      "exit\n");
  EXPECT_EQ(p.insns[0].offset, 1);  // the exit at pc 2
}

TEST(AssemblerTest, ExplicitExitLabelWins) {
  Program p = assemble(
      "jeq %r1, 0, exit\n"
      "exit\n"
      "exit:\n"
      "mov %r0, 2\n"
      "exit\n");
  EXPECT_EQ(p.insns[0].offset, 1);  // pc 2, the label, not the exit at pc 1
}

TEST(AssemblerTest, LocalCallsNameTheirFunctions) {
  Program p = assemble(
      "call local add_one\n"
      "exit\n"
      "add_one:\n"
      "mov %r0, %r1\n"
      "add %r0, 1\n"
      "exit\n",
      "f.s");
  EXPECT_EQ(p.insns[0].src, kCallLocal);
  EXPECT_EQ(p.insns[0].imm, 1);
  ASSERT_EQ(p.functions.size(), 2u);
  EXPECT_EQ(p.functions[0].start, 0u);
  EXPECT_EQ(p.functions[1].name, "add_one");
  EXPECT_EQ(p.functions[1].start, 2u);
  EXPECT_EQ(p.functions[1].end, 5u);
}

TEST(AssemblerTest, LddwCodeIsRelativeToTheLddw) {
  Program p = assemble(
      "lddw %r1, code[callback]\n"
      "call local callback\n"
      "exit\n"
      "callback:\n"
      "exit\n");
  EXPECT_EQ(p.insns[0].src, kLddwCode);
  EXPECT_EQ(p.insns[0].imm, 3);  // pc 0 + 1 + 3 = pc 4
}

TEST(AssemblerTest, SectionDirectivesDeclareGlobalData) {
  Program p = assemble(
      ".rodata .rodata 48656c6c 6f\n"
      ".bss counters 16\n"
      ".rodata .rodata 00\n"  // appends
      "lddw %r1, data[0]+2\n"
      "lddw %r2, data[1]\n"
      "exit\n");
  ASSERT_EQ(p.sections.size(), 2u);
  EXPECT_EQ(p.sections[0].name, ".rodata");
  EXPECT_EQ(p.sections[0].kind, SectionKind::kRodata);
  EXPECT_EQ(p.sections[0].bytes, (std::vector<uint8_t>{'H', 'e', 'l', 'l', 'o', 0}));
  EXPECT_EQ(p.sections[1].kind, SectionKind::kBss);
  EXPECT_EQ(p.sections[1].bytes.size(), 16u);
  EXPECT_EQ(p.insns[0].src, kLddwMapValue);
  EXPECT_EQ(p.insns[0].imm, 0);
  EXPECT_EQ(p.insns[1].imm, 2);
  EXPECT_EQ(p.insns[2].imm, 1);
}

TEST(AssemblerTest, FillsLineInfoForEveryInstruction) {
  Program p = assemble(
      "# header\n"
      "\n"
      "   mov %r0, 0   # zero\n"
      "L:\n"
      "\tlddw %r1, 5\n"
      "exit\n",
      "prog.s");
  EXPECT_EQ(p.name, "prog.s");
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(p.lines[0].pc, 0u);
  EXPECT_EQ(p.lines[0].file, "prog.s");
  EXPECT_EQ(p.lines[0].line, 3u);
  EXPECT_EQ(p.lines[0].column, 1u);
  EXPECT_EQ(p.lines[0].source, "mov %r0, 0   # zero");
  EXPECT_EQ(p.lines[1].pc, 1u);
  EXPECT_EQ(p.lines[1].line, 5u);
  EXPECT_EQ(p.lines[1].source, "lddw %r1, 5");
  EXPECT_EQ(p.lines[2].pc, 3u);
  EXPECT_EQ(p.lines[2].line, 6u);
}

TEST(AssemblerTest, AcceptsLabelAndInstructionOnOneLine) {
  Program p = assemble("top: mov %r0, 0\njeq %r0, 1, top\nexit\n");
  EXPECT_EQ(p.insns[1].offset, -2);
}

// --- errors ----------------------------------------------------------------

void expect_error(const std::string& text, size_t line, const std::string& reason) {
  SCOPED_TRACE(text);
  try {
    assemble(text, "t.s");
    ADD_FAILURE() << "assembled without error";
  } catch (const AssemblyError& e) {
    EXPECT_EQ(e.reason(), reason);
    EXPECT_EQ(e.line(), line);
    EXPECT_EQ(e.file(), "t.s");
    EXPECT_EQ(std::string(e.what()), "t.s:" + std::to_string(line) + ": error: " + reason);
  }
}

TEST(AssemblerErrorTest, UnknownMnemonic) {
  expect_error("mov %r0, 0\nfrob %r0\nexit\n", 2, "unknown mnemonic 'frob'");
  expect_error("add64 %r0, 1\nexit\n", 1, "unknown mnemonic 'add64'");
}

TEST(AssemblerErrorTest, BadRegister) {
  expect_error("mov %r11, 1\nexit\n", 1, "bad register '%r11': registers are %r0 to %r10");
  expect_error("exit\nmov %r0, %r50\n", 2, "bad register '%r50': registers are %r0 to %r10");
  expect_error("neg %rx\nexit\n", 1, "bad register '%rx': registers are %r0 to %r10");
  expect_error("neg r1\nexit\n", 1, "expected a register, found 'r1'");
}

TEST(AssemblerErrorTest, WrongOperandCount) {
  expect_error("add %r0\nexit\n", 1, "'add' takes 2 operands, found 1");
  expect_error("neg %r0, 1\nexit\n", 1, "'neg' takes 1 operand, found 2");
  expect_error("exit %r0\n", 1, "'exit' takes 0 operands, found 1");
  expect_error("jeq %r0, 1\nexit\n", 1, "'jeq' takes 3 operands, found 2");
  expect_error("add %r0, \nexit\n", 1, "empty operand in 'add %r0,'");
}

TEST(AssemblerErrorTest, MalformedMemoryOperand) {
  expect_error("ldxw %r0, %r1+2\nexit\n", 1, "malformed memory operand '%r1+2': expected [%rN+offset]");
  expect_error("ldxw %r0, [%r1+x]\nexit\n", 1, "malformed memory operand '[%r1+x]': expected [%rN+offset]");
  expect_error("stw [+4], 1\nexit\n", 1, "malformed memory operand '[+4]': expected [%rN+offset]");
  expect_error("stxw [%r1+4, %r2\nexit\n", 1, "malformed memory operand '[%r1+4': expected [%rN+offset]");
}

TEST(AssemblerErrorTest, ImmediateOutOfRange) {
  expect_error("mov %r0, 4294967296\nexit\n", 1, "immediate 4294967296 is out of range for a 32-bit field");
  expect_error("mov %r0, -2147483649\nexit\n", 1, "immediate -2147483649 is out of range for a 32-bit field");
  expect_error("mov %r0, 0x100000000\nexit\n", 1, "immediate 0x100000000 is out of range for a 32-bit field");
  expect_error("lddw %r0, 0x10000000000000000\nexit\n", 1,
               "immediate 0x10000000000000000 is out of range for a 64-bit field");
  expect_error("lddw %r0, -9223372036854775809\nexit\n", 1,
               "immediate -9223372036854775809 is out of range for a 64-bit field");
  expect_error("mov %r0, 12ab\nexit\n", 1, "expected immediate, found '12ab'");
}

TEST(AssemblerErrorTest, OffsetOutOfRange) {
  expect_error("ldxw %r0, [%r1+65536]\nexit\n", 1, "offset +65536 is out of range for a 16-bit field");
  expect_error("stw [%r10-32769], 1\nexit\n", 1, "offset -32769 is out of range for a 16-bit field");
  expect_error("ja +70000\nexit\n", 1, "offset +70000 is out of range for a 16-bit field");
}

TEST(AssemblerErrorTest, JumpTooFarForSixteenBits) {
  std::string text = "ja far\n";
  for (int i = 0; i < 33000; ++i) text += "mov %r0, 0\n";
  text += "far:\nexit\n";
  expect_error(text, 1, "jump to 'far' is 33000 slots away, too far for a 16-bit offset");
}

TEST(AssemblerErrorTest, UndefinedLabel) {
  expect_error("mov %r0, 0\nja nowhere\nexit\n", 2, "undefined label 'nowhere'");
  expect_error("call local missing\nexit\n", 1, "undefined label 'missing'");
  expect_error("mov %r0, 0\njeq %r0, 0, exit\n", 2, "undefined label 'exit'");  // no exit instruction at all
}

TEST(AssemblerErrorTest, DuplicateLabel) {
  expect_error("here:\nmov %r0, 0\nhere:\nexit\n", 3, "duplicate label 'here' (first defined on line 1)");
}

TEST(AssemblerErrorTest, BadLabelName) {
  expect_error("9lives:\nexit\n", 1, "bad label name '9lives'");
  expect_error("ja @x\nexit\n", 1, "expected a label or an offset, found '@x'");
}

TEST(AssemblerErrorTest, EmptyOrUnknownLock) {
  expect_error("lock\nexit\n", 1, "'lock' needs an atomic operation");
  expect_error("lock fetch\nexit\n", 1, "'lock fetch' needs an atomic operation");
  expect_error("lock or [%r10-8]\nexit\n", 1, "'lock or' takes 2 operands, found 1");
  expect_error("lock mul [%r10-8], %r1\nexit\n", 1, "unknown atomic operation 'mul'");
}

TEST(AssemblerErrorTest, MalformedCallAndLddw) {
  expect_error("call\nexit\n", 1,
               "'call' takes a helper id, 'helper ID', 'local LABEL', 'runtime ID' or a register, found ''");
  expect_error("call far away\nexit\n", 1,
               "'call' takes a helper id, 'helper ID', 'local LABEL', 'runtime ID' or a register, found 'far away'");
  expect_error("lddw %r1, map[1]\nexit\n", 1, "unknown lddw form 'map'");
  expect_error("lddw %r1, map_fd[1\nexit\n", 1, "malformed lddw operand 'map_fd[1': missing ']'");
  expect_error("lddw %r1, map_fd[1]8\nexit\n", 1, "malformed lddw operand 'map_fd[1]8': expected +offset after ']'");
}

TEST(AssemblerErrorTest, BadDirective) {
  expect_error(".text\nexit\n", 1, "unknown directive '.text'");
  expect_error(".rodata r abc\nexit\n", 1, "hex bytes 'abc' have an odd number of digits");
  expect_error(".rodata r zz\nexit\n", 1, "bad hex bytes 'zz'");
  expect_error(".rodata r\n.bss r 4\nexit\n", 2, "section 'r' was declared with another kind");
}

TEST(AssemblerErrorTest, NoInstructions) {
  expect_error("", 1, "no instructions");
  expect_error("# nothing\n\nlabel:\n", 3, "no instructions");
}

TEST(AssemblerErrorTest, ValidationErrorsNameTheSourceLine) {
  expect_error("mov %r0, 0\nmov %r10, 1\nexit\n", 2, "r10 is the read-only frame pointer and cannot be written");
  expect_error("mov %r0, 0\nja +5\nexit\n", 2, "jump to pc 7 is outside the program (3 slots)");
  expect_error("mov %r0, 0\nlddw %r1, 1\n", 2, "execution can fall off the end of the program");
  expect_error("lddw %r1, data[0]\nexit\n", 1, "lddw refers to data section 0 but the program has 0");
  expect_error("call runtime 7\nexit\n", 1, "calls to kernel functions (kfuncs) are not supported");
}

// --- the conformance suite --------------------------------------------------

// The text of section `name` (between `-- name` and the next `-- ` line).
std::string section_of(const std::filesystem::path& file, const std::string& name) {
  std::ifstream in(file);
  std::string line, text;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("-- ", 0) == 0) {
      inside = line == "-- " + name;
      continue;
    }
    if (inside) text += line + "\n";
  }
  return text;
}

TEST(AssemblerConformanceTest, AssemblesEveryProgram) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SBPF_CONFORMANCE_DIR "/tests")) {
    if (entry.path().extension() != ".data") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(assemble(section_of(entry.path(), "asm"), entry.path().filename().string()));
    ++count;
  }
  EXPECT_GT(count, 100u);
}

// Files with a `-- raw` section give the expected slots as 64-bit
// little-endian words.
TEST(AssemblerConformanceTest, MatchesRawSections) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SBPF_CONFORMANCE_DIR "/tests")) {
    std::string raw = section_of(entry.path(), "raw");
    if (raw.empty()) continue;
    SCOPED_TRACE(entry.path().string());
    std::vector<uint8_t> expected;
    std::istringstream words(raw);
    std::string word;
    while (words >> word) {
      uint64_t slot = std::stoull(word, nullptr, 16);
      for (int i = 0; i < 8; ++i) expected.push_back(static_cast<uint8_t>(slot >> (8 * i)));
    }
    EXPECT_EQ(encode(assemble(section_of(entry.path(), "asm"))), expected);
    ++count;
  }
  EXPECT_GE(count, 1u);
}

}  // namespace
}  // namespace sbpf::isa
