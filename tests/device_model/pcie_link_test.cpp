#include "device_model/pcie_link.h"

#include <gtest/gtest.h>

namespace sbpf::device_model {
namespace {

TEST(PcieLinkTest, TransferTimeRoundsUp) {
  EXPECT_EQ(transfer_time(512, 7'000'000'000), 74u);     // 73.14 ns
  EXPECT_EQ(transfer_time(4096, 3'360'000'000), 1220u);  // 1219.05 ns
  EXPECT_EQ(transfer_time(1000, 1'000'000'000), 1000u);
  EXPECT_EQ(transfer_time(0, 1'000'000'000), 0u);
  EXPECT_EQ(transfer_time(1000, 0), 0u);
  // Large enough that bytes × 10^9 needs more than 64 bits.
  EXPECT_EQ(transfer_time(100'000'000'000, 1'000'000'000), 100'000'000'000u);
}

TEST(PcieLinkTest, TransfersInOneDirectionQueue) {
  PcieLink link({1'000'000'000, 0});
  EXPECT_EQ(link.transfer(0, 4096, LinkDirection::to_host), 4096u);
  EXPECT_EQ(link.transfer(0, 4096, LinkDirection::to_host), 8192u);
  EXPECT_EQ(link.transfer(10000, 100, LinkDirection::to_host), 10100u);
}

TEST(PcieLinkTest, TheTwoDirectionsAreIndependent) {
  PcieLink link({1'000'000'000, 0});
  EXPECT_EQ(link.transfer(0, 4096, LinkDirection::to_host), 4096u);
  EXPECT_EQ(link.transfer(0, 4096, LinkDirection::to_device), 4096u);
}

TEST(PcieLinkTest, EachCommandCostsItsOverheadOnTheWayIn) {
  PcieLink link({1'000'000'000, 25});
  EXPECT_EQ(link.fetch_command(0), 25u);
  EXPECT_EQ(link.fetch_command(0), 50u);
  // The overhead shares the direction with written data.
  EXPECT_EQ(link.transfer(0, 100, LinkDirection::to_device), 150u);
  EXPECT_EQ(link.fetch_command(0), 175u);
}

}  // namespace
}  // namespace sbpf::device_model
