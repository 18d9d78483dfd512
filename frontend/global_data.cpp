#include "frontend/global_data.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <map>
#include <utility>

#include "frontend/object_problem.h"

namespace sbpf::frontend::detail {

namespace {

// An 8-byte absolute address in data (LLVM's name; older elf.h lacks it).
constexpr uint32_t kRelocAbs64 = 2;

// Global data larger than this is a corrupt size field, not a program's
// state: the kernel caps a map value at a few MiB.
constexpr uint64_t kMaxGlobalDataBytes = uint64_t{64} << 20;

isa::SectionKind data_kind(const ElfSection& s) {
  if (s.type == SHT_NOBITS || s.name.starts_with(".bss")) return isa::SectionKind::kBss;
  if (s.name.starts_with(".rodata")) return isa::SectionKind::kRodata;
  return isa::SectionKind::kData;
}

// The variable whose bytes hold `at` in section `section`, for messages:
// "variable 'names' (.data+8)", or just ".data+8".
std::string slot_name(const ElfObject& elf, size_t section, uint64_t at) {
  const std::string place = elf.sections[section].name + "+" + std::to_string(at);
  for (const ElfSymbol& sym : elf.symbols)
    if (sym.type == STT_OBJECT && sym.section == section && sym.value <= at && at - sym.value < sym.size)
      return "variable '" + sym.name + "' (" + place + ")";
  return place;
}

// A relocation at byte `at` of global data: the address of another global
// (R_BPF_64_ABS64, its addend in the bytes it patches, as clang writes BPF
// objects with REL sections). What cannot become a DataPointer is a construct
// sbpf does not run, not a corrupt object.
isa::DataPointer data_pointer(const ElfObject& elf, GlobalData& data, size_t section, uint64_t at,
                              const ElfRelocation& reloc) {
  const ElfSymbol& sym = elf.symbols[reloc.symbol];
  const std::string holder = slot_name(elf, section, at);
  std::vector<uint8_t>& bytes = data.sections[data.index_of_elf_section.at(section)].bytes;
  if (bytes.size() < 8 || at > bytes.size() - 8) corrupt("relocation past the end of " + elf.sections[section].name);
  uint64_t addend = 0;
  std::memcpy(&addend, &bytes[at], 8);
  // A section symbol names the function or variable only with its addend.
  std::string target_name = elf.display_name(sym);
  if (sym.type == STT_SECTION)
    for (const ElfSymbol& s : elf.symbols)
      if ((s.type == STT_FUNC || s.type == STT_OBJECT) && s.section == sym.section && s.value == sym.value + addend)
        target_name = s.name;
  auto unsupported = [&](const std::string& why) {
    throw UnsupportedProblem(holder + " holds the address of '" + target_name + "': " + why);
  };
  if (reloc.type != kRelocAbs64)
    unsupported("relocation type " + std::to_string(reloc.type) + " in global data; only 8-byte addresses are supported");
  if (at % 8 != 0) unsupported("the address is not 8-byte aligned (a packed struct?); sbpf needs aligned pointers");
  if (!elf.has_real_section(sym)) unsupported("extern symbols need a kernel or a linker");
  const ElfSection& target = elf.sections[sym.section];
  if (target.is_code()) unsupported("function pointers are not supported");
  auto target_index = data.index_of_elf_section.find(sym.section);
  if (target_index == data.index_of_elf_section.end())
    unsupported("section " + target.name + " is not global data (maps are not supported)");
  std::memset(&bytes[at], 0, 8);  // the engines write the address there
  const uint64_t offset = sym.value + addend;
  if (offset < sym.value || offset > target.size)
    unsupported("offset " + std::to_string(static_cast<int64_t>(offset)) + " is outside " + target.name + " (" +
                std::to_string(target.size) + " bytes)");
  return {at, target_index->second, offset};
}

// At most this many pointer fields from BTF per object: a huge array of
// pointers stays plain data past it (its reads are then numbers).
constexpr size_t kMaxTypedPointers = size_t{1} << 16;

// The byte offsets of the pointer fields of type `type_id` placed at
// `offset`: pointers themselves, struct members (not bit fields), array
// elements. Unions are left alone: their pointers share bytes with numbers.
void pointer_fields(const struct btf* btf, uint32_t type_id, uint64_t offset, std::vector<uint64_t>& out, int depth) {
  if (depth > 32 || out.size() >= kMaxTypedPointers) return;
  const int resolved = btf__resolve_type(btf, type_id);
  if (resolved < 0) return;
  const struct btf_type* t = btf__type_by_id(btf, static_cast<uint32_t>(resolved));
  if (t == nullptr) return;
  if (btf_is_ptr(t)) {
    out.push_back(offset);
  } else if (btf_is_struct(t)) {
    const struct btf_member* m = btf_members(t);
    for (uint32_t i = 0; i < btf_vlen(t); ++i) {
      const uint32_t bits = btf_member_bit_offset(t, i);
      if (btf_member_bitfield_size(t, i) == 0 && bits % 8 == 0) pointer_fields(btf, m[i].type, offset + bits / 8, out, depth + 1);
    }
  } else if (btf_is_array(t)) {
    const struct btf_array* a = btf_array(t);
    const int64_t size = btf__resolve_size(btf, a->type);
    const size_t before = out.size();
    pointer_fields(btf, a->type, offset, out, depth + 1);
    if (out.size() == before || size <= 0) return;  // no pointer in an element: none in the array
    for (uint32_t i = 1; i < a->nelems && out.size() < kMaxTypedPointers; ++i)
      pointer_fields(btf, a->type, offset + i * static_cast<uint64_t>(size), out, depth + 1);
  }
}

}  // namespace

void add_null_pointers(GlobalData& data, const ElfObject& elf, const struct btf* btf) {
  if (btf == nullptr) return;
  // Each global's BTF type, by name, from the DATASEC of its section.
  std::map<std::pair<std::string, std::string>, uint32_t> var_type;  // (section, variable) -> type
  for (uint32_t id = 1; id < btf__type_cnt(btf); ++id) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (t == nullptr || !btf_is_datasec(t)) continue;
    const char* section = btf__name_by_offset(btf, t->name_off);
    const struct btf_var_secinfo* info = btf_var_secinfos(t);
    for (uint32_t i = 0; i < btf_vlen(t); ++i) {
      const struct btf_type* var = btf__type_by_id(btf, info[i].type);
      if (var == nullptr || !btf_is_var(var)) continue;
      const char* name = btf__name_by_offset(btf, var->name_off);
      if (section != nullptr && name != nullptr) var_type[{section, name}] = var->type;
    }
  }
  size_t typed = 0;
  for (const ElfSymbol& sym : elf.symbols) {
    auto index = data.index_of_elf_section.find(sym.section);
    if (sym.type != STT_OBJECT || index == data.index_of_elf_section.end()) continue;
    isa::DataSection& section = data.sections[index->second];
    auto type = var_type.find({section.name, sym.name});
    if (type == var_type.end()) continue;
    std::vector<uint64_t> fields;
    pointer_fields(btf, type->second, sym.value, fields, 0);
    for (uint64_t at : fields) {
      // Aligned, inside, zero, not an address already: a pointer that
      // starts out null. Anything else in a pointer field is a number.
      if (typed >= kMaxTypedPointers || at % 8 != 0 || at > section.bytes.size() || section.bytes.size() - at < 8 ||
          section.pointer_at(at) != nullptr ||
          std::any_of(section.bytes.begin() + static_cast<std::ptrdiff_t>(at),
                      section.bytes.begin() + static_cast<std::ptrdiff_t>(at + 8), [](uint8_t b) { return b != 0; }))
        continue;
      section.pointers.push_back({at, isa::DataPointer::kNull, 0});
      std::sort(section.pointers.begin(), section.pointers.end(),
                [](const isa::DataPointer& a, const isa::DataPointer& b) { return a.at < b.at; });
      ++typed;
    }
  }
}

GlobalData collect_global_data(const ElfObject& elf) {
  GlobalData data;
  for (size_t i = 1; i < elf.sections.size(); ++i) {
    const ElfSection& s = elf.sections[i];
    if (!is_global_data(s)) continue;
    if (s.size > kMaxGlobalDataBytes)
      throw ObjectProblem("section " + s.name + " is " + std::to_string(s.size) + " bytes, more than the " +
                          std::to_string(kMaxGlobalDataBytes >> 20) + " MiB allowed for global data");
    isa::DataSection section;
    section.name = s.name;
    section.kind = data_kind(s);
    section.bytes = s.type == SHT_NOBITS ? std::vector<uint8_t>(s.size, 0) : s.bytes;
    data.index_of_elf_section[i] = static_cast<uint32_t>(data.sections.size());
    data.sections.push_back(std::move(section));
  }
  // Addresses in the data, once every section has its index.
  for (const auto& [elf_index, index] : data.index_of_elf_section) {
    auto relocs = elf.relocations.find(elf_index);
    if (relocs == elf.relocations.end()) continue;
    for (const auto& [at, reloc] : relocs->second)
      data.sections[index].pointers.push_back(data_pointer(elf, data, elf_index, at, reloc));
  }
  return data;
}

}  // namespace sbpf::frontend::detail
