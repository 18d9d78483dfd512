// Arbitrary bytes as a program image: reading either rejects them with an
// ImageError or yields a valid program whose image reads back the same.
//
// The first byte chooses what the rest is. Even: the whole image, header
// and all. Odd: a payload, put behind a header with the right length and
// checksum, so that the fuzzer spends its time past the CRC-32 in the
// payload's parser instead of on forging checksums.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "isa/program_image.h"

namespace {

std::vector<uint8_t> behind_header(const uint8_t* payload, size_t size) {
  std::vector<uint8_t> out(sbpf::isa::kImageMagic.begin(), sbpf::isa::kImageMagic.end());
  const auto le32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  le32(sbpf::isa::kImageVersion);
  le32(static_cast<uint32_t>(size));
  le32(sbpf::isa::crc32({payload, size}));
  le32(0);
  out.insert(out.end(), payload, payload + size);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sbpf;
  if (size == 0) return 0;
  const std::vector<uint8_t> bytes =
      (data[0] & 1) != 0 ? behind_header(data + 1, size - 1) : std::vector<uint8_t>(data + 1, data + size);
  isa::ProgramImage image;
  try {
    image = isa::read_image(bytes);
  } catch (const isa::ImageError&) {
    return 0;
  }
  // What was read writes an image that reads back to the same program and
  // writes the same bytes again (the writer has one spelling; a forged image
  // may have another, so the first write is the reference).
  const std::vector<uint8_t> written = isa::write_image(image);
  const isa::ProgramImage again = isa::read_image(written);
  if (isa::write_image(again) != written) std::abort();
  if (isa::encode(again.program) != isa::encode(image.program)) std::abort();
  if (again.program_type != image.program_type || again.loop_budget != image.loop_budget) std::abort();
  return 0;
}
