// NAND flash in the manner of FEMU and NVMeVirt: `channels` buses, each with
// `luns_per_channel` dies, pages striped across channels first, then LUNs.
//
// A LUN does one page operation at a time (read or program), so a request
// waits for its LUN: start = max(arrival, LUN free), as FEMU does. A read's
// page then crosses its channel to the controller (the channel is one bus,
// shared by its LUNs); a write's page crosses first and is programmed after.
// A request touching several pages completes with its slowest page.
//
// Reads jitter uniformly by ± page_read_jitter_ns, drawn from the device's
// seeded generator, so a seed fixes every latency. A write smaller than a
// page still programs a whole page (no read-modify-write is modelled), and
// there is no garbage collection or erase yet: the FTL's mapping is the
// identity stripe.
#pragma once

#include <cstdint>
#include <vector>

#include "device_model/medium.h"
#include "device_model/seeded_random.h"

namespace sbpf::device_model {

class NandMedium : public Medium {
 public:
  struct Config {
    std::uint32_t channels = 1;
    std::uint32_t luns_per_channel = 1;
    std::uint64_t page_bytes = 4096;
    Nanoseconds page_read_ns = 0;
    Nanoseconds page_read_jitter_ns = 0;
    Nanoseconds page_program_ns = 0;
    std::uint64_t channel_bytes_per_second = 0;

    bool operator==(const Config&) const = default;
  };

  // `random` must outlive the medium (the device owns both).
  NandMedium(const Config& config, SeededRandom& random);

  Nanoseconds read(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) override;
  Nanoseconds write(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) override;
  Nanoseconds flush(Nanoseconds arrival) override;

  // Where page `page` lives: channel first, then LUN within the channel.
  std::uint32_t channel_of(std::uint64_t page) const { return static_cast<std::uint32_t>(page % config_.channels); }
  std::uint32_t lun_of(std::uint64_t page) const;  // an index over all LUNs

 private:
  Nanoseconds jittered_read();

  Config config_;
  SeededRandom& random_;
  Nanoseconds page_transfer_ns_;
  std::vector<Nanoseconds> lun_free_;
  std::vector<Nanoseconds> channel_free_;
};

}  // namespace sbpf::device_model
