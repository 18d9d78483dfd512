#include "device_model/nand_medium.h"

#include <algorithm>

namespace sbpf::device_model {

NandMedium::NandMedium(const Config& config, SeededRandom& random)
    : config_(config),
      random_(random),
      page_transfer_ns_(transfer_time(config.page_bytes, config.channel_bytes_per_second)),
      lun_free_(static_cast<std::size_t>(config.channels) * config.luns_per_channel, 0),
      channel_free_(config.channels, 0) {}

std::uint32_t NandMedium::lun_of(std::uint64_t page) const {
  std::uint64_t lun_in_channel = (page / config_.channels) % config_.luns_per_channel;
  return static_cast<std::uint32_t>(channel_of(page) * static_cast<std::uint64_t>(config_.luns_per_channel) +
                                    lun_in_channel);
}

Nanoseconds NandMedium::jittered_read() {
  std::int64_t jitter = random_.symmetric(config_.page_read_jitter_ns);
  std::int64_t time = static_cast<std::int64_t>(config_.page_read_ns) + jitter;
  return static_cast<Nanoseconds>(std::max<std::int64_t>(time, 0));
}

Nanoseconds NandMedium::read(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) {
  if (bytes == 0) return arrival;
  const std::uint64_t first = offset / config_.page_bytes;
  const std::uint64_t last = (offset + bytes - 1) / config_.page_bytes;
  Nanoseconds done = arrival;
  for (std::uint64_t page = first; page <= last; ++page) {
    Nanoseconds& lun = lun_free_[lun_of(page)];
    Nanoseconds sensed = std::max(arrival, lun) + jittered_read();
    lun = sensed;
    Nanoseconds& channel = channel_free_[channel_of(page)];
    channel = std::max(sensed, channel) + page_transfer_ns_;
    done = std::max(done, channel);
  }
  return done;
}

Nanoseconds NandMedium::write(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) {
  if (bytes == 0) return arrival;
  const std::uint64_t first = offset / config_.page_bytes;
  const std::uint64_t last = (offset + bytes - 1) / config_.page_bytes;
  Nanoseconds done = arrival;
  for (std::uint64_t page = first; page <= last; ++page) {
    Nanoseconds& channel = channel_free_[channel_of(page)];
    channel = std::max(arrival, channel) + page_transfer_ns_;
    Nanoseconds& lun = lun_free_[lun_of(page)];
    lun = std::max(channel, lun) + config_.page_program_ns;
    done = std::max(done, lun);
  }
  return done;
}

Nanoseconds NandMedium::flush(Nanoseconds arrival) {
  // Every LUN's last operation, reads included: a LUN does not tell them apart.
  Nanoseconds done = arrival;
  for (Nanoseconds lun : lun_free_) done = std::max(done, lun);
  return done;
}

}  // namespace sbpf::device_model
