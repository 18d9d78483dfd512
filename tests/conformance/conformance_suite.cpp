#include "conformance_suite.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sbpf::conformance {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<uint8_t> parse_hex_section(const std::string& text, const std::string& path) {
  std::vector<uint8_t> bytes;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    // A 64-bit instruction word per line (`0x5566778800000018`), stored
    // little-endian, or byte pairs (`07 00 01 00`).
    if (line.size() == 18 && line.rfind("0x", 0) == 0) {
      uint64_t word = std::stoull(line, nullptr, 16);
      for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(word >> (8 * i)));
      continue;
    }
    std::istringstream tokens(line);
    std::string token;
    while (tokens >> token) {
      if (token.size() != 2) throw std::runtime_error(path + ": bad hex byte '" + token + "'");
      bytes.push_back(static_cast<uint8_t>(std::stoul(token, nullptr, 16)));
    }
  }
  return bytes;
}

}  // namespace

SuiteTest read_suite_test(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  SuiteTest test;
  test.name = std::filesystem::path(path).filename().string();
  std::string section, line;
  std::string asm_text, raw, mem, result, error;
  bool has_error = false;
  while (std::getline(in, line)) {
    if (line.rfind("-- ", 0) == 0) {
      section = trim(line.substr(3));
      has_error = has_error || section == "error";
      continue;
    }
    if (section == "asm") asm_text += line + "\n";
    else if (section == "raw") raw += line + "\n";
    else if (section == "mem") mem += line + "\n";
    else if (section == "result") result += line + "\n";
    else if (section == "error") error += line;
  }
  test.asm_text = asm_text;
  test.raw = parse_hex_section(raw, path);
  test.memory = parse_hex_section(mem, path);
  if (!trim(result).empty()) test.result = std::stoull(trim(result), nullptr, 16);
  if (has_error) test.error = trim(error);
  return test;
}

std::vector<std::string> list_suite_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".data") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

Requirements requirements_of(const std::vector<isa::Instruction>& slots) {
  Requirements req;
  auto need = [&](int version, uint32_t group) {
    req.cpu_version = std::max(req.cpu_version, version);
    req.groups |= group;
  };
  for (size_t pc = 0; pc < slots.size(); ++pc) {
    const isa::Instruction& i = slots[pc];
    const uint8_t cls = i.cls();
    const bool is64 = cls == isa::kClassAlu64 || cls == isa::kClassJmp;
    if (i.is_lddw()) {
      need(1, kBase64);
      ++pc;  // skip the second slot
      continue;
    }
    switch (cls) {
      case isa::kClassLd:
        need(1, kPacket);
        break;
      case isa::kClassLdx:
      case isa::kClassSt:
      case isa::kClassStx:
        if (i.mode() == isa::kModeAtomic) {
          need(3, i.size() == isa::kSizeDW ? kAtomic64 : kAtomic32);
        } else {
          need(i.mode() == isa::kModeMemSx ? 4 : 1, i.size() == isa::kSizeDW ? kBase64 : kBase32);
        }
        break;
      case isa::kClassAlu:
      case isa::kClassAlu64: {
        const uint8_t op = i.op();
        const bool divmul = op == isa::kAluMul || op == isa::kAluDiv || op == isa::kAluMod;
        int version = 1;
        if ((op == isa::kAluDiv || op == isa::kAluMod) && i.offset == 1) version = 4;  // sdiv, smod
        if (op == isa::kAluMov && i.offset != 0) version = 4;                          // movsx
        if (op == isa::kAluEnd && cls == isa::kClassAlu64) version = 4;                // bswap
        uint32_t group = divmul ? (is64 ? kDivMul64 : kDivMul32) : (is64 ? kBase64 : kBase32);
        if (op == isa::kAluEnd) group = i.imm == 64 ? kBase64 : kBase32;
        need(version, group);
        break;
      }
      case isa::kClassJmp:
        if (i.opcode == isa::kOpCallx) {
          need(1, kCallx);
        } else if (i.opcode == isa::kOpCall) {
          need(i.src == isa::kCallHelper ? 1 : 3, kBase32);
        } else if (i.opcode == isa::kOpExit || i.opcode == isa::kOpJa) {
          need(1, kBase32);
        } else {
          const uint8_t op = i.op();
          const bool v2 = op == isa::kJmpJlt || op == isa::kJmpJle || op == isa::kJmpJslt || op == isa::kJmpJsle;
          need(v2 ? 2 : 1, kBase64);
        }
        break;
      case isa::kClassJmp32:
        need(i.opcode == isa::kOpGotol ? 4 : 3, kBase32);
        break;
    }
  }
  return req;
}

namespace {
const std::pair<const char*, uint32_t> kGroupNames[] = {
    {"base32", kBase32},     {"base64", kBase64},     {"atomic32", kAtomic32}, {"atomic64", kAtomic64},
    {"divmul32", kDivMul32}, {"divmul64", kDivMul64}, {"packet", kPacket},     {"callx", kCallx},
};
}  // namespace

std::optional<uint32_t> parse_groups(const std::string& list) {
  uint32_t groups = 0;
  std::istringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    name = trim(name);
    if (name == "default") {
      groups |= kDefaultGroups;
      continue;
    }
    auto it = std::find_if(std::begin(kGroupNames), std::end(kGroupNames),
                           [&](const auto& g) { return name == g.first; });
    if (it == std::end(kGroupNames)) return std::nullopt;
    groups |= it->second;
  }
  return groups;
}

std::string group_names(uint32_t groups) {
  std::string out;
  for (const auto& [name, bit] : kGroupNames)
    if (groups & bit) out += (out.empty() ? "" : ",") + std::string(name);
  return out;
}

}  // namespace sbpf::conformance
