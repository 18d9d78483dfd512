// The bytes λ-IO's commands carry besides the data (FAST '23, and
// ../shared/reference/papers.md): the 4 KiB metadata buffer that tells the
// device where the request's range lives, and the header of its reply.
//
// Metadata: up to 32 extents, each one little-endian u64 with the address
// (bytes in the namespace) in its low 40 bits and the length (bytes) in its
// high 24, one after another from the buffer's start; the count travels in
// the command. An extent therefore starts below 1 TiB and is shorter than
// 16 MiB.
//
// Reply: {s64 size_o; u64 calc_ns; u64 pre_ns}, little-endian, then the
// output (λ-read only). size_o is what the function returned.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sbpf::device_model {

inline constexpr std::size_t kLambdaMetadataBytes = 4096;
inline constexpr std::size_t kLambdaMaxExtents = 32;
inline constexpr std::uint64_t kLambdaMaxExtentAddress = (std::uint64_t{1} << 40) - 1;
inline constexpr std::uint64_t kLambdaMaxExtentBytes = (std::uint64_t{1} << 24) - 1;
inline constexpr std::size_t kLambdaReplyHeaderBytes = 24;

struct LambdaExtent {
  std::uint64_t address = 0;  // bytes, in the namespace
  std::uint64_t bytes = 0;

  bool operator==(const LambdaExtent&) const = default;
};

using LambdaMetadata = std::array<std::uint8_t, kLambdaMetadataBytes>;

// std::invalid_argument when there are more than 32 extents or one does not
// fit its 40/24 bits.
LambdaMetadata encode_lambda_metadata(std::span<const LambdaExtent> extents);
// The first `count` extents of `metadata`; the reason when the buffer is not
// 4 KiB, `count` is over 32, or an extent is empty.
struct DecodedMetadata {
  std::vector<LambdaExtent> extents;
  std::string error;
};
DecodedMetadata decode_lambda_metadata(std::span<const std::uint8_t> metadata, std::uint32_t count);

struct LambdaReplyHeader {
  std::int64_t size_o = 0;
  std::uint64_t calc_ns = 0;  // the function's time on a device core
  std::uint64_t pre_ns = 0;   // the time to bring its input in (media, or the link for λ-write)

  bool operator==(const LambdaReplyHeader&) const = default;
};

void encode_reply_header(const LambdaReplyHeader& header, std::span<std::uint8_t, kLambdaReplyHeaderBytes> out);
LambdaReplyHeader decode_reply_header(std::span<const std::uint8_t, kLambdaReplyHeaderBytes> bytes);

}  // namespace sbpf::device_model
