#include "tests/csmith/csmith_corpus.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sbpf::csmith {

std::string hex(std::span<const uint8_t> bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t b : bytes) {
    text += kDigits[b >> 4];
    text += kDigits[b & 15];
  }
  return text;
}

std::optional<std::vector<uint8_t>> from_hex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < text.size(); i += 2) {
    const int high = digit(text[i]), low = digit(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<uint8_t>(high * 16 + low));
  }
  return bytes;
}

namespace {

std::string stem(const std::string& dir, uint64_t seed) { return dir + "/csmith-" + std::to_string(seed); }

}  // namespace

std::string format_expectation(const Expectation& expectation) {
  if (expectation.output) return "output " + hex(*expectation.output);
  std::string message = expectation.abort_message;
  std::replace(message.begin(), message.end(), '\n', ' ');
  return "abort " + expectation.abort_kind + " " + std::to_string(expectation.abort_pc) + " " + message;
}

std::optional<Expectation> parse_expectation(const std::string& text) {
  std::istringstream in(text);
  std::string what;
  in >> what;
  Expectation expectation;
  if (what == "output") {
    std::string bytes;
    in >> bytes;  // an empty output leaves it empty
    expectation.output = from_hex(bytes);
    if (!expectation.output) return std::nullopt;
    return expectation;
  }
  if (what != "abort" || !(in >> expectation.abort_kind >> expectation.abort_pc)) return std::nullopt;
  std::getline(in >> std::ws, expectation.abort_message);
  return expectation;
}

void write_corpus_entry(const std::string& dir, const CorpusEntry& entry, const std::string& image_file) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const std::string to = stem(dir, entry.seed);
  std::filesystem::copy_file(image_file, to + ".img", std::filesystem::copy_options::overwrite_existing, error);
  if (error) throw std::runtime_error("cannot copy " + image_file + " to " + to + ".img: " + error.message());
  std::ofstream text(to + ".expect");
  text << "seed " << entry.seed << "\nprofile " << entry.profile << "\nexpect " << format_expectation(entry.expected)
       << "\n";
  if (!text.flush()) throw std::runtime_error("cannot write " + to + ".expect");
}

std::vector<CorpusEntry> read_corpus(const std::string& dir) {
  std::vector<CorpusEntry> entries;
  std::error_code error;
  for (const auto& file : std::filesystem::directory_iterator(dir, error)) {
    if (file.path().extension() != ".expect") continue;
    const std::string path = file.path().string();
    std::ifstream in(path);
    CorpusEntry entry;
    bool has_seed = false, has_expectation = false;
    std::string line;
    while (std::getline(in, line)) {
      const size_t space = line.find(' ');
      const std::string key = line.substr(0, space);
      const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
      if (key == "seed") {
        char* end = nullptr;
        entry.seed = std::strtoull(value.c_str(), &end, 10);
        has_seed = !value.empty() && *end == '\0';
      } else if (key == "profile") {
        entry.profile = value;
      } else if (key == "expect") {
        const std::optional<Expectation> expected = parse_expectation(value);
        if (!expected) throw std::runtime_error(path + ": cannot read the expectation '" + value + "'");
        entry.expected = *expected;
        has_expectation = true;
      }
    }
    if (!has_seed || !has_expectation) throw std::runtime_error(path + ": no seed or no expectation");
    entry.image_path = stem(dir, entry.seed) + ".img";
    if (!std::filesystem::exists(entry.image_path)) throw std::runtime_error(entry.image_path + " is missing");
    entries.push_back(std::move(entry));
  }
  if (error) throw std::runtime_error("cannot read the corpus " + dir + ": " + error.message());
  std::sort(entries.begin(), entries.end(), [](const CorpusEntry& a, const CorpusEntry& b) { return a.seed < b.seed; });
  return entries;
}

}  // namespace sbpf::csmith
