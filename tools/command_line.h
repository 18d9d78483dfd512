// A small argument parser shared by the subcommands: options, flags and
// positionals, with one readable UsageError for anything unexpected.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace sbpf::tools {

// Exit codes of every subcommand (ARCHITECTURE.md, "Command line").
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;  // the program was rejected or failed
inline constexpr int kExitUsage = 2;     // bad usage or unreadable input

// Bad usage or unreadable input: printed as `sbpf <cmd>: error: …`, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The program failed verification and its report is printed: exit 1.
class ProgramRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CommandLine {
 public:
  // `options` take a value (`--out FILE` or `--out=FILE`), `flags` do not.
  // Both are spelled with their leading dashes. Throws UsageError.
  CommandLine(const std::vector<std::string>& args, std::set<std::string> options, std::set<std::string> flags);

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // The last value given for `name`.
  std::optional<std::string> get(const std::string& name) const;
  // Every value given for a repeatable option, in order.
  std::vector<std::string> get_all(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  // An unsigned number (decimal or 0x hex); UsageError when malformed.
  std::optional<uint64_t> get_number(const std::string& name) const;
  // A byte count: a number with an optional K, M or G suffix (powers of 1024).
  std::optional<uint64_t> get_byte_size(const std::string& name) const;
  // The value must be one of `choices`.
  std::string get_choice(const std::string& name, const std::vector<std::string>& choices,
                         const std::string& fallback) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // Exactly `n` positionals, named in the error message when missing.
  void expect_positionals(size_t n, const std::string& what) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

// Parses a whole unsigned number, decimal or 0x-hex.
std::optional<uint64_t> parse_number(const std::string& text);
// Parses a decimal byte count with an optional K, M or G suffix.
std::optional<uint64_t> parse_byte_size(const std::string& text);

// Reads a whole file; UsageError naming the path when it cannot.
std::vector<uint8_t> read_file(const std::string& path);
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);

// Bytes written as hex pairs, with any white space between them ("aa bb",
// "aabb", "0xaa 0xbb" are all accepted). UsageError when malformed.
std::vector<uint8_t> parse_hex_bytes(const std::string& text);

}  // namespace sbpf::tools
