#include "frontend/native_twin.h"

#include <dlfcn.h>
#include <elf.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "frontend/elf_loader.h"

namespace sbpf::frontend {

namespace {

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#else
#error "sbpf runs native twins on x86-64 and arm64 hosts"
#endif

std::string machine_name(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86_64";
    case EM_AARCH64: return "aarch64";
    default: return "machine " + std::to_string(machine);
  }
}

// A 64-bit little-endian shared object's header, or nothing.
std::optional<Elf64_Ehdr> shared_object_header(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(Elf64_Ehdr) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) return std::nullopt;
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_type != ET_DYN)
    return std::nullopt;
  return header;
}

struct ProgramFunction {
  std::string section;
  std::string function;
};

// The few parts of a shared object the twin's lookup reads: section headers,
// their names and the dynamic symbols. dlopen does the loading; this only
// names the entry, so it needs no ELF library (the device has none). Every
// offset is checked against the file.
class SharedObjectFile {
 public:
  explicit SharedObjectFile(const std::string& path) : path_(path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw LoadError(path + ": " + std::strerror(errno));
    bytes_.assign(std::istreambuf_iterator<char>(in), {});
    std::optional<Elf64_Ehdr> header = shared_object_header(bytes_);
    if (!header) throw LoadError(path + ": not a 64-bit little-endian ELF shared object");
    if (header->e_shentsize != sizeof(Elf64_Shdr)) corrupt("its section headers have an unexpected size");
    for (uint16_t i = 0; i < header->e_shnum; ++i)
      sections_.push_back(read<Elf64_Shdr>(header->e_shoff + uint64_t{i} * sizeof(Elf64_Shdr), "a section header"));
    if (header->e_shstrndx >= sections_.size()) corrupt("the section names' index is out of range");
    section_names_ = header->e_shstrndx;
  }

  // Functions in executable sections whose names do not start with '.': the
  // compiler and linker name their own sections with a dot (.text, .init,
  // .plt…), program sections never do. .dynsym is enough: the SDK's macros
  // give the entry default visibility.
  std::vector<ProgramFunction> program_functions() const {
    std::vector<ProgramFunction> found;
    for (const Elf64_Shdr& symbols : sections_) {
      if (symbols.sh_type != SHT_DYNSYM) continue;
      if (symbols.sh_entsize != sizeof(Elf64_Sym)) corrupt("its dynamic symbols have an unexpected size");
      for (uint64_t i = 0; i < symbols.sh_size / sizeof(Elf64_Sym); ++i) {
        const auto symbol = read<Elf64_Sym>(symbols.sh_offset + i * sizeof(Elf64_Sym), "a dynamic symbol");
        if (ELF64_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_shndx >= sections_.size()) continue;
        const Elf64_Shdr& code = sections_[symbol.st_shndx];
        std::string section = string_in(section_names_, code.sh_name);
        if (section.empty() || section[0] == '.' || (code.sh_flags & SHF_EXECINSTR) == 0) continue;
        found.push_back({std::move(section), string_in(symbols.sh_link, symbol.st_name)});
      }
    }
    return found;
  }

 private:
  [[noreturn]] void corrupt(const std::string& what) const {
    throw LoadError(path_ + ": corrupt shared object: " + what);
  }

  template <typename T>
  T read(uint64_t offset, const char* what) const {
    if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T))
      corrupt(std::string(what) + " lies past the end of the file");
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof value);
    return value;
  }

  // The NUL-terminated string at `offset` of string table `table`.
  std::string string_in(uint64_t table, uint64_t offset) const {
    if (table >= sections_.size()) corrupt("a string table's index is out of range");
    const Elf64_Shdr& strings = sections_[table];
    if (strings.sh_offset > bytes_.size() || bytes_.size() - strings.sh_offset < strings.sh_size ||
        offset >= strings.sh_size)
      corrupt("a name lies outside its string table");
    const char* begin = reinterpret_cast<const char*>(bytes_.data() + strings.sh_offset);
    const void* end = std::memchr(begin + offset, '\0', strings.sh_size - offset);
    if (end == nullptr) corrupt("a name is not terminated");
    return std::string(begin + offset, static_cast<const char*>(end));
  }

  std::string path_;
  std::vector<uint8_t> bytes_;
  std::vector<Elf64_Shdr> sections_;
  uint64_t section_names_ = 0;
};

std::string list(const std::vector<ProgramFunction>& functions) {
  std::string out;
  for (const auto& f : functions) out += (out.empty() ? "" : ", ") + f.section + " (" + f.function + ")";
  return out.empty() ? "no program sections" : out;
}

}  // namespace

bool looks_like_native_twin(std::span<const uint8_t> bytes) {
  std::optional<Elf64_Ehdr> header = shared_object_header(bytes);
  return header && header->e_machine == kHostMachine;
}

std::optional<std::string> foreign_twin_machine(std::span<const uint8_t> bytes) {
  std::optional<Elf64_Ehdr> header = shared_object_header(bytes);
  if (!header || header->e_machine == kHostMachine) return std::nullopt;
  return machine_name(header->e_machine);
}

std::string host_machine() { return machine_name(kHostMachine); }

NativeTwin::NativeTwin(const std::string& path, const std::string& section) {
  std::vector<ProgramFunction> functions = SharedObjectFile(path).program_functions();
  std::vector<const ProgramFunction*> matches;
  for (const auto& f : functions)
    if (section.empty() || f.section == section || f.function == section) matches.push_back(&f);
  if (matches.size() != 1) {
    if (matches.empty() && !section.empty())
      throw LoadError(path + ": no program in section '" + section + "'; the object has: " + list(functions));
    throw LoadError(path + ": holds " + std::to_string(matches.size()) + " programs; choose one of: " +
                    list(functions));
  }
  section_ = matches.front()->section;
  function_ = matches.front()->function;
  // A path with a slash, so dlopen does not search the library path.
  std::string absolute = std::filesystem::absolute(path).string();
  handle_ = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) throw LoadError(path + ": cannot load the native twin: " + dlerror());
  entry_ = dlsym(handle_, function_.c_str());
  if (entry_ == nullptr) {
    dlclose(handle_);
    throw LoadError(path + ": the native twin does not export '" + function_ + "'");
  }
}

NativeTwin::~NativeTwin() { dlclose(handle_); }

}  // namespace sbpf::frontend
