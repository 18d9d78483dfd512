#include "frontend/elf_object.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "frontend/object_problem.h"
#include "isa/instruction.h"

namespace sbpf::frontend::detail {

std::string ElfObject::display_name(const ElfSymbol& s) const {
  if (s.type == STT_SECTION && has_real_section(s)) return sections[s.section].name;
  return s.name;
}

const ElfSection* ElfObject::find_section(const std::string& name) const {
  auto it = std::find_if(sections.begin(), sections.end(), [&](const ElfSection& s) { return s.name == name; });
  return it == sections.end() ? nullptr : &*it;
}

const ElfRelocation* ElfObject::relocation_at(size_t section, uint64_t offset) const {
  auto in_section = relocations.find(section);
  if (in_section == relocations.end()) return nullptr;
  auto it = in_section->second.find(offset);
  return it == in_section->second.end() ? nullptr : &it->second;
}

bool is_global_data(const ElfSection& s) {
  auto named = [&](const char* base) { return s.name == base || s.name.starts_with(std::string(base) + "."); };
  if (s.type == SHT_NOBITS) return named(".bss");
  return s.type == SHT_PROGBITS && !s.is_code() && (named(".rodata") || named(".data"));
}

bool looks_like_elf_bytes(std::span<const uint8_t> bytes) {
  return bytes.size() >= SELFMAG && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
}

namespace {

std::string machine_name(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "i386";
    case EM_AARCH64: return "aarch64";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_PPC: return "ppc";
    case EM_S390: return "s390";
    case EM_MIPS: return "mips";
    case EM_NONE: return "none";
    default: return std::to_string(machine);
  }
}

std::string libelf_error() {
  const char* message = elf_errmsg(-1);
  return message != nullptr ? message : "unknown libelf error";
}

class ElfReader {
 public:
  explicit ElfReader(std::vector<uint8_t>& bytes) : bytes_(bytes) {}

  ElfObject read() {
    const Elf64_Ehdr header = check_header();
    open_with_libelf();
    check_section_table(header);
    read_sections();
    check_btf_sections();
    read_symbols();
    read_relocations();
    return std::move(object_);
  }

 private:
  std::vector<uint8_t>& bytes_;
  std::unique_ptr<Elf, int (*)(Elf*)> elf_{nullptr, &elf_end};
  ElfObject object_;
  size_t symtab_index_ = 0;

  // The fixed-size header is read directly: libelf cannot describe a file
  // whose header is cut short, and the machine decides the message.
  Elf64_Ehdr check_header() {
    if (!looks_like_elf_bytes(bytes_)) throw ObjectProblem("not an ELF file");
    if (bytes_.size() < EI_NIDENT) corrupt("truncated ELF header (" + std::to_string(bytes_.size()) + " bytes)");
    if (bytes_[EI_CLASS] == ELFCLASS32) {
      Elf32_Ehdr header32{};
      if (bytes_.size() < sizeof header32) corrupt("truncated ELF header (" + std::to_string(bytes_.size()) + " bytes)");
      std::memcpy(&header32, bytes_.data(), sizeof header32);
      throw ObjectProblem("not a BPF object (32-bit ELF, machine " + machine_name(header32.e_machine) + ")");
    }
    if (bytes_[EI_CLASS] != ELFCLASS64) corrupt("unknown ELF class " + std::to_string(bytes_[EI_CLASS]));
    Elf64_Ehdr header{};
    if (bytes_.size() < sizeof header) corrupt("truncated ELF header (" + std::to_string(bytes_.size()) + " bytes)");
    std::memcpy(&header, bytes_.data(), sizeof header);
    if (bytes_[EI_DATA] != ELFDATA2LSB) {
      if (bytes_[EI_DATA] == ELFDATA2MSB) throw ObjectProblem("big-endian BPF objects are not supported");
      corrupt("unknown byte order " + std::to_string(bytes_[EI_DATA]));
    }
    if (header.e_machine != EM_BPF) throw ObjectProblem("not a BPF object (machine " + machine_name(header.e_machine) + ")");
    if (header.e_type != ET_REL)
      throw ObjectProblem("not a relocatable BPF object (ELF type " + std::to_string(header.e_type) +
                          "); compile with clang -c");
    return header;
  }

  void open_with_libelf() {
    static std::once_flag initialized;
    std::call_once(initialized, [] { elf_version(EV_CURRENT); });
    elf_.reset(elf_memory(reinterpret_cast<char*>(bytes_.data()), bytes_.size()));
    if (!elf_ || elf_kind(elf_.get()) != ELF_K_ELF) corrupt(libelf_error());
  }

  // libelf quietly reports zero sections when the table lies past the end
  // of the file, so the table's extent is checked by hand.
  void check_section_table(const Elf64_Ehdr& header) {
    if (header.e_shoff == 0) corrupt("no section header table");
    if (header.e_shentsize != sizeof(Elf64_Shdr))
      corrupt("section header size is " + std::to_string(header.e_shentsize) + ", not " +
              std::to_string(sizeof(Elf64_Shdr)));
    size_t count = 0;
    if (elf_getshdrnum(elf_.get(), &count) != 0) corrupt("cannot read the section header table: " + libelf_error());
    const uint64_t table_bytes = uint64_t{count} * sizeof(Elf64_Shdr);
    if (count == 0 || header.e_shoff > bytes_.size() || bytes_.size() - header.e_shoff < table_bytes)
      corrupt("the section header table lies past the end of the file (truncated?)");
  }

  void read_sections() {
    size_t count = 0;
    size_t names_index = 0;
    elf_getshdrnum(elf_.get(), &count);
    if (elf_getshdrstrndx(elf_.get(), &names_index) != 0 || names_index == 0 || names_index >= count)
      corrupt("no valid section name table");
    object_.sections.resize(count);
    for (size_t i = 1; i < count; ++i) object_.sections[i] = read_section(i, names_index);
  }

  ElfSection read_section(size_t index, size_t names_index) {
    Elf_Scn* scn = elf_getscn(elf_.get(), index);
    GElf_Shdr header;
    if (scn == nullptr || gelf_getshdr(scn, &header) == nullptr)
      corrupt("cannot read section header " + std::to_string(index) + ": " + libelf_error());
    ElfSection s;
    const char* name = elf_strptr(elf_.get(), names_index, header.sh_name);
    if (name == nullptr) corrupt("section " + std::to_string(index) + " has no valid name");
    s.name = name;
    s.type = header.sh_type;
    s.flags = header.sh_flags;
    s.size = header.sh_size;
    s.link = header.sh_link;
    s.info = header.sh_info;
    if (s.type != SHT_NOBITS && s.size > 0) {
      if (header.sh_offset > bytes_.size() || bytes_.size() - header.sh_offset < s.size)
        corrupt("section " + s.name + " lies past the end of the file (truncated?)");
      auto begin = bytes_.begin() + static_cast<std::ptrdiff_t>(header.sh_offset);
      s.bytes.assign(begin, begin + static_cast<std::ptrdiff_t>(s.size));
    }
    if (s.is_code() && s.size % isa::kSlotBytes != 0)
      corrupt("code section " + s.name + " is " + std::to_string(s.size) + " bytes, not a whole number of instructions");
    return s;
  }

  // libbpf 1.1 dereferences the data of .BTF and .BTF.ext without asking
  // whether there is any.
  void check_btf_sections() const {
    for (const ElfSection& s : object_.sections) {
      if ((s.name == ".BTF" || s.name == ".BTF.ext") && (s.type != SHT_PROGBITS || s.bytes.empty()))
        corrupt("section " + s.name + " holds no data");
    }
  }

  Elf_Data* section_data(size_t index) {
    Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), index), nullptr);
    if (data == nullptr) corrupt("cannot read section " + object_.sections[index].name + ": " + libelf_error());
    return data;
  }

  void read_symbols() {
    for (size_t i = 1; i < object_.sections.size(); ++i) {
      if (object_.sections[i].type != SHT_SYMTAB) continue;
      if (symtab_index_ != 0) corrupt("more than one symbol table");
      symtab_index_ = i;
    }
    if (symtab_index_ == 0) corrupt("no symbol table");
    const ElfSection& symtab = object_.sections[symtab_index_];
    if (symtab.link == 0 || symtab.link >= object_.sections.size() || object_.sections[symtab.link].type != SHT_STRTAB)
      corrupt("the symbol table has no valid string table");
    if (symtab.size % sizeof(Elf64_Sym) != 0) corrupt("the symbol table's size is not a whole number of symbols");

    Elf_Data* data = section_data(symtab_index_);
    const size_t count = symtab.size / sizeof(Elf64_Sym);
    object_.symbols.resize(count);
    for (size_t i = 0; i < count; ++i) object_.symbols[i] = read_symbol(data, i, symtab.link);
  }

  ElfSymbol read_symbol(Elf_Data* data, size_t index, size_t names_index) {
    GElf_Sym raw;
    if (gelf_getsym(data, static_cast<int>(index), &raw) == nullptr)
      corrupt("cannot read symbol " + std::to_string(index) + ": " + libelf_error());
    ElfSymbol s;
    const char* name = elf_strptr(elf_.get(), names_index, raw.st_name);
    if (name == nullptr) corrupt("symbol " + std::to_string(index) + " has no valid name");
    s.name = name;
    s.value = raw.st_value;
    s.size = raw.st_size;
    s.section = raw.st_shndx;
    s.type = static_cast<uint8_t>(GELF_ST_TYPE(raw.st_info));
    if (s.section != SHN_UNDEF && s.section < SHN_LORESERVE && s.section >= object_.sections.size())
      corrupt("symbol " + s.name + " is in section " + std::to_string(s.section) + ", which does not exist");
    return s;
  }

  void read_relocations() {
    for (size_t i = 1; i < object_.sections.size(); ++i) {
      const ElfSection& rel = object_.sections[i];
      if (rel.type != SHT_REL && rel.type != SHT_RELA) continue;
      if (rel.info == 0 || rel.info >= object_.sections.size())
        corrupt("relocation section " + rel.name + " applies to section " + std::to_string(rel.info) +
                ", which does not exist");
      const ElfSection& target = object_.sections[rel.info];
      if (!target.is_code() && !is_global_data(target)) continue;  // debug info, BTF, maps
      if (rel.type == SHT_RELA) corrupt("relocations with addends (" + rel.name + ") are not used by BPF");
      if (rel.link != symtab_index_) corrupt("relocation section " + rel.name + " does not use the symbol table");
      if (rel.size % sizeof(Elf64_Rel) != 0) corrupt("relocation section " + rel.name + " has a partial entry");
      read_relocation_section(i, rel.info);
    }
  }

  void read_relocation_section(size_t index, size_t target_index) {
    const ElfSection& target = object_.sections[target_index];
    Elf_Data* data = section_data(index);
    const size_t count = object_.sections[index].size / sizeof(Elf64_Rel);
    auto& in_target = object_.relocations[target_index];
    for (size_t i = 0; i < count; ++i) {
      GElf_Rel raw;
      if (gelf_getrel(data, static_cast<int>(i), &raw) == nullptr)
        corrupt("cannot read relocation " + std::to_string(i) + " of " + target.name + ": " + libelf_error());
      ElfRelocation r;
      r.type = static_cast<uint32_t>(GELF_R_TYPE(raw.r_info));
      r.symbol = GELF_R_SYM(raw.r_info);
      if (r.symbol == 0 || r.symbol >= object_.symbols.size())
        corrupt("relocation at offset " + std::to_string(raw.r_offset) + " of " + target.name +
                " names symbol " + std::to_string(r.symbol) + ", which does not exist");
      if (target.is_code() &&
          (raw.r_offset % isa::kSlotBytes != 0 || raw.r_offset >= target.size))
        corrupt("relocation at offset " + std::to_string(raw.r_offset) + " of " + target.name +
                " is not at an instruction");
      if (!in_target.emplace(raw.r_offset, r).second)
        corrupt("two relocations at offset " + std::to_string(raw.r_offset) + " of " + target.name);
    }
  }
};

}  // namespace

ElfObject read_elf_object(std::vector<uint8_t>& bytes) { return ElfReader(bytes).read(); }

}  // namespace sbpf::frontend::detail
