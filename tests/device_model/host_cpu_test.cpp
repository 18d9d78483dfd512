// The host's cores: sleeping threads' bursts queue for the cores; spinning
// threads keep their core and, when they outnumber the cores, take turns in
// CFS-sized slices.
#include "device_model/host_cpu.h"

#include <gtest/gtest.h>

namespace sbpf::device_model {
namespace {

constexpr Nanoseconds kMs = 1'000'000;
// The shipped profiles' scheduler: CFS on 6 CPUs.
constexpr SchedulerConfig kCfs{18 * kMs, 2'250'000};

TEST(HostCpu, SleepingThreadsQueueForTheCoresOnlyWhileTheyWork) {
  HostCpu cpu(2, kCfs, 3, HostCpu::Waiting::sleeps);
  EXPECT_EQ(cpu.run(0, 0, 100), 100u);
  EXPECT_EQ(cpu.run(1, 0, 100), 100u);
  EXPECT_EQ(cpu.run(2, 0, 100), 200u);  // both cores busy until 100
  EXPECT_EQ(cpu.run(0, 500, 10), 510u);  // idle again by then
  EXPECT_EQ(cpu.on_cpu(2, 1234), 1234u);  // a sleeper's wake-up is the interrupt model's
}

TEST(HostCpu, SpinningThreadsWithACoreEachNeverWait) {
  HostCpu cpu(6, kCfs, 6, HostCpu::Waiting::spins);
  EXPECT_EQ(cpu.sharing(5), 1u);
  EXPECT_EQ(cpu.on_cpu(5, 12345), 12345u);
  EXPECT_EQ(cpu.run(5, 100, 50 * kMs), 100 + 50 * kMs);
  EXPECT_EQ(cpu.run(5, 100, 10), 110u);  // a core each: no queueing either
}

TEST(HostCpu, SpinningThreadsSharingACoreTakeTurns) {
  // Four threads on two cores: 0 and 2 share core 0, 1 and 3 core 1; the
  // 18 ms period split in two 9 ms slices, 0 (and 1) first.
  HostCpu cpu(2, kCfs, 4, HostCpu::Waiting::spins);
  EXPECT_EQ(cpu.sharing(0), 2u);
  EXPECT_EQ(cpu.slice(0), 9 * kMs);
  EXPECT_EQ(cpu.on_cpu(0, 1000), 1000u);
  EXPECT_EQ(cpu.on_cpu(2, 1000), 9 * kMs);  // sees what lands at 1 µs only in its turn
  EXPECT_EQ(cpu.on_cpu(2, 17 * kMs), 17 * kMs);
  EXPECT_EQ(cpu.on_cpu(2, 18 * kMs), 27 * kMs);
  EXPECT_EQ(cpu.run(2, 0, kMs), 10 * kMs);
  // Work that outlasts the turn finishes in the next one.
  EXPECT_EQ(cpu.run(0, 8 * kMs + kMs / 2, kMs), 18 * kMs + kMs / 2);
}

TEST(HostCpu, SlicesNeverGoBelowTheMinimumGranularity) {
  // Twenty spinners on one core: 18 ms / 20 = 0.9 ms, raised to 2.25 ms.
  HostCpu cpu(1, kCfs, 20, HostCpu::Waiting::spins);
  EXPECT_EQ(cpu.slice(7), 2'250'000u);
  EXPECT_EQ(cpu.on_cpu(19, 0), 19u * 2'250'000u);
  // Uneven sharing: five threads on two cores, three on core 0.
  HostCpu uneven(2, kCfs, 5, HostCpu::Waiting::spins);
  EXPECT_EQ(uneven.sharing(0), 3u);
  EXPECT_EQ(uneven.sharing(1), 2u);
  EXPECT_EQ(uneven.slice(4), 6 * kMs);
}

TEST(HostCpu, RejectsWhatCannotRun) {
  EXPECT_THROW(HostCpu(0, kCfs, 1, HostCpu::Waiting::sleeps), std::invalid_argument);
  EXPECT_THROW(HostCpu(1, kCfs, 0, HostCpu::Waiting::sleeps), std::invalid_argument);
  EXPECT_THROW(HostCpu(1, SchedulerConfig{}, 2, HostCpu::Waiting::spins), std::invalid_argument);
  HostCpu cpu(1, kCfs, 1, HostCpu::Waiting::sleeps);
  EXPECT_THROW(cpu.run(1, 0, 1), std::out_of_range);
}

}  // namespace
}  // namespace sbpf::device_model
