#include "isa/program_image.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

namespace sbpf::isa {

namespace {

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string megabytes(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// An image as it is written: little-endian integers, strings by index.
class PayloadWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { little_endian(v, 4); }
  void u64(uint64_t v) { little_endian(v, 8); }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  // A count or index that must fit the format's 32 bits.
  void count(size_t n, const char* what) {
    if (n > std::numeric_limits<uint32_t>::max())
      throw ImageError(std::string("too many ") + what + " for an image (" + std::to_string(n) + ")");
    u32(static_cast<uint32_t>(n));
  }
  std::vector<uint8_t>& data() { return out_; }

 private:
  void little_endian(uint64_t v, size_t n) {
    uint8_t b[8];
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    bytes({b, n});
  }

  std::vector<uint8_t> out_;
};

// Every string of the program, each once, in order of first use.
class StringTable {
 public:
  uint32_t intern(const std::string& s) {
    auto [it, added] = index_.try_emplace(s, static_cast<uint32_t>(strings_.size()));
    if (added) strings_.push_back(&it->first);
    return it->second;
  }
  void write(PayloadWriter& w) const {
    w.count(strings_.size(), "strings");
    for (const std::string* s : strings_) {
      w.count(s->size(), "bytes in a string");
      w.bytes({reinterpret_cast<const uint8_t*>(s->data()), s->size()});
    }
  }

 private:
  std::map<std::string, uint32_t> index_;
  std::vector<const std::string*> strings_;
};

// Reads the payload, every read checked against what is left: a count is
// believed only as far as the bytes it announces are there.
class PayloadReader {
 public:
  explicit PayloadReader(std::span<const uint8_t> payload) : in_(payload) {}

  uint8_t u8(const char* what) { return take(1, what)[0]; }
  uint32_t u32(const char* what) {
    const uint8_t* p = take(4, what);
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
  uint64_t u64(const char* what) {
    const uint8_t* p = take(8, what);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
  std::span<const uint8_t> bytes(uint64_t n, const char* what) {
    return {take(n, what), static_cast<size_t>(n)};
  }
  // A count of elements that take at least `element_bytes` each.
  uint32_t count(size_t element_bytes, const char* what) {
    const uint32_t n = u32(what);
    if (static_cast<uint64_t>(n) * element_bytes > left())
      fail(std::string(what) + ": " + std::to_string(n) + " announced, more than the payload's remaining " +
           std::to_string(left()) + " bytes can hold");
    return n;
  }
  void read_strings() {
    const uint32_t n = count(4, "string table");
    strings_.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t length = u32("string length");
      std::span<const uint8_t> b = bytes(length, "string");
      strings_.emplace_back(b.begin(), b.end());
    }
  }
  const std::string& string(const char* what) {
    const uint32_t index = u32(what);
    if (index >= strings_.size())
      fail(std::string(what) + ": string " + std::to_string(index) + " of a table of " +
           std::to_string(strings_.size()));
    return strings_[index];
  }
  size_t left() const { return in_.size() - at_; }

  [[noreturn]] void fail(const std::string& message) const {
    throw ImageError("corrupt image payload at byte " + std::to_string(at_) + ": " + message);
  }

 private:
  const uint8_t* take(uint64_t n, const char* what) {
    if (n > left())
      fail(std::string("truncated while reading ") + what + " (" + std::to_string(n) + " bytes wanted, " +
           std::to_string(left()) + " left)");
    const uint8_t* p = in_.data() + at_;
    at_ += static_cast<size_t>(n);
    return p;
  }

  std::span<const uint8_t> in_;
  size_t at_ = 0;
  std::vector<std::string> strings_;
};

uint32_t read_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

std::string describe_functions(const std::vector<Function>& functions) {
  std::string out;
  for (const Function& f : functions) {
    if (!out.empty()) out += ", ";
    out += f.name + " [" + std::to_string(f.start) + ", " + std::to_string(f.end) + ")";
  }
  return out;
}

Program read_program(PayloadReader& r, std::string& program_type, uint64_t& loop_budget) {
  Program p;
  r.read_strings();
  p.name = r.string("program name");
  program_type = r.string("program type");
  p.context_type = r.string("context type");
  loop_budget = r.u64("loop budget");

  const uint32_t slots = r.count(kSlotBytes, "instructions");
  p.insns.reserve(slots);
  for (uint32_t i = 0; i < slots; ++i) p.insns.push_back(decode_slot(r.bytes(kSlotBytes, "instruction").data()));

  const uint32_t functions = r.count(12, "functions");
  std::vector<Function> recorded;
  for (uint32_t i = 0; i < functions; ++i) {
    Function f;
    f.name = r.string("function name");
    f.start = r.u32("function start");
    f.end = r.u32("function end");
    recorded.push_back(std::move(f));
  }

  // The sections' bytes, .bss included, fit the image's limit: a reader
  // never allocates more than an image may hold.
  uint64_t data_bytes = 0;
  const uint32_t sections = r.count(17, "sections");
  for (uint32_t i = 0; i < sections; ++i) {
    DataSection s;
    s.name = r.string("section name");
    const uint8_t kind = r.u8("section kind");
    if (kind > static_cast<uint8_t>(SectionKind::kBss))
      r.fail("section " + s.name + " has unknown kind " + std::to_string(kind));
    s.kind = static_cast<SectionKind>(kind);
    const uint64_t size = r.u64("section size");
    if (size > kMaxImageBytes - data_bytes)
      r.fail("section " + s.name + " of " + std::to_string(size) + " bytes takes the program's data past " +
             megabytes(kMaxImageBytes));
    data_bytes += size;
    if (s.kind == SectionKind::kBss) {
      s.bytes.assign(static_cast<size_t>(size), 0);
    } else {
      std::span<const uint8_t> b = r.bytes(size, "section bytes");
      s.bytes.assign(b.begin(), b.end());
    }
    const uint32_t pointers = r.count(20, "section pointers");
    for (uint32_t j = 0; j < pointers; ++j) {
      DataPointer ptr;
      ptr.at = r.u64("pointer slot");
      ptr.target = r.u32("pointer target");
      ptr.offset = r.u64("pointer offset");
      s.pointers.push_back(ptr);
    }
    p.sections.push_back(std::move(s));
  }

  const uint32_t lines = r.count(20, "line info");
  for (uint32_t i = 0; i < lines; ++i) {
    LineInfo line;
    line.pc = r.u32("line pc");
    line.file = r.string("line file");
    line.line = r.u32("line number");
    line.column = r.u32("line column");
    line.source = r.string("line source");
    if (line.pc >= p.insns.size())
      r.fail("line info for pc " + std::to_string(line.pc) + " past the program's " + std::to_string(p.insns.size()) +
             " slots");
    if (!p.lines.empty() && line.pc < p.lines.back().pc) r.fail("line info is not sorted by pc");
    p.lines.push_back(std::move(line));
  }
  if (r.left() != 0) r.fail(std::to_string(r.left()) + " bytes after the last field");

  p.functions = recorded;
  try {
    validate(p);
  } catch (const FormatError& e) {
    throw ImageError(std::string("the image's bytecode is malformed: ") + e.what());
  }
  const auto same = [](const Function& a, const Function& b) {
    return a.name == b.name && a.start == b.start && a.end == b.end;
  };
  if (!std::equal(p.functions.begin(), p.functions.end(), recorded.begin(), recorded.end(), same))
    throw ImageError("the image's functions (" + describe_functions(recorded) + ") are not the ones its calls make (" +
                     describe_functions(p.functions) + ")");
  return p;
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t b : bytes) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

bool looks_like_image(std::span<const uint8_t> bytes) {
  return bytes.size() >= kImageMagic.size() && std::equal(kImageMagic.begin(), kImageMagic.end(), bytes.begin());
}

std::vector<uint8_t> write_image(const ProgramImage& image) {
  const Program& p = image.program;
  StringTable strings;
  PayloadWriter body;  // everything after the string table
  body.count(strings.intern(p.name), "strings");
  body.count(strings.intern(image.program_type), "strings");
  body.count(strings.intern(p.context_type), "strings");
  body.u64(image.loop_budget);

  body.count(p.insns.size(), "instructions");
  for (const Instruction& insn : p.insns) {
    uint8_t slot[kSlotBytes];
    encode(insn, slot);
    body.bytes(slot);
  }
  body.count(p.functions.size(), "functions");
  for (const Function& f : p.functions) {
    body.count(strings.intern(f.name), "strings");
    body.count(f.start, "instructions");
    body.count(f.end, "instructions");
  }
  body.count(p.sections.size(), "sections");
  for (const DataSection& s : p.sections) {
    body.count(strings.intern(s.name), "strings");
    body.u8(static_cast<uint8_t>(s.kind));
    body.u64(s.bytes.size());
    if (s.kind != SectionKind::kBss) body.bytes(s.bytes);
    body.count(s.pointers.size(), "pointers");
    for (const DataPointer& ptr : s.pointers) {
      body.u64(ptr.at);
      body.u32(ptr.target);
      body.u64(ptr.offset);
    }
  }
  body.count(p.lines.size(), "line info entries");
  for (const LineInfo& line : p.lines) {
    body.count(line.pc, "instructions");
    body.count(strings.intern(line.file), "strings");
    body.u32(line.line);
    body.u32(line.column);
    body.count(strings.intern(line.source), "strings");
  }

  PayloadWriter payload;
  strings.write(payload);
  payload.bytes(body.data());
  const std::vector<uint8_t>& bytes = payload.data();
  if (bytes.size() > kMaxImageBytes - kImageHeaderBytes)
    throw ImageError("the program's image would be " + std::to_string(bytes.size() + kImageHeaderBytes) +
                     " bytes, more than the " + megabytes(kMaxImageBytes) + " an image may hold");

  PayloadWriter out;
  out.data().reserve(kImageHeaderBytes + bytes.size());
  out.bytes(kImageMagic);
  out.u32(kImageVersion);
  out.u32(static_cast<uint32_t>(bytes.size()));
  out.u32(crc32(bytes));
  out.u32(0);
  out.bytes(bytes);
  return std::move(out.data());
}

ProgramImage read_image(std::span<const uint8_t> bytes) {
  if (!looks_like_image(bytes)) throw ImageError("not a program image (its first bytes are not the image magic)");
  if (bytes.size() < kImageHeaderBytes)
    throw ImageError("truncated image: " + std::to_string(bytes.size()) + " bytes, shorter than its " +
                     std::to_string(kImageHeaderBytes) + "-byte header");
  if (bytes.size() > kMaxImageBytes)
    throw ImageError("image of " + std::to_string(bytes.size()) + " bytes is larger than the " +
                     megabytes(kMaxImageBytes) + " an image may hold");
  const uint32_t version = read_le32(&bytes[8]);
  if (version != kImageVersion)
    throw ImageError("image version " + std::to_string(version) + " is not supported (this sbpf reads version " +
                     std::to_string(kImageVersion) + ")");
  const uint32_t length = read_le32(&bytes[12]);
  const uint32_t recorded_crc = read_le32(&bytes[16]);
  if (read_le32(&bytes[20]) != 0) throw ImageError("corrupt image: the header's reserved field is not zero");
  const size_t present = bytes.size() - kImageHeaderBytes;
  if (length > present)
    throw ImageError("truncated image: the header announces " + std::to_string(length) + " payload bytes, " +
                     std::to_string(present) + " follow it");
  if (length < present)
    throw ImageError("corrupt image: " + std::to_string(present - length) + " bytes after the " +
                     std::to_string(length) + "-byte payload the header announces");
  const std::span<const uint8_t> payload = bytes.subspan(kImageHeaderBytes);
  const uint32_t actual_crc = crc32(payload);
  if (actual_crc != recorded_crc)
    throw ImageError("corrupt image: the payload's CRC-32 is " + hex32(actual_crc) + ", the header says " +
                     hex32(recorded_crc));

  ProgramImage image;
  PayloadReader reader(payload);
  image.program = read_program(reader, image.program_type, image.loop_budget);
  return image;
}

}  // namespace sbpf::isa
