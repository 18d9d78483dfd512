// W^X pages and the instruction cache flush, which qemu-user cannot show
// missing: the flush is observed through its parameter.
#include "jit/executable_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace sbpf::jit {
namespace {

struct Flush {
  char* begin;
  char* end;
  bool held_the_code;
};
std::vector<Flush> flushes;
std::vector<uint8_t> expected_code;

void record_flush(char* begin, char* end) {
  const bool same = static_cast<size_t>(end - begin) == expected_code.size() &&
                    std::memcmp(begin, expected_code.data(), expected_code.size()) == 0;
  flushes.push_back({begin, end, same});
}

TEST(ExecutableMemory, FlushesTheInstructionCacheOverTheCodeOnceWritten) {
  expected_code.assign(5000, 0);
  for (size_t i = 0; i < expected_code.size(); ++i) expected_code[i] = static_cast<uint8_t>(i * 7);
  flushes.clear();
  const ExecutableMemory memory(expected_code, record_flush);
  ASSERT_EQ(flushes.size(), 1u);
  EXPECT_EQ(flushes[0].begin, reinterpret_cast<const char*>(memory.data()));
  EXPECT_EQ(flushes[0].end, reinterpret_cast<const char*>(memory.data()) + expected_code.size());
  EXPECT_TRUE(flushes[0].held_the_code);
  EXPECT_EQ(memory.size(), expected_code.size());
  EXPECT_EQ(std::memcmp(memory.data(), expected_code.data(), expected_code.size()), 0);
}

// The default is the real flush (__builtin___clear_cache): a no-op on
// x86-64, cache maintenance on arm64.
TEST(ExecutableMemory, DefaultFlushIsTheCompilers) {
  std::vector<char> bytes(64, 1);
  flush_instruction_cache(bytes.data(), bytes.data() + bytes.size());
  const std::vector<uint8_t> code(16, 0xC3);
  const ExecutableMemory memory(code);
  EXPECT_EQ(memory.data()[0], 0xC3);
}

}  // namespace
}  // namespace sbpf::jit
