#include "device_model/core_pool.h"

#include <algorithm>
#include <stdexcept>

namespace sbpf::device_model {

Nanoseconds CorePool::cost(std::uint64_t instructions, std::uint64_t helper_bytes) const {
  // 128-bit: a long-running program times a picosecond cost can pass 2^64.
  unsigned __int128 ps = static_cast<unsigned __int128>(instructions) * config_.ps_per_instruction +
                         static_cast<unsigned __int128>(helper_bytes) * config_.ps_per_helper_byte;
  return static_cast<Nanoseconds>((ps + 999) / 1000);
}

CorePool::Reservation CorePool::reserve(Nanoseconds ready, Nanoseconds duration) {
  if (free_at_.empty()) throw std::logic_error("this device has no cores to run programs on");
  // An idle core if there is one, the lowest-numbered; else the one that frees first.
  auto earliest = std::find_if(free_at_.begin(), free_at_.end(), [ready](Nanoseconds free) { return free <= ready; });
  if (earliest == free_at_.end()) earliest = std::min_element(free_at_.begin(), free_at_.end());
  Reservation reservation;
  reservation.core = static_cast<std::uint32_t>(earliest - free_at_.begin());
  reservation.start = std::max(ready, *earliest);
  reservation.end = reservation.start + duration;
  *earliest = reservation.end;
  return reservation;
}

}  // namespace sbpf::device_model
