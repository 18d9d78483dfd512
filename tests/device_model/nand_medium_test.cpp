#include "device_model/nand_medium.h"

#include <gtest/gtest.h>

namespace sbpf::device_model {
namespace {

// 2 channels × 2 LUNs, 1000-byte pages crossing a channel in 100 ns, reads
// 1000 ns, programs 5000 ns, no jitter. Pages 0, 1, 2, 3 land on
// (channel, LUN) (0, 0), (1, 0), (0, 1), (1, 1).
NandMedium::Config small_nand() {
  NandMedium::Config config;
  config.channels = 2;
  config.luns_per_channel = 2;
  config.page_bytes = 1000;
  config.page_read_ns = 1000;
  config.page_read_jitter_ns = 0;
  config.page_program_ns = 5000;
  config.channel_bytes_per_second = 10'000'000'000;
  return config;
}

TEST(NandMediumTest, PagesStripeAcrossChannelsThenLuns) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  EXPECT_EQ(nand.channel_of(0), 0u);
  EXPECT_EQ(nand.channel_of(1), 1u);
  EXPECT_EQ(nand.lun_of(0), 0u);
  EXPECT_EQ(nand.lun_of(2), 1u);
  EXPECT_EQ(nand.lun_of(1), 2u);
  EXPECT_EQ(nand.lun_of(3), 3u);
  EXPECT_EQ(nand.lun_of(4), 0u);
}

TEST(NandMediumTest, AReadIsSensingThenTheChannel) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  EXPECT_EQ(nand.read(50, 0, 1000), 1150u);
}

TEST(NandMediumTest, ReadsOnOneLunWaitForEachOther) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  EXPECT_EQ(nand.read(0, 0, 1000), 1100u);
  // Page 4 shares page 0's LUN: it senses only once the LUN is free.
  EXPECT_EQ(nand.read(0, 4000, 1000), 2100u);
}

TEST(NandMediumTest, LunsOfOneChannelSenseTogetherAndShareTheBus) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  EXPECT_EQ(nand.read(0, 0, 1000), 1100u);     // channel 0, LUN 0
  EXPECT_EQ(nand.read(0, 2000, 1000), 1200u);  // channel 0, LUN 1: sensed in parallel, then queued on the bus
}

TEST(NandMediumTest, ChannelsWorkInParallel) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  EXPECT_EQ(nand.read(0, 0, 1000), 1100u);
  EXPECT_EQ(nand.read(0, 1000, 1000), 1100u);
}

TEST(NandMediumTest, ARequestCompletesWithItsSlowestPage) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  nand.read(0, 1000, 1000);  // page 1's LUN busy until 1000
  // Pages 0 and 1: page 0 is ready at 1100, page 1 senses from 1000.
  EXPECT_EQ(nand.read(0, 0, 2000), 2100u);
}

TEST(NandMediumTest, APartialPageIsAWholePage) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  // Bytes 999 and 1000: two pages, on two channels.
  EXPECT_EQ(nand.read(0, 999, 2), 1100u);
  EXPECT_EQ(nand.read(0, 0, 1), 2100u);
  EXPECT_EQ(nand.read(0, 1000, 1), 2100u);
}

TEST(NandMediumTest, WritesCrossTheChannelThenProgramOneAtATimePerLun) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  EXPECT_EQ(nand.write(0, 0, 1000), 5100u);
  EXPECT_EQ(nand.write(0, 4000, 1000), 10100u);  // page 4: same LUN, waits for the program
  EXPECT_EQ(nand.write(0, 2000, 1000), 5300u);   // another LUN of channel 0: only the bus is shared
}

TEST(NandMediumTest, FlushWaitsForEveryLun) {
  SeededRandom random(1);
  NandMedium nand(small_nand(), random);
  nand.write(0, 3000, 1000);
  EXPECT_EQ(nand.flush(0), 5100u);
  EXPECT_EQ(nand.flush(6000), 6000u);
}

TEST(NandMediumTest, ReadsJitterWithinTheirSpreadAndBySeed) {
  NandMedium::Config config = small_nand();
  config.page_read_jitter_ns = 300;
  auto latencies = [&](std::uint64_t seed) {
    SeededRandom random(seed);
    NandMedium nand(config, random);
    std::vector<Nanoseconds> out;
    for (int i = 0; i < 50; ++i) {
      Nanoseconds arrival = 100000 * static_cast<Nanoseconds>(i);
      out.push_back(nand.read(arrival, 0, 1000) - arrival);
    }
    return out;
  };
  auto first = latencies(7);
  for (Nanoseconds latency : first) {
    EXPECT_GE(latency, 800u);
    EXPECT_LE(latency, 1400u);
  }
  EXPECT_EQ(first, latencies(7));
  EXPECT_NE(first, latencies(8));
}

}  // namespace
}  // namespace sbpf::device_model
