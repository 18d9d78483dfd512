#include "frontend/btf_ext.h"

#include <bpf/btf.h>

#include <array>
#include <span>

#include "frontend/object_problem.h"

namespace sbpf::frontend::detail {

namespace {

// The raw section, every read bounds-checked. Layout (all little-endian):
//   header: u16 magic 0xeB9F, u8 version 1, u8 flags, u32 hdr_len,
//           u32 func_info_off, u32 func_info_len, u32 line_info_off,
//           u32 line_info_len, [u32 core_relo_off, u32 core_relo_len]
//   each info subsection (offsets from the end of the header):
//           u32 rec_size, then blocks of {u32 sec_name_off, u32 num_info,
//           num_info records of rec_size bytes}
//   line record: u32 insn_off (bytes), u32 file_name_off, u32 line_off,
//                u32 line_col (line << 10 | column)
//   CO-RE record: u32 insn_off (bytes), u32 type_id, u32 access_str_off, u32 kind

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

const char* btf_string(const struct btf* btf, uint32_t offset) {
  const char* s = btf__name_by_offset(btf, offset);
  if (s == nullptr) throw ObjectProblem("corrupt .BTF.ext: string offset " + std::to_string(offset) +
                                        " lies outside the BTF string table");
  return s;
}

const char* core_kind_name(uint32_t kind) {
  static constexpr std::array<const char*, 13> kNames = {
      "field byte offset", "field byte size", "field existence", "field signedness", "bitfield left shift",
      "bitfield right shift", "local type id", "target type id", "type existence", "type size",
      "enum value existence", "enum value", "type match"};
  return kind < kNames.size() ? kNames[kind] : "unknown";
}

}  // namespace

BtfExtInfo read_btf_ext(const ElfObject& elf, const struct btf* btf) {
  const ElfSection* ext = elf.find_section(".BTF.ext");
  if (ext == nullptr) return {};
  if (ext->bytes.empty()) throw ObjectProblem("corrupt .BTF.ext: the section is empty");
  if (btf == nullptr) throw ObjectProblem("the object has .BTF.ext but its .BTF is missing or corrupt");
  return BtfExtReader(ext->bytes, btf).read();
}

isa::LineInfo line_info_at(size_t pc, const LineRecord& r, const struct btf* btf) {
  return {pc, btf_string(btf, r.file_name_off), r.line_col >> 10, r.line_col & 0x3ff, btf_string(btf, r.line_off)};
}

std::string describe_core_relocation(const CoreRecord& r, const struct btf* btf) {
  std::string type;
  if (const btf_type* t = btf__type_by_id(btf, r.type_id); t != nullptr) type = btf_string(btf, t->name_off);
  return std::string("CO-RE relocation (") + core_kind_name(r.kind) + " of " +
         (type.empty() ? "type " + std::to_string(r.type_id) : "'" + type + "'") + ", access " +
         btf_string(btf, r.access_str_off) + ")";
}

}  // namespace sbpf::frontend::detail
