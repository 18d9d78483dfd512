#include "device_model/host_stack_costs.h"

#include <gtest/gtest.h>

namespace sbpf::device_model {
namespace {

const HostStackCosts kTable1{351, 199, 2006, 379, 113};

TEST(HostStackCostsTest, AFullReadPaysEveryLayer) {
  // Table 1: 6.27 µs in all, of which the device 3224 ns.
  EXPECT_EQ(kTable1.cost(HostLayers::all()), 6272u - 3224u);
}

TEST(HostStackCostsTest, APathPaysOnlyItsLayers) {
  EXPECT_EQ(kTable1.cost(HostLayers::none()), 0u);
  EXPECT_EQ(kTable1.cost(HostLayer::driver), 113u);
  EXPECT_EQ(kTable1.cost(HostLayer::block_layer | HostLayer::driver), 492u);
  EXPECT_EQ(kTable1.cost(HostLayer::crossing | HostLayer::syscall | HostLayer::file_system), 2556u);
}

TEST(HostStackCostsTest, EachLayerHasItsOwnFigure) {
  EXPECT_EQ(kTable1.of(HostLayer::crossing), 351u);
  EXPECT_EQ(kTable1.of(HostLayer::syscall), 199u);
  EXPECT_EQ(kTable1.of(HostLayer::file_system), 2006u);
  EXPECT_EQ(kTable1.of(HostLayer::block_layer), 379u);
  EXPECT_EQ(kTable1.of(HostLayer::driver), 113u);
}

}  // namespace
}  // namespace sbpf::device_model
