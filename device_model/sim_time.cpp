#include "device_model/sim_time.h"

namespace sbpf::device_model {

Nanoseconds transfer_time(std::uint64_t bytes, std::uint64_t bytes_per_second) {
  if (bytes_per_second == 0) return 0;
  // 128-bit: bytes × 10^9 overflows 64 bits from 18 GB up.
  unsigned __int128 scaled = static_cast<unsigned __int128>(bytes) * 1'000'000'000u;
  return static_cast<Nanoseconds>((scaled + bytes_per_second - 1) / bytes_per_second);
}

}  // namespace sbpf::device_model
