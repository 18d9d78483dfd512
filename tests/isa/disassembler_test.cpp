#include "isa/disassembler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "isa/program.h"

namespace sbpf::isa {
namespace {

Instruction insn(uint8_t opcode, uint8_t dst = 0, uint8_t src = 0, int16_t offset = 0, int32_t imm = 0) {
  Instruction i;
  i.opcode = opcode;
  i.dst = dst;
  i.src = src;
  i.offset = offset;
  i.imm = imm;
  return i;
}

// A program as a loader would produce it: raw slots through decode().
Program from_slots(const std::vector<Instruction>& slots) {
  Program p;
  p.insns = slots;
  return decode(encode(p));  // the entry is named "main"
}

DisassemblyOptions plain() {
  DisassemblyOptions options;
  options.show_source = false;
  return options;
}

// assemble(disassemble(p)) has the same bytes and data sections as p.
void expect_round_trip(const Program& p, const DisassemblyOptions& options = {}) {
  std::string text = disassemble(p, options);
  SCOPED_TRACE(text);
  Program again = assemble(text, "again.s");
  EXPECT_EQ(encode(again), encode(p));
  ASSERT_EQ(again.sections.size(), p.sections.size());
  for (size_t i = 0; i < p.sections.size(); ++i) {
    EXPECT_EQ(again.sections[i].kind, p.sections[i].kind);
    EXPECT_EQ(again.sections[i].bytes, p.sections[i].bytes);
  }
}

TEST(DisassemblerTest, PrintsTheAssemblerSyntax) {
  Program p = assemble(
      "mov %r0, 0\n"
      "ldxw %r1, [%r1+4]\n"
      "loop:\n"
      "add32 %r0, -1\n"
      "lock fetch add [%r10-8], %r1\n"
      "jne %r0, 0x80000000, loop\n"
      "call local helper_fn\n"
      "exit\n"
      "helper_fn:\n"
      "lddw %r0, 0x1122334455667788\n"
      "exit\n");
  EXPECT_EQ(disassemble(p, plain()),
            "main:\n"
            "    mov %r0, 0\n"
            "    ldxw %r1, [%r1+4]\n"
            "L2:\n"
            "    add32 %r0, -1\n"
            "    lock fetch add [%r10-8], %r1\n"
            "    jne %r0, 0x80000000, L2\n"
            "    call local helper_fn\n"
            "    exit\n"
            "\n"
            "helper_fn:\n"
            "    lddw %r0, 0x1122334455667788\n"
            "    exit\n");
}

TEST(DisassemblerTest, ShowsPcAndSourceAsComments) {
  Program p = assemble("mov %r0, 1   # one\nexit\n", "p.s");
  DisassemblyOptions options;
  options.show_pc = true;
  options.show_source = true;
  EXPECT_EQ(disassemble(p, options),
            "main:\n"  // validate() names an unnamed entry function `main`
            "    # p.s:1: mov %r0, 1   # one\n"
            "    mov %r0, 1                      # pc 0\n"
            "    # p.s:2: exit\n"
            "    exit                            # pc 1\n");
  expect_round_trip(p, options);
}

TEST(DisassemblerTest, OneInstructionUsesLabelNames) {
  Program p = assemble("ja32 end\ncall local f\nend:\nexit\nf:\nexit\n");
  EXPECT_EQ(disassemble_instruction(p, 0), "ja32 L2");
  EXPECT_EQ(disassemble_instruction(p, 1), "call local f");
  EXPECT_EQ(disassemble_instruction(p, 2), "exit");
  EXPECT_THROW(disassemble_instruction(p, 4), std::out_of_range);
}

TEST(DisassemblerTest, SmallImmediatesInDecimalLargeInHex) {
  Program p = assemble(
      "mov %r0, -1\n"
      "mov %r0, 65535\n"
      "mov %r0, 65536\n"
      "mov32 %r0, -2147483648\n"
      "stb [%r10-1], 0xff\n"
      "lddw %r0, -2\n"
      "lddw %r0, 0xffffffffffff0000\n"
      "exit\n");
  EXPECT_EQ(disassemble(p, plain()),
            "main:\n"
            "    mov %r0, -1\n"
            "    mov %r0, 65535\n"
            "    mov %r0, 0x10000\n"
            "    mov32 %r0, 0x80000000\n"
            "    stb [%r10-1], 255\n"
            "    lddw %r0, -2\n"
            "    lddw %r0, 0xffffffffffff0000\n"
            "    exit\n");
  expect_round_trip(p);
}

TEST(DisassemblerTest, RawCallxInBothEncodings) {
  Program p = from_slots({
      insn(kOpCallx, 2, 0, 0, 0),  // LLVM: register in dst
      insn(kOpCallx, 0, 0, 0, 3),  // uBPF: register in imm
      insn(kOpExit),
  });
  EXPECT_EQ(disassemble(p, plain()),
            "main:\n"
            "    call %r2\n"
            "    call legacy %r3\n"
            "    exit\n");
  expect_round_trip(p);
}

TEST(DisassemblerTest, RawGotolAndNegativeOffsets) {
  Program p = from_slots({
      insn(kClassAlu64 | kAluMov | kSourceK, 0, 0, 0, 3),          // 0: mov %r0, 3
      insn(kClassAlu64 | kAluSub | kSourceK, 0, 0, 0, 1),          // 1: sub %r0, 1
      insn(kClassLdx | kModeMem | kSizeDW, 1, 10, -8, 0),          // 2: ldxdw %r1, [%r10-8]
      insn(kClassJmp | kJmpJne | kSourceK, 0, 0, -3, 0),           // 3: jne %r0, 0, pc 1
      insn(kOpGotol, 0, 0, 0, 1),                                  // 4: ja32 pc 6
      insn(kOpExit),                                               // 5
      insn(kOpGotol, 0, 0, 0, -2),                                 // 6: ja32 pc 5
  });
  EXPECT_EQ(disassemble(p, plain()),
            "main:\n"
            "    mov %r0, 3\n"
            "L1:\n"
            "    sub %r0, 1\n"
            "    ldxdw %r1, [%r10-8]\n"
            "    jne %r0, 0, L1\n"
            "    ja32 L6\n"
            "L5:\n"
            "    exit\n"
            "L6:\n"
            "    ja32 L5\n");
  expect_round_trip(p);
}

TEST(DisassemblerTest, RawPseudoLddwForms) {
  Program p = from_slots({
      insn(kOpLddw, 1, kLddwMapFd, 0, 3), insn(0),
      insn(kOpLddw, 2, kLddwVariable, 0, 77), insn(0, 0, 0, 0, 1),
      insn(kOpLddw, 3, kLddwCode, 0, 6), insn(0),  // pc 4 + 1 + 6 = pc 11
      insn(kOpLddw, 4, kLddwMapIndex, 0, 5), insn(0),
      insn(kOpLddw, 5, kLddwMapIndexValue, 0, 5), insn(0, 0, 0, 0, -1),
      insn(kOpExit),
      insn(kOpExit),  // pc 11
  });
  EXPECT_EQ(disassemble(p, plain()),
            "main:\n"
            "    lddw %r1, map_fd[3]\n"
            "    lddw %r2, btf_var[77]+1\n"
            "    lddw %r3, code[L11]\n"
            "    lddw %r4, map_idx[5]\n"
            "    lddw %r5, map_idx_value[5]+4294967295\n"
            "    exit\n"
            "L11:\n"
            "    exit\n");
  expect_round_trip(p);
}

TEST(DisassemblerTest, GlobalDataRoundTripsWithItsSections) {
  Program p;
  p.insns = {insn(kOpLddw, 1, kLddwMapValue, 0, 0), insn(0, 0, 0, 0, 6), insn(kOpLddw, 2, kLddwMapValue, 0, 1),
             insn(0), insn(kOpExit)};
  std::vector<uint8_t> long_bytes(40);
  for (size_t i = 0; i < long_bytes.size(); ++i) long_bytes[i] = static_cast<uint8_t>(i);
  p.sections = {{".rodata", SectionKind::kRodata, {'h', 'e', 'l', 'l', 'o', 0, 'x'}},
                {".bss", SectionKind::kBss, std::vector<uint8_t>(64)},
                {"bad name", SectionKind::kData, long_bytes}};
  validate(p);
  EXPECT_EQ(disassemble(p, plain()),
            ".rodata .rodata 68656c6c6f0078\n"
            ".bss .bss 64\n"
            ".data section2 0001020304050607 08090a0b0c0d0e0f 1011121314151617 18191a1b1c1d1e1f\n"
            ".data section2 2021222324252627\n"
            "\n"
            "main:\n"
            "    lddw %r1, data[0]+6             # .rodata\n"
            "    lddw %r2, data[1]               # .bss\n"
            "    exit\n");
  expect_round_trip(p);
}

TEST(DisassemblerTest, FunctionNamesThatAreNotLabelsFallBack) {
  Program p = from_slots({insn(kOpCall, 0, kCallLocal, 0, 1), insn(kOpExit), insn(kOpCall, 0, kCallLocal, 0, 1),
                          insn(kOpExit), insn(kOpExit)});
  p.functions[1].name = "not a label";
  p.functions[2].name = "L7";  // would collide with generated names
  EXPECT_EQ(disassemble(p, plain()),
            "main:\n"
            "    call local L2\n"
            "    exit\n"
            "\n"
            "L2:\n"
            "    call local L4\n"
            "    exit\n"
            "\n"
            "L4:\n"
            "    exit\n");
  expect_round_trip(p);
}

TEST(DisassemblerTest, EntryLabelOnlyWhenReferencedOrNamed) {
  Program recursive = from_slots({insn(kClassJmp | kJmpJeq | kSourceK, 1, 0, -1, 0), insn(kOpExit)});
  recursive.functions[0].name = "<entry>";
  EXPECT_EQ(disassemble(recursive, plain()), "L0:\n    jeq %r1, 0, L0\n    exit\n");
  Program named = from_slots({insn(kOpExit)});
  named.functions[0].name = "main";
  EXPECT_EQ(disassemble(named, plain()), "main:\n    exit\n");
}

TEST(DisassemblerTest, ShowsSourceOncePerLine) {
  Program p = from_slots({insn(kClassAlu64 | kAluMov | kSourceK, 0, 0, 0, 1), insn(kOpLddw, 1), insn(0), insn(kOpExit)});
  p.lines = {{0, "lambda.c", 12, 3, "int x = 1;"}, {1, "lambda.c", 12, 9, "int x = 1;"}, {3, "lambda.c", 13, 3, ""}};
  EXPECT_EQ(disassemble(p),
            "main:\n"
            "    # lambda.c:12: int x = 1;\n"
            "    mov %r0, 1\n"
            "    lddw %r1, 0\n"
            "    # lambda.c:13:\n"
            "    exit\n");
}

TEST(DisassemblerTest, HandlesAProgramThatWasNeverValidated) {
  Program p;
  p.insns = {insn(kClassJmp | kJmpJeq | kSourceK, 1, 0, 2, 0), insn(kOpLddw, 1, 0, 0, 7), insn(0, 0, 0, 0, 1),
             insn(kOpExit), insn(0xff)};
  EXPECT_EQ(disassemble(p, plain()),
            "    jeq %r1, 0, L3\n"
            "    lddw %r1, 0x100000007\n"
            "L3:\n"
            "    exit\n"
            "    # unknown instruction: opcode 0xff dst 0 src 0 offset 0 imm 0\n");
}

// Fields drawn to hit the validator's rules often: valid registers, zero or
// small offsets, the immediates that select byte-swap widths and atomics.
Instruction random_insn(std::mt19937_64& rng) {
  static constexpr int32_t kSpecialImms[] = {0, 1, 16, 32, 64, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
  Instruction i;
  i.opcode = static_cast<uint8_t>(rng());
  i.dst = static_cast<uint8_t>(rng() % 8 ? rng() % 10 : rng() % 16);
  i.src = static_cast<uint8_t>(rng() % 3 ? 0 : rng() % 11);
  i.offset = static_cast<int16_t>(rng() % 2 ? 0 : rng() % 3 ? static_cast<int>(rng() % 5) - 2 : static_cast<int>(rng()));
  switch (rng() % 3) {
    case 0: i.imm = kSpecialImms[rng() % std::size(kSpecialImms)]; break;
    case 1: i.imm = static_cast<int32_t>(rng() % 40) - 3; break;
    default: i.imm = static_cast<int32_t>(rng()); break;
  }
  return i;
}

// Whatever decode() accepts, the disassembler prints so that it reassembles
// to the same bytes.
TEST(DisassemblerTest, RandomValidProgramsRoundTrip) {
  std::mt19937_64 rng(9669);
  size_t programs = 0;
  for (int attempt = 0; attempt < 50000; ++attempt) {
    Program raw;
    for (uint64_t k = 1 + rng() % 3; k > 0; --k) raw.insns.push_back(random_insn(rng));
    raw.insns.push_back(insn(kOpExit));
    std::vector<uint8_t> bytes = encode(raw);
    Program p;
    try {
      p = decode(bytes);
    } catch (const FormatError&) {
      continue;
    }
    ++programs;
    std::string text = disassemble(p, plain());
    ASSERT_NO_THROW(EXPECT_EQ(encode(assemble(text)), bytes) << text) << text;
  }
  EXPECT_GT(programs, 1000u);
}

// --- the conformance suite ----------------------------------------------------

std::string asm_section(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line, text;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("-- ", 0) == 0) {
      inside = line == "-- asm";
      continue;
    }
    if (inside) text += line + "\n";
  }
  return text;
}

TEST(DisassemblerConformanceTest, EveryProgramRoundTrips) {
  DisassemblyOptions annotated;
  annotated.show_pc = true;
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SBPF_CONFORMANCE_DIR "/tests")) {
    if (entry.path().extension() != ".data") continue;
    SCOPED_TRACE(entry.path().string());
    Program p = assemble(asm_section(entry.path()), entry.path().filename().string());
    expect_round_trip(p, plain());
    expect_round_trip(p, annotated);
    // And through raw bytes, as a loader sees the program.
    expect_round_trip(decode(encode(p)), plain());
    ++count;
  }
  EXPECT_GT(count, 100u);
}

}  // namespace
}  // namespace sbpf::isa
