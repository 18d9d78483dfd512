// .BTF.ext: the line info and CO-RE relocation records of each code section.
// libbpf 1.1 keeps its parsed form private, so the raw section is read here;
// the strings the records name are looked up in libbpf's BTF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "frontend/elf_object.h"
#include "isa/program.h"

struct btf;

namespace sbpf::frontend::detail {

struct LineRecord {
  uint32_t insn_off = 0;
  uint32_t file_name_off = 0;
  uint32_t line_off = 0;
  uint32_t line_col = 0;
};

struct CoreRecord {
  uint32_t insn_off = 0;
  uint32_t type_id = 0;
  uint32_t access_str_off = 0;
  uint32_t kind = 0;
};

struct BtfExtInfo {
  std::map<std::string, std::vector<LineRecord>> lines;  // by section name
  std::map<std::string, std::vector<CoreRecord>> core;   // by section name
};

// Empty when the object has no .BTF.ext. Throws ObjectProblem when the
// section is corrupt or `btf` is null.
BtfExtInfo read_btf_ext(const ElfObject& elf, const struct btf* btf);

// The line info of `r`, whose instruction sits at `pc` of the linked program.
isa::LineInfo line_info_at(size_t pc, const LineRecord& r, const struct btf* btf);

// What a message should call `r`: its kind, type and access string.
std::string describe_core_relocation(const CoreRecord& r, const struct btf* btf);

}  // namespace sbpf::frontend::detail
