#include "frontend/global_data.h"

#include <string>
#include <utility>

#include "frontend/object_problem.h"

namespace sbpf::frontend::detail {

namespace {

// Global data larger than this is a corrupt size field, not a program's
// state: the kernel caps a map value at a few MiB.
constexpr uint64_t kMaxGlobalDataBytes = uint64_t{64} << 20;

isa::SectionKind data_kind(const ElfSection& s) {
  if (s.type == SHT_NOBITS || s.name.starts_with(".bss")) return isa::SectionKind::kBss;
  if (s.name.starts_with(".rodata")) return isa::SectionKind::kRodata;
  return isa::SectionKind::kData;
}

}  // namespace

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

}  // namespace sbpf::frontend::detail
