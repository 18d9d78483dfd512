// csmith's programs for the device: the host (csmith_differential
// --emit-corpus DIR) writes, per program its engines agreed on, the program
// image and what its oracle, the paranoid interpreter, gave; the device
// (tests/device/csmith_corpus_check.cpp) verifies each image itself, runs it
// on its own engines, and holds them to that. No ELF, no clang: what crosses
// is what a real device would be given.
//
//   DIR/csmith-SEED.img      the program image (isa/program_image.h)
//   DIR/csmith-SEED.expect   text, one `key value` per line:
//       seed 17
//       profile pointers
//       expect output 2a7c11f0                          the λ output (r0 is its length)
//       expect abort loop_budget 311 MESSAGE            or the abort: kind, pc, message
//
// Everything here builds for the device too: it needs only the standard
// library.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sbpf::csmith {

// The λ output capacity every engine runs the programs with, on the host and
// on the device: room for the program's checksum.
inline constexpr uint64_t kOutputCapacity = 8;

// What one run of a λ function gave: the output it reported, or an abort.
struct Expectation {
  std::optional<std::vector<uint8_t>> output;  // it ended: the bytes it reported
  std::string abort_kind;                      // else: runtime::abort_kind_name
  uint64_t abort_pc = 0;
  std::string abort_message;
};

// Bytes as lower-case hex, two digits each: how outputs appear in reports,
// in the corpus and between the native twin's child process and the harness.
std::string hex(std::span<const uint8_t> bytes);
// The inverse; nullopt for anything else.
std::optional<std::vector<uint8_t>> from_hex(const std::string& text);

// "output HEX" or "abort KIND PC MESSAGE": one line, without its newline.
std::string format_expectation(const Expectation& expectation);
// The inverse; nullopt for a line it does not parse.
std::optional<Expectation> parse_expectation(const std::string& text);

struct CorpusEntry {
  uint64_t seed = 0;
  std::string profile;
  Expectation expected;
  std::string image_path;  // read_corpus: where the image is
};

// Copies `image_file` into `dir` (created if missing) and writes the
// entry's expectation beside it. Throws std::runtime_error when it cannot.
void write_corpus_entry(const std::string& dir, const CorpusEntry& entry, const std::string& image_file);

// Every entry of `dir`, by seed. Throws std::runtime_error for a directory
// it cannot read, an expectation it cannot parse or an image that is missing.
std::vector<CorpusEntry> read_corpus(const std::string& dir);

}  // namespace sbpf::csmith
