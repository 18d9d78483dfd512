#include "device_model/nvme_device.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include "tests/device_model/test_support.h"

namespace sbpf::device_model {
namespace {

using testing::round_profile;
using testing::ScratchFile;

using Rig = testing::DeviceRig;

Command make(Opcode opcode, std::uint64_t lba, std::vector<std::uint8_t>& buffer, std::uint16_t id = 1) {
  Command command;
  command.opcode = opcode;
  command.command_id = id;
  command.start_lba = lba;
  command.block_count = static_cast<std::uint32_t>(buffer.size() / 512);
  command.data = buffer;
  return command;
}

TEST(NvmeDeviceTest, AReadIsTheCommandCostTheControllerTheMediumAndItsData) {
  Rig rig;
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::interrupt);
  std::vector<std::uint8_t> buffer(512);
  auto [completion, seen] = rig.run_one(queue, make(Opcode::read, 0, buffer));
  EXPECT_EQ(completion.status, Status::success);
  EXPECT_EQ(completion.submitted_at, 0u);
  // 10 (link, per command) + 100 (controller) + 1000 (medium) + 512 (512 bytes at 1 GB/s).
  EXPECT_EQ(completion.posted_at, 1622u);
  EXPECT_EQ(seen, 1622u + 300u);  // interrupt delivery
}

TEST(NvmeDeviceTest, AWritesDataCrossesTheLinkBeforeTheMedium) {
  Rig rig;
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::interrupt);
  std::vector<std::uint8_t> buffer(1024);
  auto [completion, seen] = rig.run_one(queue, make(Opcode::write, 0, buffer));
  EXPECT_EQ(completion.status, Status::success);
  // 10 + 100, then 1024 bytes in, then the medium's 2000.
  EXPECT_EQ(completion.posted_at, 10u + 100u + 1024u + 2000u);
}

TEST(NvmeDeviceTest, PollingSeesACompletionSoonerAndNeverSleeps) {
  Rig interrupt_rig, polling_rig;
  std::vector<std::uint8_t> a(512), b(512);
  QueuePair& interrupt_queue = interrupt_rig.device.create_queue_pair(8, CompletionMode::interrupt);
  QueuePair& polling_queue = polling_rig.device.create_queue_pair(8, CompletionMode::polling);
  auto [by_interrupt, interrupt_seen] = interrupt_rig.run_one(interrupt_queue, make(Opcode::read, 0, a));
  auto [by_polling, polling_seen] = polling_rig.run_one(polling_queue, make(Opcode::read, 0, b));
  EXPECT_EQ(by_interrupt.posted_at, by_polling.posted_at);
  EXPECT_EQ(interrupt_seen - by_interrupt.posted_at, 300u);
  EXPECT_EQ(polling_seen - by_polling.posted_at, 40u);
  const InterruptModel& interrupts = interrupt_rig.device.interrupts();
  EXPECT_EQ(interrupts.thread_resumes(interrupt_seen, CompletionMode::interrupt), interrupt_seen + 2000u);
  EXPECT_EQ(interrupts.thread_resumes(polling_seen, CompletionMode::polling), polling_seen);
}

TEST(NvmeDeviceTest, WriteFlushReadRoundTripThroughTheFile) {
  Rig rig;
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::polling);
  std::vector<std::uint8_t> out(1536);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i % 251);
  EXPECT_EQ(rig.run_one(queue, make(Opcode::write, 10, out, 1)).first.status, Status::success);
  Command flush;
  flush.opcode = Opcode::flush;
  flush.command_id = 2;
  EXPECT_EQ(rig.run_one(queue, flush).first.status, Status::success);
  std::vector<std::uint8_t> in(1536);
  EXPECT_EQ(rig.run_one(queue, make(Opcode::read, 10, in, 3)).first.status, Status::success);
  EXPECT_EQ(in, out);

  std::ifstream raw(rig.scratch.path(), std::ios::binary);
  raw.seekg(10 * 512);
  std::vector<std::uint8_t> on_disk(1536);
  raw.read(reinterpret_cast<char*>(on_disk.data()), 1536);
  EXPECT_EQ(on_disk, out);
  EXPECT_EQ(rig.device.statistics().bytes_written, 1536u);
  EXPECT_EQ(rig.device.statistics().bytes_read, 1536u);
}

TEST(NvmeDeviceTest, AFlushWaitsForTheWritesBeforeIt) {
  Rig rig;
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::polling);
  std::vector<std::uint8_t> data(512);
  Command write = make(Opcode::write, 0, data, 1);
  Command flush;
  flush.opcode = Opcode::flush;
  flush.command_id = 2;
  std::vector<Completion> done;
  queue.on_completion([&](QueuePair& q) {
    for (const Completion& c : q.reap()) done.push_back(c);
  });
  queue.submit(write);
  queue.submit(flush);
  queue.ring_submission_doorbell();
  rig.clock.run();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].command_id, 1);
  EXPECT_EQ(done[0].posted_at, 10u + 100u + 512u + 2000u);
  // The flush reaches the medium at 20 + 100 and waits for the write, then drains.
  EXPECT_EQ(done[1].posted_at, done[0].posted_at + 500u);
}

TEST(NvmeDeviceTest, BadCommandsFailWithTheirStatusWithoutMediumTime) {
  Rig rig;
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::polling);
  std::vector<std::uint8_t> one(512), odd(700);

  auto past_end = rig.run_one(queue, make(Opcode::read, 64, one)).first;
  EXPECT_EQ(past_end.status, Status::lba_out_of_range);
  EXPECT_EQ(past_end.posted_at - past_end.submitted_at, 110u);

  Command short_buffer = make(Opcode::read, 0, one);
  short_buffer.block_count = 2;
  EXPECT_EQ(rig.run_one(queue, short_buffer).first.status, Status::invalid_field);

  Command ragged = make(Opcode::write, 0, odd);
  EXPECT_EQ(rig.run_one(queue, ragged).first.status, Status::invalid_field);

  Command nowhere = make(Opcode::read, 0, one);
  nowhere.namespace_id = 2;
  EXPECT_EQ(rig.run_one(queue, nowhere).first.status, Status::invalid_namespace);

  Command lambda = make(Opcode::lambda_read, 0, one);
  EXPECT_EQ(rig.run_one(queue, lambda).first.status, Status::invalid_opcode);

  Command empty = make(Opcode::read, 0, one);
  empty.block_count = 0;
  empty.data = {};
  EXPECT_EQ(rig.run_one(queue, empty).first.status, Status::invalid_field);

  EXPECT_EQ(rig.device.statistics().failed, 6u);
  EXPECT_EQ(rig.device.statistics().bytes_read, 0u);
}

TEST(NvmeDeviceTest, NothingHappensUntilTheDoorbell) {
  Rig rig;
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::interrupt);
  std::vector<std::uint8_t> buffer(512);
  int completions = 0;
  queue.on_completion([&](QueuePair& q) { completions += static_cast<int>(q.reap().size()); });
  queue.submit(make(Opcode::read, 0, buffer));
  rig.clock.run_until(1'000'000);
  EXPECT_EQ(completions, 0);
  EXPECT_EQ(rig.device.statistics().commands, 0u);
  queue.ring_submission_doorbell();
  rig.clock.run();
  EXPECT_EQ(completions, 1);
  EXPECT_EQ(rig.device.statistics().commands, 1u);
}

TEST(NvmeDeviceTest, QueuePairsShareTheDevicesLinkAndMedium) {
  DeviceProfile profile = round_profile();
  profile.media = FixedLatencyMedium::Config{1000, 2000, 500, 300};  // a command every 300 ns at most
  Rig rig(profile);
  QueuePair& first = rig.device.create_queue_pair(8, CompletionMode::polling);
  QueuePair& second = rig.device.create_queue_pair(8, CompletionMode::polling);
  EXPECT_EQ(first.id(), 1);
  EXPECT_EQ(second.id(), 2);
  std::vector<std::uint8_t> a(512), b(512);
  std::vector<Completion> done;
  auto collect = [&](QueuePair& q) {
    for (const Completion& c : q.reap()) done.push_back(c);
  };
  first.on_completion(collect);
  second.on_completion(collect);
  first.submit(make(Opcode::read, 0, a, 7));
  second.submit(make(Opcode::read, 1, b, 7));
  first.ring_submission_doorbell();
  second.ring_submission_doorbell();
  rig.clock.run();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].queue_id, 1);
  EXPECT_EQ(done[0].posted_at, 1622u);
  // Fetched 10 ns later (the link), started 300 ns after the first (the medium), then its data queues behind the first's.
  EXPECT_EQ(done[1].queue_id, 2);
  EXPECT_EQ(done[1].posted_at, std::max<Nanoseconds>(110u + 300u + 1000u, 1622u) + 512u);
}

// The shape of XRP's resubmission: the completion handler reads the block
// that just arrived, and submits the next read right there, from the
// completion path, without going back through the host's layers.
TEST(NvmeDeviceTest, ACompletionHandlerCanResubmitADependentRead) {
  Rig rig;
  {
    // A chain through the namespace: block 0 → 5 → 2 → end.
    NamespaceFile& file = rig.device.namespace_file(1);
    const std::uint64_t links[][2] = {{0, 5}, {5, 2}, {2, ~0ull}};
    for (const auto& [block, next] : links) {
      std::vector<std::uint8_t> bytes(512);
      std::memcpy(bytes.data(), &next, sizeof next);
      file.write(block, bytes);
    }
  }
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::interrupt);
  std::vector<std::uint8_t> block(512);
  std::vector<std::uint64_t> visited;
  Nanoseconds finished = 0;
  queue.on_completion([&](QueuePair& q) {
    for (const Completion& c : q.reap()) {
      ASSERT_EQ(c.status, Status::success);
      visited.push_back(c.tag);
      std::uint64_t next;
      std::memcpy(&next, block.data(), sizeof next);
      if (next == ~0ull) {
        finished = rig.clock.now();
        return;
      }
      Command command = make(Opcode::read, next, block);
      command.tag = next;
      ASSERT_TRUE(q.submit(command));
      q.ring_submission_doorbell();
    }
  });
  Command first = make(Opcode::read, 0, block);
  first.tag = 0;
  queue.submit(first);
  queue.ring_submission_doorbell();
  rig.clock.run();
  EXPECT_EQ(visited, (std::vector<std::uint64_t>{0, 5, 2}));
  // Each hop: 1622 ns on the device, 300 ns to the handler.
  EXPECT_EQ(finished, 3 * (1622u + 300u));
}

// Calibration check, not a result: Table 1's device time for a 512-byte
// read is what the shipped P5800X profile gives.
TEST(NvmeDeviceTest, TheP5800xProfileGivesTable1sDeviceTime) {
  Rig rig(find_profile("p5800x"));
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::interrupt);
  std::vector<std::uint8_t> buffer(512);
  auto [completion, seen] = rig.run_one(queue, make(Opcode::read, 3, buffer));
  EXPECT_EQ(completion.posted_at - completion.submitted_at, 3224u);
  EXPECT_EQ(rig.device.profile().host.layers.cost(HostLayers::all()) + 3224u, 6272u);
}

TEST(NvmeDeviceTest, NamespacesAreNumberedFromOneOnce) {
  Rig rig;
  ScratchFile other;
  EXPECT_THROW(rig.device.attach_namespace(0, NamespaceFile(other.path(), 1)), std::invalid_argument);
  EXPECT_THROW(rig.device.attach_namespace(1, NamespaceFile(other.path(), 1)), std::invalid_argument);
  EXPECT_NO_THROW(rig.device.attach_namespace(2, NamespaceFile(other.path(), 1)));
}

}  // namespace
}  // namespace sbpf::device_model
