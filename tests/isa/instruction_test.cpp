#include "isa/instruction.h"

#include <gtest/gtest.h>

namespace sbpf::isa {
namespace {

TEST(Instruction, EncodesLittleEndianWithRegisterNibbles) {
  Instruction insn{0x61, 3, 10, -8, 0x12345678};
  uint8_t bytes[8];
  encode(insn, bytes);
  const uint8_t expected[8] = {0x61, 0xa3, 0xf8, 0xff, 0x78, 0x56, 0x34, 0x12};
  EXPECT_EQ(0, memcmp(bytes, expected, 8));
  EXPECT_EQ(decode_slot(bytes), insn);
}

TEST(Instruction, ClassifiesJumps) {
  EXPECT_TRUE((Instruction{kOpJa, 0, 0, 3, 0}).is_branch());
  EXPECT_FALSE((Instruction{kOpGotol, 0, 0, 0, 3}).is_branch());  // displacement in imm
  EXPECT_TRUE((Instruction{kOpGotol, 0, 0, 0, 3}).ends_block_unconditionally());
  EXPECT_EQ((Instruction{kOpGotol, 0, 0, 0, -3}).jump_target(10), 8);
  EXPECT_EQ((Instruction{0x15, 1, 0, -2, 0}).jump_target(10), 9);
  EXPECT_FALSE((Instruction{kOpCall, 0, 0, 0, 1}).is_branch());
  EXPECT_FALSE((Instruction{kOpExit, 0, 0, 0, 0}).is_branch());
}

TEST(Instruction, AccessSizes) {
  EXPECT_EQ((Instruction{0x71, 0, 1, 0, 0}).access_bytes(), 1u);
  EXPECT_EQ((Instruction{0x69, 0, 1, 0, 0}).access_bytes(), 2u);
  EXPECT_EQ((Instruction{0x61, 0, 1, 0, 0}).access_bytes(), 4u);
  EXPECT_EQ((Instruction{0x79, 0, 1, 0, 0}).access_bytes(), 8u);
  EXPECT_TRUE((Instruction{0xdb, 10, 1, -8, kAtomicAdd}).is_atomic());
  EXPECT_TRUE((Instruction{0x7a, 10, 0, -8, 1}).is_store());
}

TEST(Instruction, CallxRegisterInEitherEncoding) {
  EXPECT_EQ((Instruction{kOpCallx, 2, 0, 0, 0}).callx_register(), 2);  // LLVM: dst
  EXPECT_EQ((Instruction{kOpCallx, 0, 0, 0, 2}).callx_register(), 2);  // uBPF: imm
}

TEST(Instruction, LddwValueJoinsBothHalves) {
  Instruction lo{kOpLddw, 0, 0, 0, static_cast<int32_t>(0x89abcdefu)};
  Instruction hi{0, 0, 0, 0, 0x01234567};
  EXPECT_EQ(lddw_value(lo, hi), 0x0123456789abcdefull);
}

}  // namespace
}  // namespace sbpf::isa
