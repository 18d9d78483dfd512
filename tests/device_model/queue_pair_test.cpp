#include "device_model/queue_pair.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sbpf::device_model {
namespace {

Command read_command(std::uint16_t id) {
  Command command;
  command.opcode = Opcode::read;
  command.command_id = id;
  return command;
}

TEST(QueuePairTest, HoldsDepthMinusOneCommandsInFlight) {
  QueuePair queue(1, 4, CompletionMode::interrupt);
  EXPECT_TRUE(queue.submit(read_command(1)));
  EXPECT_TRUE(queue.submit(read_command(2)));
  EXPECT_TRUE(queue.submit(read_command(3)));
  EXPECT_FALSE(queue.submit(read_command(4)));
  EXPECT_EQ(queue.in_flight(), 3u);
}

TEST(QueuePairTest, AReapedCompletionFreesASlot) {
  QueuePair queue(1, 2, CompletionMode::interrupt);
  ASSERT_TRUE(queue.submit(read_command(1)));
  ASSERT_FALSE(queue.submit(read_command(2)));
  queue.ring_submission_doorbell();
  ASSERT_TRUE(queue.fetch().has_value());
  // Fetched is not finished: the slot stays taken until the host reaps.
  EXPECT_FALSE(queue.submit(read_command(2)));
  queue.post(Completion{1, 1, Status::success, 0, 0, 0, ""});
  EXPECT_FALSE(queue.submit(read_command(2)));
  EXPECT_EQ(queue.reap().size(), 1u);
  EXPECT_EQ(queue.completion_doorbells(), 1u);
  EXPECT_TRUE(queue.submit(read_command(2)));
}

TEST(QueuePairTest, TheDeviceSeesOnlyWhatADoorbellCovered) {
  QueuePair queue(1, 8, CompletionMode::interrupt);
  queue.submit(read_command(1));
  queue.submit(read_command(2));
  EXPECT_FALSE(queue.fetch().has_value());
  EXPECT_EQ(queue.written_not_rung(), 2u);
  queue.ring_submission_doorbell();
  queue.submit(read_command(3));
  EXPECT_EQ(queue.fetch()->command.command_id, 1);
  EXPECT_EQ(queue.fetch()->command.command_id, 2);
  EXPECT_FALSE(queue.fetch().has_value());
  queue.ring_submission_doorbell();
  EXPECT_EQ(queue.fetch()->command.command_id, 3);
  EXPECT_EQ(queue.submission_doorbells(), 2u);
}

TEST(QueuePairTest, ReapTakesAtMostWhatItIsAskedFor) {
  QueuePair queue(1, 8, CompletionMode::polling);
  for (std::uint16_t id = 1; id <= 3; ++id) {
    queue.submit(read_command(id));
    queue.post(Completion{id, 1, Status::success, 0, 0, 0, ""});
  }
  auto first = queue.reap(2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].command_id, 1);
  EXPECT_EQ(first[1].command_id, 2);
  EXPECT_EQ(queue.reap().size(), 1u);
  EXPECT_EQ(queue.in_flight(), 0u);
  EXPECT_TRUE(queue.reap().empty());
  EXPECT_EQ(queue.completion_doorbells(), 2u);  // an empty reap rings nothing
}

TEST(QueuePairTest, DepthMustBeOneNvmeAllows) {
  EXPECT_THROW(QueuePair(1, 1, CompletionMode::interrupt), std::invalid_argument);
  EXPECT_THROW(QueuePair(1, 65537, CompletionMode::interrupt), std::invalid_argument);
  EXPECT_NO_THROW(QueuePair(1, 2, CompletionMode::interrupt));
  EXPECT_NO_THROW(QueuePair(1, 65536, CompletionMode::interrupt));
}

}  // namespace
}  // namespace sbpf::device_model
