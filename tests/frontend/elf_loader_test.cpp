// Loading well-formed BPF objects: sub-programs, global data, line info,
// choosing among programs.
#include "frontend/elf_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <span>

#include "tests/frontend/test_objects.h"

namespace sbpf::frontend {
namespace {

using test::line_of;
using test::object_path;
using test::read_bytes;
using test::source_path;

const isa::Function* function_named(const isa::Program& p, const std::string& name) {
  auto it = std::find_if(p.functions.begin(), p.functions.end(), [&](const isa::Function& f) { return f.name == name; });
  return it == p.functions.end() ? nullptr : &*it;
}

size_t call_target(const isa::Program& p, size_t pc) { return static_cast<size_t>(static_cast<int64_t>(pc) + 1 + p.insns[pc].imm); }

std::vector<size_t> local_calls(const isa::Program& p) {
  std::vector<size_t> pcs;
  for (size_t pc = 0; pc < p.size(); ++pc)
    if (!p.is_lddw_tail(pc) && p.insns[pc].is_local_call()) pcs.push_back(pc);
  return pcs;
}

// The pcs of `lddw` instructions rewritten to refer to global data.
std::vector<size_t> data_references(const isa::Program& p) {
  std::vector<size_t> pcs;
  for (size_t pc = 0; pc < p.size(); ++pc)
    if (!p.is_lddw_tail(pc) && p.insns[pc].is_lddw() && p.insns[pc].src == isa::kLddwMapValue) pcs.push_back(pc);
  return pcs;
}

const isa::DataSection& referenced_section(const isa::Program& p, size_t pc) {
  return p.sections.at(static_cast<uint32_t>(p.insns[pc].imm));
}

uint32_t referenced_offset(const isa::Program& p, size_t pc) { return static_cast<uint32_t>(p.insns[pc + 1].imm); }

// True when the lddw at `pc` points at `expected` bytes.
bool points_at(const isa::Program& p, size_t pc, std::span<const uint8_t> expected) {
  const isa::DataSection& s = referenced_section(p, pc);
  const uint32_t offset = referenced_offset(p, pc);
  return offset <= s.bytes.size() && s.bytes.size() - offset >= expected.size() &&
         std::equal(expected.begin(), expected.end(), s.bytes.begin() + offset);
}

template <typename T, size_t N>
std::vector<uint8_t> little_endian(const T (&values)[N]) {
  std::vector<uint8_t> bytes;
  for (T v : values)
    for (size_t i = 0; i < sizeof(T); ++i) bytes.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
  return bytes;
}

size_t count_pointing_at(const isa::Program& p, std::span<const uint8_t> expected) {
  auto refs = data_references(p);
  return static_cast<size_t>(std::count_if(refs.begin(), refs.end(), [&](size_t pc) { return points_at(p, pc, expected); }));
}

// --- sub-programs ---------------------------------------------------------

TEST(ElfLoaderSubprograms, AppendsEachCalledFunctionOnceAfterTheCaller) {
  isa::Program p = load_elf_program(object_path("subprog.o"));
  EXPECT_EQ(p.name, "lambda/subprog");
  ASSERT_EQ(p.functions.size(), 3u);
  EXPECT_EQ(p.functions[0].name, "subprog_main");
  EXPECT_EQ(p.functions[0].start, 0u);
  // twice() is called from main and from add_twice but appears once.
  const isa::Function* add_twice = function_named(p, "add_twice");
  const isa::Function* twice = function_named(p, "twice");
  ASSERT_NE(add_twice, nullptr);
  ASSERT_NE(twice, nullptr);
  EXPECT_GT(add_twice->start, p.functions[0].start);
  EXPECT_GT(twice->start, p.functions[0].start);
  // Three small functions: a handful of instructions each.
  EXPECT_GE(p.size(), 9u);
  EXPECT_LE(p.size(), 40u);
  EXPECT_EQ(p.functions.back().end, p.size());
  EXPECT_EQ(function_named(p, "not_called"), nullptr);
}

TEST(ElfLoaderSubprograms, PatchesLocalCallsToTheAppendedFunctions) {
  isa::Program p = load_elf_program(object_path("subprog.o"));
  const isa::Function* add_twice = function_named(p, "add_twice");
  const isa::Function* twice = function_named(p, "twice");
  ASSERT_NE(add_twice, nullptr);
  ASSERT_NE(twice, nullptr);

  std::vector<size_t> calls = local_calls(p);
  ASSERT_EQ(calls.size(), 3u);  // main → add_twice, main → twice, add_twice → twice
  size_t to_add_twice = 0;
  size_t to_twice = 0;
  for (size_t pc : calls) {
    const size_t target = call_target(p, pc);
    if (target == add_twice->start) ++to_add_twice;
    if (target == twice->start) ++to_twice;
  }
  EXPECT_EQ(to_add_twice, 1u);
  EXPECT_EQ(to_twice, 2u);
  // The call inside add_twice itself was resolved by the compiler (no
  // relocation); it must still land on twice after appending.
  EXPECT_EQ(std::count_if(calls.begin(), calls.end(),
                          [&](size_t pc) { return pc >= add_twice->start && pc < add_twice->end; }),
            1);
}

// --- global data ----------------------------------------------------------

TEST(ElfLoaderGlobalData, KeepsSectionsWithTheirBytes) {
  isa::Program p = load_elf_program(object_path("globals.o"));
  auto section = [&](const std::string& name) -> const isa::DataSection* {
    for (const auto& s : p.sections)
      if (s.name == name) return &s;
    return nullptr;
  };
  const isa::DataSection* data = section(".data");
  const isa::DataSection* bss = section(".bss");
  ASSERT_NE(data, nullptr);
  ASSERT_NE(bss, nullptr);
  EXPECT_EQ(data->kind, isa::SectionKind::kData);
  EXPECT_EQ(data->bytes, little_endian({uint64_t{5}}));  // calls = 5
  EXPECT_EQ(bss->kind, isa::SectionKind::kBss);
  EXPECT_EQ(bss->bytes, std::vector<uint8_t>(8, 0));  // last_size
  size_t rodata = 0;
  for (const auto& s : p.sections) {
    if (s.kind != isa::SectionKind::kRodata) continue;
    ++rodata;
    EXPECT_TRUE(s.name.starts_with(".rodata")) << s.name;
  }
  EXPECT_GE(rodata, 1u);
}

TEST(ElfLoaderGlobalData, RewritesLddwToSectionIndexAndOffset) {
  isa::Program p = load_elf_program(object_path("globals.o"));
  std::vector<size_t> refs = data_references(p);
  ASSERT_EQ(refs.size(), 5u);  // calls, last_size, kTable, kSmall, kName
  for (size_t pc : refs) {
    EXPECT_LT(static_cast<uint32_t>(p.insns[pc].imm), p.sections.size()) << "pc " << pc;
    EXPECT_LE(referenced_offset(p, pc), referenced_section(p, pc).bytes.size()) << "pc " << pc;
  }
  // No lddw is left pointing at address 0 of nothing.
  for (size_t pc = 0; pc < p.size(); ++pc) {
    if (!p.is_lddw_tail(pc) && p.insns[pc].is_lddw()) {
      EXPECT_EQ(p.insns[pc].src, isa::kLddwMapValue) << "pc " << pc;
    }
  }

  const unsigned int table[] = {11, 22, 33, 44, 55, 66, 77, 88};
  const unsigned short small[] = {7, 8, 9, 10, 11};
  const char name[] = "globals";
  EXPECT_EQ(count_pointing_at(p, little_endian(table)), 1u);
  EXPECT_EQ(count_pointing_at(p, little_endian(small)), 1u);
  EXPECT_EQ(count_pointing_at(p, std::span(reinterpret_cast<const uint8_t*>(name), sizeof name)), 1u);

  size_t to_data = 0;
  size_t to_bss = 0;
  for (size_t pc : refs) {
    const isa::DataSection& s = referenced_section(p, pc);
    if (s.name != ".data" && s.name != ".bss") continue;
    ++(s.name == ".data" ? to_data : to_bss);
    EXPECT_EQ(referenced_offset(p, pc), 0u) << s.name;  // one variable each
  }
  EXPECT_EQ(to_data, 1u);
  EXPECT_EQ(to_bss, 1u);
}

TEST(ElfLoaderGlobalData, AddsTheSectionSymbolsAddendToTheOffset) {
  // kTable, kSmall and kName share read-only sections; static ones are
  // reached through the section symbol plus an addend in imm, so at least
  // one reference sits past the start of its section.
  isa::Program p = load_elf_program(object_path("globals.o"));
  std::vector<size_t> refs = data_references(p);
  EXPECT_TRUE(std::any_of(refs.begin(), refs.end(), [&](size_t pc) { return referenced_offset(p, pc) != 0; }));
}

// --- line info ------------------------------------------------------------

TEST(ElfLoaderLineInfo, NamesTheFileAndLineOfAStatement) {
  isa::Program p = load_elf_program(object_path("globals.o"));
  ASSERT_FALSE(p.lines.empty());
  EXPECT_TRUE(std::is_sorted(p.lines.begin(), p.lines.end(),
                             [](const isa::LineInfo& a, const isa::LineInfo& b) { return a.pc < b.pc; }));
  for (const isa::LineInfo& l : p.lines) {
    EXPECT_TRUE(l.file.ends_with("globals.c")) << l.file;
    EXPECT_LT(l.pc, p.size());
  }
  // The lddw of last_size (in .bss) belongs to the statement that stores it.
  const uint32_t store_line = line_of(source_path("globals.c"), "LINE_STORE_BSS");
  std::vector<size_t> refs = data_references(p);
  auto bss_ref = std::find_if(refs.begin(), refs.end(), [&](size_t pc) { return referenced_section(p, pc).name == ".bss"; });
  ASSERT_NE(bss_ref, refs.end());
  const isa::LineInfo* info = p.line_for(*bss_ref);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->line, store_line);
  EXPECT_GT(info->column, 0u);
  EXPECT_NE(info->source.find("last_size = ctx->size_i;"), std::string::npos) << info->source;
}

TEST(ElfLoaderLineInfo, FollowsAppendedSubprograms) {
  isa::Program p = load_elf_program(object_path("subprog.o"));
  const isa::Function* add_twice = function_named(p, "add_twice");
  ASSERT_NE(add_twice, nullptr);

  // The call to add_twice in main.
  const uint32_t call_line = line_of(source_path("subprog.c"), "LINE_CALL_ADD_TWICE");
  std::vector<size_t> calls = local_calls(p);
  auto call = std::find_if(calls.begin(), calls.end(), [&](size_t pc) { return call_target(p, pc) == add_twice->start; });
  ASSERT_NE(call, calls.end());
  ASSERT_NE(p.line_for(*call), nullptr);
  EXPECT_EQ(p.line_for(*call)->line, call_line);

  // add_twice's own code, appended after main, keeps its own lines.
  const uint32_t body_line = line_of(source_path("subprog.c"), "LINE_ADD_TWICE_BODY");
  const isa::LineInfo* first = p.line_for(add_twice->start);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->pc, add_twice->start);
  EXPECT_EQ(first->line, body_line);
  EXPECT_TRUE(first->file.ends_with("subprog.c")) << first->file;
}

// --- choosing programs ----------------------------------------------------

TEST(ElfLoaderPrograms, LoadsEveryProgramOfAnObject) {
  std::vector<isa::Program> programs = load_elf(object_path("two_programs.o"));
  ASSERT_EQ(programs.size(), 2u);
  EXPECT_EQ(programs[0].name, "lambda/first");
  EXPECT_EQ(programs[1].name, "lambda_io/second");
  EXPECT_EQ(programs[0].functions.at(0).name, "first");
  EXPECT_EQ(programs[1].functions.at(0).name, "second");
  for (const isa::Program& p : programs) {
    EXPECT_GE(p.size(), 2u);
    EXPECT_TRUE(p.insns[p.size() - 1].is_exit());
  }
}

TEST(ElfLoaderPrograms, PicksOneBySectionOrFunction) {
  EXPECT_EQ(load_elf_program(object_path("two_programs.o"), "lambda_io/second").name, "lambda_io/second");
  EXPECT_EQ(load_elf_program(object_path("two_programs.o"), "first").name, "lambda/first");
}

TEST(ElfLoaderPrograms, LinksOnlyTheChosenProgram) {
  // Its neighbours use maps, CO-RE, externs and function pointers.
  isa::Program p = load_elf_program(object_path("unsupported.o"), "lambda/plain");
  EXPECT_EQ(p.name, "lambda/plain");
  EXPECT_EQ(p.functions.at(0).name, "plain");
}

TEST(ElfLoaderPrograms, RecognisesElfMagic) {
  EXPECT_TRUE(looks_like_elf(read_bytes(object_path("globals.o"))));
  EXPECT_FALSE(looks_like_elf({}));
  EXPECT_FALSE(looks_like_elf({0x7f, 'E', 'L'}));
  EXPECT_FALSE(looks_like_elf({'h', 'e', 'l', 'l', 'o'}));
}

}  // namespace
}  // namespace sbpf::frontend
