#include "frontend/native_twin.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
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

struct ProgramFunction {
  std::string section;
  std::string function;
};

// Functions in executable sections whose names do not start with '.': the
// compiler and linker name their own sections with a dot (.text, .init,
// .plt…), program sections never do.
std::vector<ProgramFunction> program_functions(const std::string& path) {
  if (elf_version(EV_CURRENT) == EV_NONE) throw LoadError(path + ": libelf is unusable");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw LoadError(path + ": " + std::strerror(errno));
  std::unique_ptr<Elf, int (*)(Elf*)> elf(elf_begin(fd, ELF_C_READ, nullptr), elf_end);
  std::vector<ProgramFunction> found;
  size_t strings = 0;
  if (elf == nullptr || elf_getshdrstrndx(elf.get(), &strings) != 0) {
    close(fd);
    throw LoadError(path + ": corrupt shared object: " + elf_errmsg(-1));
  }
  std::vector<std::string> names;  // by section index; empty unless a program section
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf.get(), scn)) != nullptr;) {
    GElf_Shdr header;
    if (gelf_getshdr(scn, &header) == nullptr) continue;
    size_t index = elf_ndxscn(scn);
    if (names.size() <= index) names.resize(index + 1);
    const char* name = elf_strptr(elf.get(), strings, header.sh_name);
    if (name != nullptr && name[0] != '.' && name[0] != '\0' && (header.sh_flags & SHF_EXECINSTR) != 0)
      names[index] = name;
  }
  // .dynsym is enough: the macros give the entry default visibility.
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf.get(), scn)) != nullptr;) {
    GElf_Shdr header;
    if (gelf_getshdr(scn, &header) == nullptr || header.sh_type != SHT_DYNSYM || header.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) continue;
    for (size_t i = 0; i < header.sh_size / header.sh_entsize; ++i) {
      GElf_Sym symbol;
      if (gelf_getsym(data, static_cast<int>(i), &symbol) == nullptr) continue;
      if (GELF_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_shndx >= names.size()) continue;
      if (names[symbol.st_shndx].empty()) continue;
      const char* name = elf_strptr(elf.get(), header.sh_link, symbol.st_name);
      if (name != nullptr) found.push_back({names[symbol.st_shndx], name});
    }
  }
  close(fd);
  return found;
}

std::string list(const std::vector<ProgramFunction>& functions) {
  std::string out;
  for (const auto& f : functions) out += (out.empty() ? "" : ", ") + f.section + " (" + f.function + ")";
  return out.empty() ? "no program sections" : out;
}

}  // namespace

bool looks_like_native_twin(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(Elf64_Ehdr) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) return false;
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  return header.e_ident[EI_CLASS] == ELFCLASS64 && header.e_type == ET_DYN && header.e_machine == kHostMachine;
}

NativeTwin::NativeTwin(const std::string& path, const std::string& section) {
  std::vector<ProgramFunction> functions = program_functions(path);
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
