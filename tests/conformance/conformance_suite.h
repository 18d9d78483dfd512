// Reads bpf_conformance `.data` files and classifies what their programs
// need (cpu version, conformance groups) the way the official runner does,
// so a test that needs a group we do not claim is skipped, not failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"

namespace sbpf::conformance {

struct SuiteTest {
  std::string name;                 // file name without directory
  std::string asm_text;             // `-- asm` section, may be empty
  std::vector<uint8_t> raw;         // `-- raw` section as bytes, may be empty
  std::vector<uint8_t> memory;      // `-- mem`
  std::optional<uint64_t> result;   // `-- result`
  std::optional<std::string> error; // `-- error`: the plugin must fail
};

// Throws std::runtime_error naming the file when it cannot be parsed.
SuiteTest read_suite_test(const std::string& path);

// All `*.data` files in `dir`, sorted by name.
std::vector<std::string> list_suite_files(const std::string& dir);

enum Group : uint32_t {
  kBase32 = 0x01,
  kBase64 = 0x02,
  kAtomic32 = 0x04,
  kAtomic64 = 0x08,
  kDivMul32 = 0x10,
  kDivMul64 = 0x20,
  kPacket = 0x40,
  kCallx = 0x80,
  kDefaultGroups = kBase32 | kBase64 | kAtomic32 | kAtomic64 | kDivMul32 | kDivMul64,
};

struct Requirements {
  int cpu_version = 1;   // 1..4
  uint32_t groups = 0;   // union of Group bits
};

// What the instructions of `program` need (RFC 9669 groups, cpu versions).
Requirements requirements_of(const std::vector<isa::Instruction>& slots);

// Parses "base32,atomic64,callx" or "default"; nullopt for an unknown name.
std::optional<uint32_t> parse_groups(const std::string& list);
std::string group_names(uint32_t groups);

}  // namespace sbpf::conformance
