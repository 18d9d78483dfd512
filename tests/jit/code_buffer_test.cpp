// Labels, fixups and jump sizing, and W^X memory: the parts of jit/ both
// backends share.
#include "jit/code_buffer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "jit/executable_memory.h"

namespace sbpf::jit {
namespace {

// A made-up instruction set, so that the buffer is tested apart from any
// backend: a short jump is 0x01 and a signed byte, a long jump 0x02 and a
// 32-bit displacement, both counted from the jump's end; a "word" jump is a
// 32-bit word whose low 8 bits hold a displacement in words from its start.
constexpr FixupKind kByte{"byte", INT8_MIN, INT8_MAX, 1,
                          [](uint8_t* field, int64_t d) { field[0] = static_cast<uint8_t>(d); }};
constexpr FixupKind kLong{"long", INT32_MIN, INT32_MAX, 1, [](uint8_t* field, int64_t d) {
                            const auto v = static_cast<uint32_t>(d);
                            std::memcpy(field, &v, 4);
                          }};
constexpr FixupKind kWord{"word", -128 * 4, 127 * 4, 4,
                          [](uint8_t* field, int64_t d) { field[0] = static_cast<uint8_t>(d / 4); }};

void jump(CodeBuffer& c, Label target) {
  const size_t start = c.size();
  c.byte(0x02);
  c.u32(0);
  c.fixup(kLong, c.size() - 4, c.size(), target);
  c.shortenable_jump(start, target, {&kByte, {0x01, 0}, 2, 1, 2});
}

// The code `emit` writes, laid out.
template <typename Emit>
CodeBytes assemble(Emit emit) {
  CodeBuffer c;
  emit(c);
  return c.finish();
}

CodeBytes jump_over(size_t gap) {
  return assemble([gap](CodeBuffer& c) {
    const Label target = c.make_label();
    jump(c, target);
    for (size_t i = 0; i < gap; ++i) c.byte(0x90);
    c.bind(target);
  });
}

TEST(CodeBuffer, ForwardJumpsAreShortExactlyWhenTheyFit) {
  const CodeBytes fits = jump_over(127);
  ASSERT_EQ(fits.size(), 2u + 127);
  EXPECT_EQ(fits[0], 0x01);
  EXPECT_EQ(fits[1], 127);
  const CodeBytes too_far = jump_over(128);
  ASSERT_EQ(too_far.size(), 5u + 128);
  EXPECT_EQ(too_far[0], 0x02);
  EXPECT_EQ(too_far[1], 128);
  EXPECT_EQ(too_far[2], 0);
}

TEST(CodeBuffer, BackwardJumpsCountFromTheirOrigin) {
  auto back_over = [](size_t gap) {
    return assemble([gap](CodeBuffer& c) {
      const Label top = c.make_label();
      c.bind(top);
      for (size_t i = 0; i < gap; ++i) c.byte(0x90);
      jump(c, top);
    });
  };
  const CodeBytes fits = back_over(126);  // -(126 + 2) = -128
  ASSERT_EQ(fits.size(), 128u);
  EXPECT_EQ(static_cast<int8_t>(fits[127]), -128);
  const CodeBytes too_far = back_over(127);
  ASSERT_EQ(too_far.size(), 132u);
  EXPECT_EQ(too_far[127], 0x02);
  int32_t displacement;
  std::memcpy(&displacement, &too_far[128], 4);
  EXPECT_EQ(displacement, -132);
}

// Jumps are shortened where they fit the all-long layout: the first jump
// fits a byte only once the second has shrunk, which is learnt too late; it
// keeps its long form, and its displacement counts the second jump's short
// form.
TEST(CodeBuffer, ShortensWhatFitsTheAllLongLayout) {
  const CodeBytes code = assemble([](CodeBuffer& c) {
    const Label far = c.make_label(), near = c.make_label();
    jump(c, far);   // short, it would jump 2 + 5 + 123 - 2 = 128 in the long layout: long
    jump(c, near);  // over 123: short
    for (int i = 0; i < 123; ++i) c.byte(0x90);
    c.bind(near);
    c.bind(far);
  });
  ASSERT_EQ(code.size(), 5u + 2 + 123);
  EXPECT_EQ(code[0], 0x02);
  EXPECT_EQ(code[1], 125);
  EXPECT_EQ(code[5], 0x01);
  EXPECT_EQ(code[6], 123);
}

// Once laid out, labels and the fixups of other instructions move back by
// what the jumps before them gave up.
TEST(CodeBuffer, LabelsAndFixupsMoveWithTheCode) {
  CodeBuffer c;
  const Label start = c.make_label(), mid = c.make_label(), end = c.make_label();
  c.bind(start);
  jump(c, mid);  // short: 3 bytes fewer
  c.bind(mid);
  jump(c, end);  // short: 3 more
  c.byte(0x03);  // an instruction with a long displacement back to mid
  c.u32(0);
  c.fixup(kLong, c.size() - 4, c.size(), mid);
  c.bind(end);
  const CodeBytes code = c.finish();
  ASSERT_EQ(code.size(), 2u + 2 + 5);
  EXPECT_EQ(c.offset_of(start), 0u);
  EXPECT_EQ(c.offset_of(mid), 2u);
  EXPECT_EQ(c.offset_of(end), 9u);
  EXPECT_EQ(code[1], 0);  // to the next instruction
  EXPECT_EQ(code[3], 5);  // over the long one
  int32_t back;
  std::memcpy(&back, &code[5], 4);
  EXPECT_EQ(back, -7);
}

// Fields inside an instruction word keep the word's other bits, scale the
// displacement, and refuse one out of range.
TEST(CodeBuffer, WordFieldsScaleAndRefuseWhatDoesNotFit) {
  auto word_jump = [](size_t words) {
    return assemble([words](CodeBuffer& c) {
      const Label target = c.make_label();
      c.fixup(kWord, c.size(), c.size(), target);
      c.u32(0xAB000000);
      for (size_t i = 0; i < words; ++i) c.u32(0);
      c.bind(target);
    });
  };
  const CodeBytes code = word_jump(9);
  EXPECT_EQ(code[0], 10);
  EXPECT_EQ(code[3], 0xAB);
  EXPECT_THROW(word_jump(127), std::length_error);
  EXPECT_THROW(assemble([](CodeBuffer& c) {
                 const Label target = c.make_label();
                 c.fixup(kWord, c.size(), c.size(), target);
                 c.u32(0);
                 c.byte(0);
                 c.bind(target);  // 5 bytes: not a whole number of words
               }),
               std::length_error);
}

TEST(CodeBuffer, LabelMisuseIsAnInternalError) {
  EXPECT_THROW(assemble([](CodeBuffer& c) {
                 const Label l = c.make_label();
                 c.bind(l);
                 c.bind(l);
               }),
               std::logic_error);
  EXPECT_THROW(assemble([](CodeBuffer& c) { jump(c, c.make_label()); }), std::logic_error);
}

// Offsets are kept in 32 bits: the buffer refuses to grow to 4 GiB (before
// it allocates anything).
TEST(CodeBuffer, RefusesToReachFourGiB) {
  CodeBuffer c;
  EXPECT_THROW(c.reserve(size_t{1} << 32), std::length_error);
  c.byte(0x90);
  EXPECT_EQ(c.finish().size(), 1u);
}

// Native code has no type signature in front of it for UBSan's check of
// calls through function pointers to read.
#if defined(__clang__)
[[clang::no_sanitize("function")]]
#endif
int call_native(const uint8_t* code) {
  return reinterpret_cast<int (*)()>(reinterpret_cast<uintptr_t>(code))();
}

// The permissions of the mapping that holds `address`, from /proc/self/maps
// ("r-xp"), or "" when nothing maps it.
std::string permissions_at(const void* address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const auto a = reinterpret_cast<uintptr_t>(address);
  while (std::getline(maps, line)) {
    unsigned long start = 0, end = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) == 3 && a >= start && a < end) return perms;
  }
  return "";
}

TEST(ExecutableMemory, IsReadAndExecuteNeverWriteAndIsUnmappedWithTheObject) {
#if defined(__aarch64__)
  const std::vector<uint8_t> code = {0x40, 0x05, 0x80, 0x52, 0xC0, 0x03, 0x5F, 0xD6};  // mov w0, #42; ret
#else
  const std::vector<uint8_t> code = {0xB8, 42, 0, 0, 0, 0xC3};  // mov eax, 42; ret
#endif
  const void* where = nullptr;
  {
    ExecutableMemory memory(code);
    where = memory.data();
    EXPECT_EQ(permissions_at(where), "r-xp");
    EXPECT_EQ(std::memcmp(memory.data(), code.data(), code.size()), 0);
#if defined(__x86_64__) || defined(__aarch64__)
    EXPECT_EQ(call_native(memory.data()), 42);
#endif
    ExecutableMemory moved = std::move(memory);
    EXPECT_EQ(memory.data(), nullptr);
    EXPECT_EQ(moved.data(), where);
  }
  EXPECT_EQ(permissions_at(where), "");
}

}  // namespace
}  // namespace sbpf::jit
