// Same seed and profile, same run: the event trace and every completion
// time identical. Another seed changes what the jitter touches.
#include <gtest/gtest.h>

#include <vector>

#include "device_model/nvme_device.h"
#include "tests/device_model/test_support.h"

namespace sbpf::device_model {
namespace {

using testing::ScratchFile;

struct RunResult {
  std::vector<TraceEntry> trace;
  std::vector<Completion> completions;
};

// Four host threads, each with its own queue pair, keep 4 reads in flight
// over random blocks until each has read 25 times. The blocks come from a
// generator of the test's own, so only the device's seed varies.
RunResult run_workload(const DeviceProfile& profile, std::uint64_t device_seed) {
  ScratchFile scratch;
  EventQueue clock;
  clock.set_tracing(true);
  NvmeDevice device(profile, clock, device_seed);
  device.attach_namespace(1, NamespaceFile(scratch.path(), 4096, 512));
  SeededRandom workload(12345);
  RunResult result;

  constexpr int kThreads = 4, kInFlight = 4, kReadsPerThread = 25;
  std::vector<std::vector<std::uint8_t>> buffers(kThreads * kInFlight, std::vector<std::uint8_t>(4096));
  std::vector<int> issued(kThreads, 0);
  auto issue = [&](QueuePair& queue, int thread, int slot) {
    Command command;
    command.opcode = Opcode::read;
    command.command_id = static_cast<std::uint16_t>(slot);
    command.start_lba = workload.below(4096 / 8) * 8;
    command.block_count = 8;
    command.data = buffers[thread * kInFlight + slot];
    command.tag = static_cast<std::uint64_t>(thread);
    queue.submit(command);
    ++issued[thread];
  };
  for (int thread = 0; thread < kThreads; ++thread) {
    QueuePair& queue = device.create_queue_pair(64, thread % 2 ? CompletionMode::polling : CompletionMode::interrupt);
    queue.on_completion([&, thread](QueuePair& q) {
      for (const Completion& c : q.reap()) {
        result.completions.push_back(c);
        if (issued[thread] < kReadsPerThread) issue(q, thread, c.command_id);
      }
      q.ring_submission_doorbell();
    });
    for (int slot = 0; slot < kInFlight; ++slot) issue(queue, thread, slot);
    queue.ring_submission_doorbell();
  }
  clock.run();
  result.trace = clock.trace();
  return result;
}

TEST(DeterminismTest, SameSeedSameTraceOnNand) {
  DeviceProfile nand = find_profile("nand-tlc");
  RunResult first = run_workload(nand, 7);
  RunResult second = run_workload(nand, 7);
  ASSERT_EQ(first.completions.size(), 100u);
  EXPECT_EQ(first.trace, second.trace);
  EXPECT_EQ(first.completions, second.completions);
}

TEST(DeterminismTest, AnotherSeedMovesTheJitteredReads) {
  DeviceProfile nand = find_profile("nand-tlc");
  ASSERT_GT(std::get<NandMedium::Config>(nand.media).page_read_jitter_ns, 0u);
  RunResult first = run_workload(nand, 7);
  RunResult other = run_workload(nand, 8);
  ASSERT_EQ(other.completions.size(), 100u);
  EXPECT_NE(first.trace, other.trace);
}

TEST(DeterminismTest, WithoutJitterTheSeedChangesNothing) {
  DeviceProfile optane = find_profile("p5800x");
  RunResult first = run_workload(optane, 7);
  RunResult other = run_workload(optane, 8);
  ASSERT_EQ(first.completions.size(), 100u);
  EXPECT_EQ(first.trace, other.trace);
}

}  // namespace
}  // namespace sbpf::device_model
