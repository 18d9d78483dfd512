// The ELF structure of a BPF object, read once with libelf into plain values
// and checked so that every later index and offset is in bounds: libbpf 1.1
// trusts the file, so nothing reaches it unchecked.
#pragma once

#include <elf.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace sbpf::frontend::detail {

struct ElfSection {
  std::string name;
  uint32_t type = SHT_NULL;
  uint64_t flags = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  std::vector<uint8_t> bytes;  // empty for SHT_NOBITS

  bool is_code() const { return type == SHT_PROGBITS && (flags & SHF_EXECINSTR) != 0; }
};

struct ElfSymbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint16_t section = SHN_UNDEF;  // SHN_UNDEF for externs; a real index is < sections.size()
  uint8_t type = STT_NOTYPE;
};

struct ElfRelocation {
  uint32_t type = 0;
  size_t symbol = 0;
};

struct ElfObject {
  std::vector<ElfSection> sections;  // by ELF index; [0] is the null section
  std::vector<ElfSymbol> symbols;    // by symbol index
  // Relocations of code and global data, by target section, then byte offset.
  std::map<size_t, std::map<uint64_t, ElfRelocation>> relocations;

  bool has_real_section(const ElfSymbol& s) const { return s.section != SHN_UNDEF && s.section < sections.size(); }

  // What a message should call a symbol: section symbols have no name of
  // their own.
  std::string display_name(const ElfSymbol& s) const;

  const ElfSection* find_section(const std::string& name) const;
  const ElfRelocation* relocation_at(size_t section, uint64_t offset) const;
};

// Sections that libbpf turns into global-data maps.
bool is_global_data(const ElfSection& s);

bool looks_like_elf_bytes(std::span<const uint8_t> bytes);

// Throws ObjectProblem when `bytes` is not a well-formed relocatable BPF
// object. Non-const because libelf's elf_memory() takes a mutable buffer.
ElfObject read_elf_object(std::vector<uint8_t>& bytes);

}  // namespace sbpf::frontend::detail
