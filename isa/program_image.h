// A program image: what crosses from the host to the device. The host
// verifies a program and writes its image (`sbpf verify --emit-image`); the
// device reads it back and verifies it again before running it.
//
// Layout, every integer little-endian:
//
//   header (24 bytes)
//     magic      8 bytes  00 'S' 'B' 'P' 'F' 'I' 'M' 'G'
//     version    u32      kImageVersion
//     length     u32      payload bytes that follow the header
//     crc32      u32      CRC-32 (IEEE 802.3, as zlib's) of the payload
//     reserved   u32      0
//   payload
//     strings    u32 count, then per string: u32 length, bytes
//                (every string below is an index into this table, so a
//                file name shared by many lines is stored once)
//     name, program type ("lambda", "xrp", ...), context type: 3 × u32
//     loop budget                                             u64
//     instructions  u32 count, 8-byte slots as the wire format has them
//                   (an lddw is its two slots)
//     functions     u32 count, per function: u32 name, u32 start, u32 end
//     sections      u32 count, per section: u32 name, u8 kind, u64 size,
//                   the bytes (none for .bss, which is zeros), then
//                   u32 pointer count, per pointer: u64 at, u32 target, u64 offset
//     lines         u32 count, per line: u32 pc, u32 file, u32 line,
//                   u32 column, u32 source
//
// The first byte of the magic is an opcode no program can start with, so
// raw bytecode is never mistaken for an image.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/machine_limits.h"
#include "isa/program.h"

namespace sbpf::isa {

inline constexpr std::array<uint8_t, 8> kImageMagic = {0x00, 'S', 'B', 'P', 'F', 'I', 'M', 'G'};
inline constexpr uint32_t kImageVersion = 1;
inline constexpr size_t kImageHeaderBytes = 24;
// The largest image a reader accepts, header included: a device has no room
// for more, and a reader never allocates on the word of a corrupt count.
inline constexpr size_t kMaxImageBytes = size_t{64} << 20;

// An image that cannot be read. The message says what is wrong, in words
// for the person who made the image (the tools prefix the file name).
class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProgramImage {
  Program program;
  // The verifier's program type the host verified it as (a name that
  // verifier::program_type_named knows; the image format does not check).
  std::string program_type;
  // Back-jumps one invocation may take through counted loops.
  uint64_t loop_budget = kDefaultLoopBudget;
};

// True when `bytes` start with the image magic: the caller should read an
// image (and report its errors) rather than try another format.
bool looks_like_image(std::span<const uint8_t> bytes);

// The image of a validated program.
std::vector<uint8_t> write_image(const ProgramImage& image);

// Checks the header (magic, version, length, checksum), decodes the payload
// and validates the program (isa::validate) including that the recorded
// function boundaries are the ones its calls imply. Throws ImageError.
ProgramImage read_image(std::span<const uint8_t> bytes);

// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320).
uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace sbpf::isa
