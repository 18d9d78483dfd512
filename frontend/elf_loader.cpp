// BPF ELF objects → isa::Program, without a kernel.
//
// libbpf opens the object and names its programs, but version 1.1 applies
// relocations only when it loads into a kernel, and it hides sub-programs,
// relocation records and .BTF.ext behind its private API. So the loader reads
// the ELF structure itself with libelf (checking every bound first, because
// libbpf 1.1 trusts the file), links each program the way libbpf's loader
// would — called sub-programs appended after the caller, `lddw` of global
// data rewritten to the kLddwMapValue pseudo form — and parses the line info
// records of .BTF.ext, whose strings it looks up in libbpf's BTF.
#include "frontend/elf_loader.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <tuple>

namespace sbpf::frontend {

namespace {

// A reason the object cannot be loaded. load_elf() prefixes it with the path.
class ObjectProblem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void corrupt(const std::string& what) { throw ObjectProblem("corrupt ELF: " + what); }

// Global data larger than this is a corrupt size field, not a program's
// state: the kernel caps a map value at a few MiB.
constexpr uint64_t kMaxGlobalDataBytes = uint64_t{64} << 20;

// ---------------------------------------------------------------------------
// libbpf's log. It prints to stderr unless told otherwise, and the setting is
// process-wide, so the loader installs one callback, once, that hands each
// warning to whichever load is running on the calling thread.

thread_local std::string* t_libbpf_warning = nullptr;

int keep_first_libbpf_warning(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || t_libbpf_warning == nullptr || !t_libbpf_warning->empty()) return 0;
  std::array<char, 512> text{};
  if (std::vsnprintf(text.data(), text.size(), format, args) < 0) return 0;
  std::string message(text.data());
  if (message.starts_with("libbpf: ")) message.erase(0, 8);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  *t_libbpf_warning = message;
  return 0;
}

// While alive, libbpf's warnings on this thread are kept here instead of
// printed. The first one is kept: libbpf states the cause before the
// consequences.
class LibbpfWarnings {
 public:
  LibbpfWarnings() : previous_(t_libbpf_warning) {
    static std::once_flag installed;
    std::call_once(installed, [] { libbpf_set_print(keep_first_libbpf_warning); });
    t_libbpf_warning = &first_;
  }
  ~LibbpfWarnings() { t_libbpf_warning = previous_; }
  LibbpfWarnings(const LibbpfWarnings&) = delete;
  LibbpfWarnings& operator=(const LibbpfWarnings&) = delete;

  const std::string& first() const { return first_; }

 private:
  std::string first_;
  std::string* previous_;
};

// ---------------------------------------------------------------------------
// Reading the file.

std::vector<uint8_t> read_object_file(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec) throw ObjectProblem("cannot open: " + ec.message());
  if (std::filesystem::is_directory(status)) throw ObjectProblem("cannot read: is a directory");
  if (!std::filesystem::is_regular_file(status)) throw ObjectProblem("cannot read: not a regular file");

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw ObjectProblem("cannot open: " + std::generic_category().message(errno));
  std::vector<uint8_t> bytes;
  std::array<uint8_t, 65536> chunk;
  size_t got = 0;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), file.get())) > 0)
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
  if (std::ferror(file.get())) throw ObjectProblem("cannot read: " + std::generic_category().message(errno));
  if (bytes.empty()) throw ObjectProblem("empty file");
  return bytes;
}

// ---------------------------------------------------------------------------
// The ELF structure, read once with libelf into plain values and checked so
// that every later index and offset is in bounds.

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
  std::string display_name(const ElfSymbol& s) const {
    if (s.type == STT_SECTION && has_real_section(s)) return sections[s.section].name;
    return s.name;
  }

  const ElfSection* find_section(const std::string& name) const {
    auto it = std::find_if(sections.begin(), sections.end(), [&](const ElfSection& s) { return s.name == name; });
    return it == sections.end() ? nullptr : &*it;
  }

  const ElfRelocation* relocation_at(size_t section, uint64_t offset) const {
    auto in_section = relocations.find(section);
    if (in_section == relocations.end()) return nullptr;
    auto it = in_section->second.find(offset);
    return it == in_section->second.end() ? nullptr : &it->second;
  }
};

// Sections that libbpf turns into global-data maps.
bool is_global_data(const ElfSection& s) {
  auto named = [&](const char* base) { return s.name == base || s.name.starts_with(std::string(base) + "."); };
  if (s.type == SHT_NOBITS) return named(".bss");
  return s.type == SHT_PROGBITS && !s.is_code() && (named(".rodata") || named(".data"));
}

bool looks_like_elf_bytes(std::span<const uint8_t> bytes) {
  return bytes.size() >= SELFMAG && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
}

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

// ---------------------------------------------------------------------------
// BTF sanity. libbpf 1.1 follows type ids and name offsets in .BTF without
// checking them (its validation came in 1.2), so a corrupt .BTF would crash
// bpf_object__open. Every reference is checked here first, on libbpf's own
// parse of the section.

class BtfReferenceCheck {
 public:
  explicit BtfReferenceCheck(const struct btf* btf) : btf_(btf), count_(btf__type_cnt(btf)) {}

  void run() const {
    for (uint32_t id = 1; id < count_; ++id) {
      const btf_type* t = btf__type_by_id(btf_, id);
      check_references(id, t);
      check_modifier_chain(id);
    }
  }

 private:
  const struct btf* btf_;
  uint32_t count_;

  [[noreturn]] static void bad(uint32_t id, const std::string& what) {
    throw ObjectProblem("corrupt .BTF: type " + std::to_string(id) + " " + what);
  }
  void type(uint32_t id, uint32_t referenced) const {
    if (referenced >= count_) bad(id, "refers to type " + std::to_string(referenced) + ", which does not exist");
  }
  void name(uint32_t id, uint32_t offset) const {
    if (btf__name_by_offset(btf_, offset) == nullptr) bad(id, "has a name outside the string table");
  }

  void check_references(uint32_t id, const btf_type* t) const {
    name(id, t->name_off);
    const uint16_t n = btf_vlen(t);
    switch (btf_kind(t)) {
      case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_FUNC: case BTF_KIND_VAR:
      case BTF_KIND_DECL_TAG:
        type(id, t->type);
        break;
      case BTF_KIND_ARRAY:
        type(id, btf_array(t)->type);
        type(id, btf_array(t)->index_type);
        break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        for (uint16_t i = 0; i < n; ++i) {
          type(id, btf_members(t)[i].type);
          name(id, btf_members(t)[i].name_off);
        }
        break;
      case BTF_KIND_ENUM:
        for (uint16_t i = 0; i < n; ++i) name(id, btf_enum(t)[i].name_off);
        break;
      case BTF_KIND_ENUM64:
        for (uint16_t i = 0; i < n; ++i) name(id, btf_enum64(t)[i].name_off);
        break;
      case BTF_KIND_FUNC_PROTO:
        type(id, t->type);
        for (uint16_t i = 0; i < n; ++i) {
          type(id, btf_params(t)[i].type);
          name(id, btf_params(t)[i].name_off);
        }
        break;
      case BTF_KIND_DATASEC:
        for (uint16_t i = 0; i < n; ++i) type(id, btf_var_secinfos(t)[i].type);
        break;
      default:
        break;
    }
  }

  // libbpf skips modifiers and typedefs in a loop with no limit: a cycle
  // among them would never end.
  void check_modifier_chain(uint32_t id) const {
    uint32_t at = id;
    for (uint32_t steps = 0; steps < count_; ++steps) {
      const btf_type* t = btf__type_by_id(btf_, at);
      if (!btf_is_mod(t) && !btf_is_typedef(t)) return;
      at = t->type;
    }
    bad(id, "starts a cycle of modifiers and typedefs");
  }
};

void check_btf(const ElfObject& elf, const LibbpfWarnings& warnings) {
  const ElfSection* section = elf.find_section(".BTF");
  if (section == nullptr) return;
  std::unique_ptr<struct btf, void (*)(struct btf*)> btf(
      btf__new(section->bytes.data(), static_cast<uint32_t>(section->bytes.size())), &btf__free);
  if (!btf) throw ObjectProblem("corrupt .BTF: " + (warnings.first().empty() ? "libbpf cannot parse it" : warnings.first()));
  BtfReferenceCheck(btf.get()).run();
}

// The ELF structure, checked enough that libbpf can be given the file.
ElfObject read_checked_object(std::vector<uint8_t>& bytes, const LibbpfWarnings& warnings) {
  ElfObject elf = ElfReader(bytes).read();
  check_btf(elf, warnings);
  return elf;
}

// ---------------------------------------------------------------------------
// Global data: every program of an object sees all of it, in ELF order.

struct GlobalData {
  std::vector<isa::DataSection> sections;
  std::map<size_t, uint32_t> index_of_elf_section;
};

isa::SectionKind data_kind(const ElfSection& s) {
  if (s.type == SHT_NOBITS || s.name.starts_with(".bss")) return isa::SectionKind::kBss;
  if (s.name.starts_with(".rodata")) return isa::SectionKind::kRodata;
  return isa::SectionKind::kData;
}

GlobalData collect_global_data(const ElfObject& elf) {
  GlobalData data;
  for (size_t i = 1; i < elf.sections.size(); ++i) {
    const ElfSection& s = elf.sections[i];
    if (!is_global_data(s)) continue;
    if (s.size > kMaxGlobalDataBytes)
      throw ObjectProblem("section " + s.name + " is " + std::to_string(s.size) + " bytes, more than the " +
                          std::to_string(kMaxGlobalDataBytes >> 20) + " MiB allowed for global data");
    // A relocation inside data means it holds an address (a pointer
    // initializer), which has no meaning once the data is a region.
    if (auto relocs = elf.relocations.find(i); relocs != elf.relocations.end() && !relocs->second.empty()) {
      const ElfSymbol& sym = elf.symbols[relocs->second.begin()->second.symbol];
      throw ObjectProblem("section " + s.name + " holds the address of '" + elf.display_name(sym) +
                          "': pointers in global data are not supported");
    }
    isa::DataSection section;
    section.name = s.name;
    section.kind = data_kind(s);
    section.bytes = s.type == SHT_NOBITS ? std::vector<uint8_t>(s.size, 0) : s.bytes;
    data.index_of_elf_section[i] = static_cast<uint32_t>(data.sections.size());
    data.sections.push_back(std::move(section));
  }
  return data;
}

// ---------------------------------------------------------------------------
// The programs libbpf finds: one per function in an executable section other
// than .text (libbpf 1.1 treats .text functions as sub-programs and does not
// list them).

struct EntryPoint {
  std::string section;
  std::string function;
  std::vector<isa::Instruction> insns;
};

class LibbpfObject {
 public:
  LibbpfObject(std::span<const uint8_t> bytes, const std::string& name, const LibbpfWarnings& warnings) {
    bpf_object_open_opts opts{};
    opts.sz = sizeof opts;
    opts.object_name = name.c_str();
    object_.reset(bpf_object__open_mem(bytes.data(), bytes.size(), &opts));
    if (!object_) {
      std::string why = warnings.first().empty() ? std::generic_category().message(errno) : warnings.first();
      throw ObjectProblem("libbpf cannot open the object: " + why);
    }
  }

  std::vector<EntryPoint> entry_points() const {
    std::vector<EntryPoint> entries;
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, object_.get()) {
      EntryPoint e;
      e.section = bpf_program__section_name(prog);
      e.function = bpf_program__name(prog);
      const bpf_insn* insns = bpf_program__insns(prog);
      for (size_t i = 0; i < bpf_program__insn_cnt(prog); ++i) {
        const bpf_insn& raw = insns[i];
        e.insns.push_back({raw.code, raw.dst_reg, raw.src_reg, raw.off, raw.imm});
      }
      entries.push_back(std::move(e));
    }
    return entries;
  }

  // The object's BTF, or null when it has none or libbpf could not parse it.
  const struct btf* btf() const { return bpf_object__btf(object_.get()); }

 private:
  std::unique_ptr<bpf_object, void (*)(bpf_object*)> object_{nullptr, &bpf_object__close};
};

// ---------------------------------------------------------------------------
// .BTF.ext: line info and CO-RE relocation records, per section. libbpf 1.1
// keeps its parsed form private, so the raw section is read here, every read
// bounds-checked. Layout (all little-endian):
//   header: u16 magic 0xeB9F, u8 version 1, u8 flags, u32 hdr_len,
//           u32 func_info_off, u32 func_info_len, u32 line_info_off,
//           u32 line_info_len, [u32 core_relo_off, u32 core_relo_len]
//   each info subsection (offsets from the end of the header):
//           u32 rec_size, then blocks of {u32 sec_name_off, u32 num_info,
//           num_info records of rec_size bytes}
//   line record: u32 insn_off (bytes), u32 file_name_off, u32 line_off,
//                u32 line_col (line << 10 | column)
//   CO-RE record: u32 insn_off (bytes), u32 type_id, u32 access_str_off, u32 kind

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

class BtfExtReader {
 public:
  BtfExtReader(std::span<const uint8_t> bytes, const struct btf* btf) : bytes_(bytes), btf_(btf) {}

  BtfExtInfo read() {
    if (u16(0) != 0xeB9F) bad("bad magic");
    if (u8(2) != 1) bad("unknown version " + std::to_string(u8(2)));
    const uint32_t header_len = u32(4);
    if (header_len < 24 || header_len > bytes_.size()) bad("bad header length " + std::to_string(header_len));
    BtfExtInfo info;
    for_each_record(header_len, u32(16), u32(20), sizeof(LineRecord), [&](const std::string& section, size_t at) {
      info.lines[section].push_back({u32(at), u32(at + 4), u32(at + 8), u32(at + 12)});
    });
    if (header_len >= 32) {
      for_each_record(header_len, u32(24), u32(28), sizeof(CoreRecord), [&](const std::string& section, size_t at) {
        info.core[section].push_back({u32(at), u32(at + 4), u32(at + 8), u32(at + 12)});
      });
    }
    return info;
  }

 private:
  std::span<const uint8_t> bytes_;
  const struct btf* btf_;

  [[noreturn]] static void bad(const std::string& what) { throw ObjectProblem("corrupt .BTF.ext: " + what); }

  void need(size_t at, size_t n) const {
    if (at > bytes_.size() || bytes_.size() - at < n) bad("a read at offset " + std::to_string(at) + " runs past its end");
  }
  uint8_t u8(size_t at) const {
    need(at, 1);
    return bytes_[at];
  }
  uint16_t u16(size_t at) const {
    need(at, 2);
    return static_cast<uint16_t>(bytes_[at] | bytes_[at + 1] << 8);
  }
  uint32_t u32(size_t at) const {
    need(at, 4);
    return static_cast<uint32_t>(bytes_[at]) | static_cast<uint32_t>(bytes_[at + 1]) << 8 |
           static_cast<uint32_t>(bytes_[at + 2]) << 16 | static_cast<uint32_t>(bytes_[at + 3]) << 24;
  }

  std::string section_name(uint32_t offset) const {
    const char* name = btf__name_by_offset(btf_, offset);
    if (name == nullptr) bad("a section name lies outside the BTF string table");
    return name;
  }

  // Calls visit(section name, offset of the record) for each record of the
  // subsection at [header_len + off, + len).
  template <typename Visit>
  void for_each_record(uint32_t header_len, uint32_t off, uint32_t len, size_t min_record, Visit visit) const {
    if (len == 0) return;
    const uint64_t begin = uint64_t{header_len} + off;
    const uint64_t end = begin + len;
    if (end > bytes_.size()) bad("an info subsection runs past the end of the section");
    const uint32_t record_size = u32(static_cast<size_t>(begin));
    if (record_size < min_record || record_size % 4 != 0) bad("bad record size " + std::to_string(record_size));
    uint64_t at = begin + 4;
    while (at < end) {
      if (end - at < 8) bad("a partial block header");
      const std::string section = section_name(u32(static_cast<size_t>(at)));
      const uint64_t count = u32(static_cast<size_t>(at + 4));
      at += 8;
      if (count * record_size > end - at) bad("a block of " + std::to_string(count) + " records runs past its subsection");
      for (uint64_t i = 0; i < count; ++i, at += record_size) visit(section, static_cast<size_t>(at));
    }
  }
};

BtfExtInfo read_btf_ext(const ElfObject& elf, const struct btf* btf) {
  const ElfSection* ext = elf.find_section(".BTF.ext");
  if (ext == nullptr) return {};
  if (ext->bytes.empty()) throw ObjectProblem("corrupt .BTF.ext: the section is empty");
  if (btf == nullptr) throw ObjectProblem("the object has .BTF.ext but its .BTF is missing or corrupt");
  return BtfExtReader(ext->bytes, btf).read();
}

const char* core_kind_name(uint32_t kind) {
  static constexpr std::array<const char*, 13> kNames = {
      "field byte offset", "field byte size", "field existence", "field signedness", "bitfield left shift",
      "bitfield right shift", "local type id", "target type id", "type existence", "type size",
      "enum value existence", "enum value", "type match"};
  return kind < kNames.size() ? kNames[kind] : "unknown";
}

// ---------------------------------------------------------------------------
// Linking one program: the entry function, then every function it reaches
// by local calls, each appended once; relocations resolved as they are met.

// A function's code in the ELF: `slots` instructions starting at
// instruction index `first_slot` of section `section`.
struct FunctionCode {
  size_t section = 0;
  uint64_t first_slot = 0;
  uint64_t slots = 0;
  std::string name;
};

class ProgramLinker {
 public:
  ProgramLinker(const ElfObject& elf, const GlobalData& data, const BtfExtInfo& ext, const struct btf* btf)
      : elf_(elf), data_(data), ext_(ext), btf_(btf) {}

  isa::Program link(const EntryPoint& entry) {
    program_.name = entry.section;
    program_.sections = data_.sections;
    place(entry_function(entry), entry.insns);
    // place() appends to placed_ while this loop walks it: each reached
    // function is resolved exactly once.
    for (size_t i = 0; i < placed_.size(); ++i) {
      resolve_instructions(i);
      reject_core_relocations(placed_[i]);
      add_line_info(placed_[i]);
    }
    std::sort(program_.lines.begin(), program_.lines.end(), [](const isa::LineInfo& a, const isa::LineInfo& b) {
      return std::tie(a.pc, a.line, a.column) < std::tie(b.pc, b.line, b.column);
    });
    return std::move(program_);
  }

 private:
  struct Placed {
    FunctionCode code;
    size_t start_pc = 0;
  };

  const ElfObject& elf_;
  const GlobalData& data_;
  const BtfExtInfo& ext_;
  const struct btf* btf_;
  isa::Program program_;
  std::vector<Placed> placed_;
  std::map<std::pair<size_t, uint64_t>, size_t> start_pc_of_;  // (section, first slot) → pc

  [[noreturn]] void reject(size_t pc, const std::string& why) const {
    const isa::Function* in = nullptr;
    for (const isa::Function& f : program_.functions)
      if (f.start <= pc) in = &f;
    std::string where = in != nullptr && in->start != 0 ? " (in function " + in->name + ")" : "";
    throw ObjectProblem(program_.name + ": pc " + std::to_string(pc) + where + ": " + why);
  }

  FunctionCode function_code(const ElfSymbol& sym, size_t section) const {
    const ElfSection& s = elf_.sections[section];
    if (sym.value % isa::kSlotBytes != 0 || sym.size % isa::kSlotBytes != 0 || sym.size == 0 ||
        sym.value > s.size || s.size - sym.value < sym.size)
      corrupt("function " + sym.name + " does not cover whole instructions inside section " + s.name);
    return {section, sym.value / isa::kSlotBytes, sym.size / isa::kSlotBytes, sym.name};
  }

  FunctionCode entry_function(const EntryPoint& entry) const {
    for (const ElfSymbol& sym : elf_.symbols) {
      if (sym.type != STT_FUNC || sym.name != entry.function || !elf_.has_real_section(sym)) continue;
      if (elf_.sections[sym.section].name != entry.section) continue;
      FunctionCode code = function_code(sym, sym.section);
      if (code.slots != entry.insns.size())
        corrupt("libbpf sees " + std::to_string(entry.insns.size()) + " instructions in " + entry.function +
                " but its symbol covers " + std::to_string(code.slots));
      return code;
    }
    corrupt("no symbol for program " + entry.function + " in section " + entry.section);
  }

  // The function that starts at `slot` of `section`, as the target of the
  // call at `pc`.
  FunctionCode function_starting_at(size_t section, int64_t slot, size_t pc) const {
    const ElfSection& s = elf_.sections[section];
    if (!s.is_code()) reject(pc, "call into section " + s.name + ", which holds no code");
    for (const ElfSymbol& sym : elf_.symbols) {
      if (sym.type == STT_FUNC && sym.section == section && slot >= 0 &&
          sym.value == static_cast<uint64_t>(slot) * isa::kSlotBytes)
        return function_code(sym, section);
    }
    reject(pc, "call to instruction " + std::to_string(slot) + " of section " + s.name + ", where no function starts");
  }

  // Appends a function's code (once) and returns its first pc.
  size_t place(const FunctionCode& code, const std::vector<isa::Instruction>& insns) {
    auto key = std::make_pair(code.section, code.first_slot);
    if (auto it = start_pc_of_.find(key); it != start_pc_of_.end()) return it->second;
    const size_t start = program_.insns.size();
    program_.insns.insert(program_.insns.end(), insns.begin(), insns.end());
    program_.functions.push_back({code.name, start, 0});
    placed_.push_back({code, start});
    start_pc_of_[key] = start;
    return start;
  }

  size_t place(const FunctionCode& code) {
    const std::vector<uint8_t>& bytes = elf_.sections[code.section].bytes;
    std::vector<isa::Instruction> insns;
    for (uint64_t i = 0; i < code.slots; ++i)
      insns.push_back(isa::decode_slot(&bytes[(code.first_slot + i) * isa::kSlotBytes]));
    return place(code, insns);
  }

  void resolve_instructions(size_t index) {
    // Copied: resolving may append to placed_ and move its elements.
    const Placed function = placed_[index];
    for (uint64_t slot = 0; slot < function.code.slots; ++slot) {
      const size_t pc = function.start_pc + slot;
      const uint64_t offset = (function.code.first_slot + slot) * isa::kSlotBytes;
      const ElfRelocation* reloc = elf_.relocation_at(function.code.section, offset);
      const isa::Instruction insn = program_.insns[pc];
      if (insn.is_lddw()) {
        if (slot + 1 < function.code.slots) {
          if (elf_.relocation_at(function.code.section, offset + isa::kSlotBytes) != nullptr)
            reject(pc + 1, "relocation on the second slot of an lddw");
          resolve_lddw(pc, reloc);
        }
        ++slot;
      } else if (insn.opcode == isa::kOpCall) {
        resolve_call(pc, reloc, function);
      } else if (reloc != nullptr) {
        reject(pc, "unexpected relocation against '" + elf_.display_name(elf_.symbols[reloc->symbol]) +
                       "' on an instruction that is neither lddw nor call");
      }
    }
  }

  void resolve_call(size_t pc, const ElfRelocation* reloc, const Placed& caller) {
    const isa::Instruction insn = program_.insns[pc];
    if (reloc == nullptr) {
      if (insn.src != isa::kCallLocal) return;  // helper by id
      // Resolved by the compiler already: a call within the caller's section.
      const uint64_t caller_slot = caller.code.first_slot + (pc - caller.start_pc);
      const int64_t slot = static_cast<int64_t>(caller_slot) + 1 + insn.imm;
      patch_call(pc, function_starting_at(caller.code.section, slot, pc));
      return;
    }
    const ElfSymbol& sym = elf_.symbols[reloc->symbol];
    if (!elf_.has_real_section(sym))
      reject(pc, "call to extern function '" + sym.name + "' is not supported: kfuncs and other kernel functions "
                 "need a kernel");
    if (reloc->type != R_BPF_64_32) reject(pc, "call with relocation type " + std::to_string(reloc->type));
    if (insn.src != isa::kCallLocal) reject(pc, "relocated call to '" + sym.name + "' is not a local call");
    if (sym.value % isa::kSlotBytes != 0) corrupt("call target " + elf_.display_name(sym) + " is not at an instruction");
    // Like libbpf: the target is the symbol's instruction plus imm + 1
    // (imm is -1 for a function symbol, the offset for a section symbol).
    const int64_t slot = static_cast<int64_t>(sym.value / isa::kSlotBytes) + 1 + insn.imm;
    patch_call(pc, function_starting_at(sym.section, slot, pc));
  }

  void patch_call(size_t pc, const FunctionCode& target) {
    const size_t start = place(target);
    program_.insns[pc].imm = static_cast<int32_t>(static_cast<int64_t>(start) - static_cast<int64_t>(pc) - 1);
  }

  // The function at `addend` bytes past `sym`: a section symbol plus an
  // offset names a static function only through that offset.
  std::string function_name_at(const ElfSymbol& sym, int32_t addend) const {
    const uint64_t offset = sym.value + static_cast<uint32_t>(addend);
    for (const ElfSymbol& f : elf_.symbols)
      if (f.type == STT_FUNC && f.section == sym.section && f.value == offset) return f.name;
    return elf_.display_name(sym) + "+" + std::to_string(offset);
  }

  void resolve_lddw(size_t pc, const ElfRelocation* reloc) {
    isa::Instruction& first = program_.insns[pc];
    isa::Instruction& second = program_.insns[pc + 1];
    if (reloc == nullptr) {
      if (first.src != isa::kLddwImm64)
        reject(pc, "lddw with pseudo source " + std::to_string(first.src) + " has no relocation");
      return;
    }
    const ElfSymbol& sym = elf_.symbols[reloc->symbol];
    const std::string name = elf_.display_name(sym);
    if (!elf_.has_real_section(sym))
      reject(pc, "lddw refers to extern '" + name +
                     "', which is not supported (kconfig and ksym externs need a kernel)");
    if (reloc->type != R_BPF_64_64) reject(pc, "lddw with relocation type " + std::to_string(reloc->type));
    const ElfSection& target = elf_.sections[sym.section];
    if (target.name == ".maps" || target.name == "maps")
      reject(pc, "lddw refers to map '" + name + "': maps are not supported (use global variables instead)");
    if (target.is_code())
      reject(pc, "lddw takes the address of function '" + function_name_at(sym, first.imm) +
                     "': function pointers are not supported");
    auto data = data_.index_of_elf_section.find(sym.section);
    if (data == data_.index_of_elf_section.end())
      reject(pc, "lddw refers to '" + name + "' in section " + target.name + ", which is not global data");
    const uint64_t offset = sym.value + static_cast<uint32_t>(first.imm);
    if (offset > target.size)
      reject(pc, "lddw refers to offset " + std::to_string(offset) + " of section " + target.name + ", which has " +
                     std::to_string(target.size) + " bytes");
    first.src = isa::kLddwMapValue;
    first.imm = static_cast<int32_t>(data->second);
    second.imm = static_cast<int32_t>(static_cast<uint32_t>(offset));
  }

  // The pc of a record at byte offset `insn_off` of the function's section,
  // if it falls inside the function.
  static std::optional<size_t> pc_of(const Placed& f, uint32_t insn_off) {
    const uint64_t slot = insn_off / isa::kSlotBytes;
    if (insn_off % isa::kSlotBytes != 0 || slot < f.code.first_slot || slot - f.code.first_slot >= f.code.slots)
      return std::nullopt;
    return f.start_pc + (slot - f.code.first_slot);
  }

  const char* btf_string(uint32_t offset) const {
    const char* s = btf__name_by_offset(btf_, offset);
    if (s == nullptr) throw ObjectProblem("corrupt .BTF.ext: string offset " + std::to_string(offset) +
                                          " lies outside the BTF string table");
    return s;
  }

  void reject_core_relocations(const Placed& f) {
    auto records = ext_.core.find(elf_.sections[f.code.section].name);
    if (records == ext_.core.end()) return;
    for (const CoreRecord& r : records->second) {
      auto pc = pc_of(f, r.insn_off);
      if (!pc) continue;
      std::string type;
      if (const btf_type* t = btf__type_by_id(btf_, r.type_id); t != nullptr) type = btf_string(t->name_off);
      reject(*pc, std::string("CO-RE relocation (") + core_kind_name(r.kind) + " of " +
                      (type.empty() ? "type " + std::to_string(r.type_id) : "'" + type + "'") + ", access " +
                      btf_string(r.access_str_off) + ") is not supported: there is no kernel BTF to relocate against");
    }
  }

  void add_line_info(const Placed& f) {
    auto records = ext_.lines.find(elf_.sections[f.code.section].name);
    if (records == ext_.lines.end()) return;
    for (const LineRecord& r : records->second) {
      auto pc = pc_of(f, r.insn_off);
      if (!pc) continue;
      program_.lines.push_back({*pc, btf_string(r.file_name_off), r.line_col >> 10, r.line_col & 0x3ff,
                                btf_string(r.line_off)});
    }
  }
};

// ---------------------------------------------------------------------------
// One object, opened: the entry points are known before any is linked, so a
// caller can pick one without paying for (or failing on) the others.

class OpenObject {
 public:
  explicit OpenObject(const std::string& path)
      : bytes_(read_object_file(path)),
        elf_(read_checked_object(bytes_, warnings_)),
        data_(collect_global_data(elf_)),
        libbpf_(bytes_, std::filesystem::path(path).stem().string(), warnings_),
        entries_(libbpf_.entry_points()),
        ext_(read_btf_ext(elf_, libbpf_.btf())) {
    if (entries_.empty())
      throw ObjectProblem("no BPF programs (no function in an executable section other than .text)");
  }

  const std::vector<EntryPoint>& entries() const { return entries_; }

  isa::Program link(const EntryPoint& entry) const {
    isa::Program program = ProgramLinker(elf_, data_, ext_, libbpf_.btf()).link(entry);
    try {
      isa::validate(program);
    } catch (const isa::FormatError& e) {
      throw ObjectProblem(entry.section + ": " + e.what());
    }
    return program;
  }

 private:
  LibbpfWarnings warnings_;
  std::vector<uint8_t> bytes_;
  ElfObject elf_;
  GlobalData data_;
  LibbpfObject libbpf_;
  std::vector<EntryPoint> entries_;
  BtfExtInfo ext_;
};

std::string list_sections(const std::vector<EntryPoint>& entries) {
  std::string list;
  for (const EntryPoint& e : entries) {
    if (!list.empty()) list += ", ";
    list += e.section + " (" + e.function + ")";
  }
  return list;
}

const EntryPoint& choose_entry(const std::vector<EntryPoint>& entries, const std::string& wanted) {
  if (wanted.empty()) {
    if (entries.size() == 1) return entries.front();
    throw ObjectProblem("holds " + std::to_string(entries.size()) + " programs; choose one of: " +
                        list_sections(entries));
  }
  std::vector<const EntryPoint*> matches;
  for (const EntryPoint& e : entries)
    if (e.section == wanted) matches.push_back(&e);
  if (matches.empty()) {
    for (const EntryPoint& e : entries)
      if (e.function == wanted) matches.push_back(&e);
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.empty())
    throw ObjectProblem("no program in section '" + wanted + "'; the object has: " + list_sections(entries));
  throw ObjectProblem("section '" + wanted + "' holds " + std::to_string(matches.size()) +
                      " programs; name one by its function: " + list_sections(entries));
}

}  // namespace

bool looks_like_elf(const std::vector<uint8_t>& bytes) { return looks_like_elf_bytes(bytes); }

std::vector<isa::Program> load_elf(const std::string& path) {
  try {
    OpenObject object(path);
    std::vector<isa::Program> programs;
    for (const EntryPoint& entry : object.entries()) programs.push_back(object.link(entry));
    return programs;
  } catch (const ObjectProblem& problem) {
    throw LoadError(path + ": " + problem.what());
  }
}

isa::Program load_elf_program(const std::string& path, const std::string& section) {
  try {
    OpenObject object(path);
    return object.link(choose_entry(object.entries(), section));
  } catch (const ObjectProblem& problem) {
    throw LoadError(path + ": " + problem.what());
  }
}

}  // namespace sbpf::frontend
