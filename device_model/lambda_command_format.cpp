#include "device_model/lambda_command_format.h"

#include <stdexcept>

namespace sbpf::device_model {

namespace {

void put_u64(std::uint8_t* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::uint64_t get_u64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | in[i];
  return value;
}

}  // namespace

LambdaMetadata encode_lambda_metadata(std::span<const LambdaExtent> extents) {
  if (extents.size() > kLambdaMaxExtents) {
    throw std::invalid_argument(std::to_string(extents.size()) + " extents; a λ command carries at most " +
                                std::to_string(kLambdaMaxExtents));
  }
  LambdaMetadata metadata{};
  for (std::size_t i = 0; i < extents.size(); ++i) {
    const LambdaExtent& extent = extents[i];
    if (extent.address > kLambdaMaxExtentAddress || extent.bytes > kLambdaMaxExtentBytes) {
      throw std::invalid_argument("extent " + std::to_string(i) + " (" + std::to_string(extent.bytes) + " bytes at " +
                                  std::to_string(extent.address) +
                                  ") does not fit λ-IO's 40-bit address and 24-bit length");
    }
    put_u64(&metadata[8 * i], extent.address | extent.bytes << 40);
  }
  return metadata;
}

DecodedMetadata decode_lambda_metadata(std::span<const std::uint8_t> metadata, std::uint32_t count) {
  DecodedMetadata decoded;
  if (metadata.size() != kLambdaMetadataBytes) {
    decoded.error = "the metadata buffer is " + std::to_string(metadata.size()) + " bytes, not " +
                    std::to_string(kLambdaMetadataBytes);
    return decoded;
  }
  if (count > kLambdaMaxExtents) {
    decoded.error = std::to_string(count) + " extents; at most " + std::to_string(kLambdaMaxExtents);
    return decoded;
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t word = get_u64(&metadata[8 * i]);
    LambdaExtent extent{word & kLambdaMaxExtentAddress, word >> 40};
    if (extent.bytes == 0) {
      decoded.error = "extent " + std::to_string(i) + " is empty";
      decoded.extents.clear();
      return decoded;
    }
    decoded.extents.push_back(extent);
  }
  return decoded;
}

void encode_reply_header(const LambdaReplyHeader& header, std::span<std::uint8_t, kLambdaReplyHeaderBytes> out) {
  put_u64(&out[0], static_cast<std::uint64_t>(header.size_o));
  put_u64(&out[8], header.calc_ns);
  put_u64(&out[16], header.pre_ns);
}

LambdaReplyHeader decode_reply_header(std::span<const std::uint8_t, kLambdaReplyHeaderBytes> bytes) {
  return {static_cast<std::int64_t>(get_u64(&bytes[0])), get_u64(&bytes[8]), get_u64(&bytes[16])};
}

}  // namespace sbpf::device_model
