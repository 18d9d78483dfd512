// Two programs compared field by field, for tests of whatever carries a
// Program from one place to another (images, loaders).
#pragma once

#include <gtest/gtest.h>

#include "isa/program.h"

namespace sbpf::isa {

// Every field a Program carries, compared in one place so that a test
// failure names the one that differs.
inline void expect_same_program(const Program& a, const Program& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.context_type, b.context_type);
  EXPECT_EQ(a.insns, b.insns);
  ASSERT_EQ(a.functions.size(), b.functions.size());
  for (size_t i = 0; i < a.functions.size(); ++i) {
    EXPECT_EQ(a.functions[i].name, b.functions[i].name);
    EXPECT_EQ(a.functions[i].start, b.functions[i].start);
    EXPECT_EQ(a.functions[i].end, b.functions[i].end);
  }
  ASSERT_EQ(a.sections.size(), b.sections.size());
  for (size_t i = 0; i < a.sections.size(); ++i) {
    EXPECT_EQ(a.sections[i].name, b.sections[i].name);
    EXPECT_EQ(a.sections[i].kind, b.sections[i].kind);
    EXPECT_EQ(a.sections[i].bytes, b.sections[i].bytes);
    EXPECT_EQ(a.sections[i].pointers, b.sections[i].pointers);
  }
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (size_t i = 0; i < a.lines.size(); ++i) {
    EXPECT_EQ(a.lines[i].pc, b.lines[i].pc);
    EXPECT_EQ(a.lines[i].file, b.lines[i].file);
    EXPECT_EQ(a.lines[i].line, b.lines[i].line);
    EXPECT_EQ(a.lines[i].column, b.lines[i].column);
    EXPECT_EQ(a.lines[i].source, b.lines[i].source);
  }
  for (size_t pc = 0; pc < a.size(); ++pc) EXPECT_EQ(a.is_lddw_tail(pc), b.is_lddw_tail(pc)) << pc;
}

}  // namespace sbpf::isa
