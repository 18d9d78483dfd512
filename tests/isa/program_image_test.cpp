// Program images: a program survives the trip whole, and every way an image
// can be damaged gives one readable message.
#include "isa/program_image.h"

#include <gtest/gtest.h>

#include <string>

#include "isa/assembler.h"
#include "tests/isa/program_comparison.h"

namespace sbpf::isa {

namespace {

// Two functions, an lddw of each form the verifier sees, every kind of
// section, address slots (one null), and line info.
Program rich_program() {
  Program p = assemble(R"(
      .rodata names 6100620000000000
      .data table 0100000000000000
      .pointer table names+2
      .pointer table null
      .bss counters 16
    entry:
      lddw %r2, data[1]+8
      lddw %r3, 0x1122334455667788
      call local helper
      exit
    helper:
      mov %r0, 7
      exit
  )", "rich.s");
  p.name = "lambda/rich";
  p.context_type = "context";
  p.lines = {{0, "rich.c", 3, 5, "  char *p = table[1];"},
             {4, "rich.c", 4, 3, "  return helper();"},
             {6, "rich.c", 9, 10, "static int helper(void) { return 7; }"},
             {7, "rich.c", 9, 10, "static int helper(void) { return 7; }"}};
  return p;
}

std::string read_error(const std::vector<uint8_t>& bytes) {
  try {
    read_image(bytes);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

void put_le32(std::vector<uint8_t>& bytes, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A payload of the caller's making behind a correct header: the checks past
// the checksum.
std::vector<uint8_t> with_header(const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out(kImageHeaderBytes, 0);
  std::copy(kImageMagic.begin(), kImageMagic.end(), out.begin());
  put_le32(out, 8, kImageVersion);
  put_le32(out, 12, static_cast<uint32_t>(payload.size()));
  put_le32(out, 16, crc32(payload));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::vector<uint8_t> payload_of(const std::vector<uint8_t>& image) {
  return {image.begin() + kImageHeaderBytes, image.end()};
}

TEST(ProgramImage, Crc32IsZlibs) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32({reinterpret_cast<const uint8_t*>(check.data()), check.size()}), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
}

TEST(ProgramImage, RoundTripsEveryField) {
  ProgramImage image{rich_program(), "lambda", 1000};
  const std::vector<uint8_t> bytes = write_image(image);
  EXPECT_TRUE(looks_like_image(bytes));
  const ProgramImage back = read_image(bytes);
  expect_same_program(image.program, back.program);
  EXPECT_EQ(back.program_type, "lambda");
  EXPECT_EQ(back.loop_budget, 1000u);
  EXPECT_EQ(back.program.functions[1].name, "helper");
  // Writing what was read gives the same bytes: the format has one spelling.
  EXPECT_EQ(write_image(back), bytes);
}

TEST(ProgramImage, BssIsStoredAsItsSize) {
  Program p = assemble(".bss big 60000\nmov %r0, 0\nexit\n", "bss.s");
  const std::vector<uint8_t> bytes = write_image({p, "memory", 1});
  EXPECT_LT(bytes.size(), 1000u);
  EXPECT_EQ(read_image(bytes).program.sections[0].bytes, std::vector<uint8_t>(60000, 0));
}

TEST(ProgramImage, RawBytecodeNeverLooksLikeAnImage) {
  // Opcode 0x00 is no instruction: no valid program starts with the magic.
  std::vector<uint8_t> code(kImageMagic.begin(), kImageMagic.end());
  code.insert(code.end(), {0x95, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_THROW(decode(code), FormatError);
  EXPECT_FALSE(looks_like_image(std::vector<uint8_t>{0x7f, 'E', 'L', 'F'}));
  EXPECT_FALSE(looks_like_image(std::vector<uint8_t>(kImageMagic.begin(), kImageMagic.end() - 1)));
}

TEST(ProgramImage, RejectsWhatIsNotAnImage) {
  EXPECT_EQ(read_error({0x95, 0, 0, 0, 0, 0, 0, 0}), "not a program image (its first bytes are not the image magic)");
}

TEST(ProgramImage, RejectsATruncatedHeader) {
  std::vector<uint8_t> bytes = write_image({rich_program(), "lambda", 1});
  bytes.resize(20);
  EXPECT_EQ(read_error(bytes), "truncated image: 20 bytes, shorter than its 24-byte header");
}

TEST(ProgramImage, RejectsATruncatedPayload) {
  std::vector<uint8_t> bytes = write_image({rich_program(), "lambda", 1});
  const size_t payload = bytes.size() - kImageHeaderBytes;
  bytes.resize(bytes.size() - 5);
  EXPECT_EQ(read_error(bytes), "truncated image: the header announces " + std::to_string(payload) +
                                   " payload bytes, " + std::to_string(payload - 5) + " follow it");
}

TEST(ProgramImage, RejectsBytesAfterThePayload) {
  std::vector<uint8_t> bytes = write_image({rich_program(), "lambda", 1});
  const size_t payload = bytes.size() - kImageHeaderBytes;
  bytes.push_back(0);
  EXPECT_EQ(read_error(bytes),
            "corrupt image: 1 bytes after the " + std::to_string(payload) + "-byte payload the header announces");
}

TEST(ProgramImage, RejectsAnotherVersion) {
  std::vector<uint8_t> bytes = write_image({rich_program(), "lambda", 1});
  put_le32(bytes, 8, 2);
  EXPECT_EQ(read_error(bytes), "image version 2 is not supported (this sbpf reads version 1)");
}

TEST(ProgramImage, RejectsANonZeroReservedField) {
  std::vector<uint8_t> bytes = write_image({rich_program(), "lambda", 1});
  put_le32(bytes, 20, 1);
  EXPECT_EQ(read_error(bytes), "corrupt image: the header's reserved field is not zero");
}

TEST(ProgramImage, RejectsAnyFlippedBitByItsChecksum) {
  const std::vector<uint8_t> good = write_image({rich_program(), "lambda", 1});
  for (size_t at = kImageHeaderBytes; at < good.size(); ++at) {
    std::vector<uint8_t> bad = good;
    bad[at] ^= 0x10;
    EXPECT_EQ(read_error(bad).rfind("corrupt image: the payload's CRC-32 is 0x", 0), 0u) << "byte " << at;
  }
  std::vector<uint8_t> bad = good;
  bad[16] ^= 1;
  EXPECT_NE(read_error(bad).find(", the header says 0x"), std::string::npos);
}

TEST(ProgramImage, RejectsOversizedImages) {
  std::vector<uint8_t> bytes = write_image({rich_program(), "lambda", 1});
  bytes.resize(kMaxImageBytes + 1);
  EXPECT_EQ(read_error(bytes), "image of 67108865 bytes is larger than the 64 MiB an image may hold");
}

TEST(ProgramImage, RefusesToWriteAnImageTooLarge) {
  Program p = assemble("mov %r0, 0\nexit\n", "big.s");
  p.sections.push_back({"blob", SectionKind::kRodata, std::vector<uint8_t>(kMaxImageBytes, 1)});
  try {
    write_image({p, "memory", 1});
    FAIL();
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("more than the 64 MiB an image may hold"), std::string::npos) << e.what();
  }
}

// Past the checksum: payloads that a buggy writer (or a forger) could make.
TEST(ProgramImage, RejectsATruncatedField) {
  // One string of 10 bytes, 3 of them there.
  const std::vector<uint8_t> payload = {1, 0, 0, 0, 10, 0, 0, 0, 'a', 'b', 'c'};
  EXPECT_EQ(read_error(with_header(payload)),
            "corrupt image payload at byte 8: truncated while reading string (10 bytes wanted, 3 left)");
}

TEST(ProgramImage, RejectsACutInAFixedSizeRecord) {
  std::vector<uint8_t> payload = payload_of(write_image({rich_program(), "lambda", 1}));
  payload.resize(payload.size() - 3);
  EXPECT_NE(read_error(with_header(payload)).find("line info: 4 announced, more than the payload's remaining"),
            std::string::npos);
}

TEST(ProgramImage, RejectsACountLargerThanThePayload) {
  // The string table's count, the payload's first field.
  std::vector<uint8_t> payload = payload_of(write_image({rich_program(), "lambda", 1}));
  put_le32(payload, 0, 0x40000000);
  EXPECT_NE(read_error(with_header(payload)).find("string table: 1073741824 announced, more than the payload's"),
            std::string::npos)
      << read_error(with_header(payload));
}

TEST(ProgramImage, RejectsAStringIndexOutsideTheTable) {
  std::vector<uint8_t> payload = payload_of(write_image({rich_program(), "lambda", 1}));
  // The program's name is the first field after the string table.
  const uint32_t strings = payload[0];
  size_t at = 4;
  for (uint32_t i = 0; i < strings; ++i) at += 4 + payload[at];
  put_le32(payload, at, 99);
  EXPECT_EQ(read_error(with_header(payload)), "corrupt image payload at byte " + std::to_string(at + 4) +
                                                  ": program name: string 99 of a table of " +
                                                  std::to_string(strings));
}

TEST(ProgramImage, RejectsTrailingPayloadBytes) {
  std::vector<uint8_t> payload = payload_of(write_image({rich_program(), "lambda", 1}));
  payload.push_back(0);
  EXPECT_EQ(read_error(with_header(payload)),
            "corrupt image payload at byte " + std::to_string(payload.size() - 1) + ": 1 bytes after the last field");
}

TEST(ProgramImage, RejectsAnUnknownSectionKind) {
  Program p = rich_program();
  p.sections[0].kind = static_cast<SectionKind>(7);  // written as it is, read as nothing known
  EXPECT_NE(read_error(write_image({p, "lambda", 1})).find("section names has unknown kind 7"), std::string::npos);
}

TEST(ProgramImage, RejectsLineInfoOutOfOrderOrPastTheEnd) {
  Program p = rich_program();
  std::swap(p.lines[0], p.lines[1]);
  EXPECT_NE(read_error(write_image({p, "lambda", 1})).find("line info is not sorted by pc"), std::string::npos);
  p = rich_program();
  p.lines.back().pc = 40;
  EXPECT_NE(read_error(write_image({p, "lambda", 1})).find("line info for pc 40 past the program's 8 slots"),
            std::string::npos);
}

TEST(ProgramImage, RejectsMalformedBytecode) {
  Program p = rich_program();
  p.insns[6].opcode = 0xe7;
  EXPECT_EQ(read_error(write_image({p, "lambda", 1})),
            "the image's bytecode is malformed: pc 6: unknown opcode 0xe7");
  p = rich_program();
  p.sections[1].pointers[0].target = 9;
  EXPECT_EQ(read_error(write_image({p, "lambda", 1})),
            "the image's bytecode is malformed: pointer at table+8 points outside the program's data sections");
}

TEST(ProgramImage, RejectsFunctionsTheCallsDoNotMake) {
  Program p = rich_program();
  p.functions[1].start = 5;
  EXPECT_EQ(read_error(write_image({p, "lambda", 1})),
            "the image's functions (entry [0, 6), helper [5, 8)) are not the ones its calls make "
            "(entry [0, 6), func_6 [6, 8))");
  p = rich_program();
  p.functions.pop_back();
  EXPECT_NE(read_error(write_image({p, "lambda", 1})).find("are not the ones its calls make"), std::string::npos);
}

TEST(ProgramImage, RejectsABssSectionLargerThanAnImage) {
  Program p = assemble(".bss huge 8\nmov %r0, 0\nexit\n", "");
  p.sections[0].bytes.resize(kMaxImageBytes + 8);
  EXPECT_NE(read_error(write_image({p, "memory", 1})).find("section huge of 67108872 bytes takes the program's data "
                                                           "past 64 MiB"),
            std::string::npos);
}

}  // namespace
}  // namespace sbpf::isa
