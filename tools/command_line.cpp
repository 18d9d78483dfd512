#include "tools/command_line.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

namespace sbpf::tools {

CommandLine::CommandLine(const std::vector<std::string>& args, std::set<std::string> options,
                         std::set<std::string> flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      if (arg == "--") {
        positionals_.insert(positionals_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
        break;
      }
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    if (flags.count(name)) {
      if (inline_value) throw UsageError("option " + name + " takes no value");
      values_[name].push_back("");
    } else if (options.count(name)) {
      if (inline_value) {
        values_[name].push_back(*inline_value);
      } else if (i + 1 < args.size()) {
        values_[name].push_back(args[++i]);
      } else {
        throw UsageError("option " + name + " needs a value");
      }
    } else {
      throw UsageError("unknown option " + name);
    }
  }
}

std::optional<std::string> CommandLine::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> CommandLine::get_all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string CommandLine::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::optional<uint64_t> CommandLine::get_number(const std::string& name) const {
  auto text = get(name);
  if (!text) return std::nullopt;
  auto value = parse_number(*text);
  if (!value) throw UsageError("option " + name + " expects a number, not '" + *text + "'");
  return value;
}

std::optional<uint64_t> CommandLine::get_byte_size(const std::string& name) const {
  auto text = get(name);
  if (!text) return std::nullopt;
  auto value = parse_byte_size(*text);
  if (!value) throw UsageError("option " + name + " expects a byte count (like 4096, 64K or 2M), not '" + *text + "'");
  return value;
}

std::string CommandLine::get_choice(const std::string& name, const std::vector<std::string>& choices,
                                    const std::string& fallback) const {
  std::string value = get_or(name, fallback);
  for (const auto& c : choices)
    if (c == value) return value;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  throw UsageError("option " + name + " must be one of " + list + ", not '" + value + "'");
}

void CommandLine::expect_positionals(size_t n, const std::string& what) const {
  if (positionals_.size() < n) throw UsageError("missing " + what);
  if (positionals_.size() > n) throw UsageError("unexpected argument '" + positionals_[n] + "'");
}

std::optional<uint64_t> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const bool is_hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const int base = is_hex ? 16 : 10;
  const std::string digits = is_hex ? text.substr(2) : text;
  uint64_t value = 0;
  for (char c : digits) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : (base == 16 && std::isxdigit(static_cast<unsigned char>(c))) ? std::tolower(c) - 'a' + 10
                                                                            : -1;
    if (d < 0) return std::nullopt;
    if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return std::nullopt;
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return value;
}

std::optional<uint64_t> parse_byte_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  unsigned shift = 0;
  switch (text.back()) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    default: break;
  }
  std::string digits = shift != 0 ? text.substr(0, text.size() - 1) : text;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  auto value = parse_number(digits);
  if (!value || *value > (UINT64_MAX >> shift)) return std::nullopt;
  return *value << shift;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!in) throw UsageError("cannot open " + path + ": " + std::strerror(errno));
  // In blocks, not a byte at a time: every command reads its program here.
  std::vector<uint8_t> bytes;
  uint8_t block[16384];
  for (size_t n; (n = std::fread(block, 1, sizeof block, in.get())) > 0;) bytes.insert(bytes.end(), block, block + n);
  if (std::ferror(in.get())) throw UsageError("cannot read " + path + ": " + std::strerror(errno));
  return bytes;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw UsageError("cannot write " + path + ": " + std::strerror(errno));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw UsageError("cannot write " + path);
}

std::vector<uint8_t> parse_hex_bytes(const std::string& text) {
  std::vector<uint8_t> bytes;
  size_t i = 0;
  auto digit = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  auto value = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10; };
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    if (text[i] == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) i += 2;
    if (i + 1 >= text.size() || !digit(text[i]) || !digit(text[i + 1]))
      throw UsageError("malformed hex at offset " + std::to_string(i) + ": expected pairs of hex digits");
    bytes.push_back(static_cast<uint8_t>(value(text[i]) * 16 + value(text[i + 1])));
    i += 2;
  }
  return bytes;
}

}  // namespace sbpf::tools
