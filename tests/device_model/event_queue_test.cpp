#include "device_model/event_queue.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace sbpf::device_model {
namespace {

TEST(EventQueueTest, RunsEventsInTimeOrder) {
  EventQueue queue;
  std::vector<int> order;
  queue.schedule_at(30, [&] { order.push_back(30); });
  queue.schedule_at(10, [&] { order.push_back(10); });
  queue.schedule_at(20, [&] { order.push_back(20); });
  queue.run();
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(queue.now(), 30u);
}

TEST(EventQueueTest, TiesRunInTheOrderTheyWereScheduled) {
  EventQueue queue;
  std::string order;
  // Enough events that a heap would reorder equal keys if the sequence
  // number did not break the tie.
  for (char c = 'a'; c <= 'p'; ++c) queue.schedule_at(5, [&order, c] { order += c; });
  queue.schedule_at(1, [&] { order += '<'; });
  queue.run();
  EXPECT_EQ(order, "<abcdefghijklmnop");
}

TEST(EventQueueTest, AnEventScheduledForNowRunsAfterThoseAlreadyWaiting) {
  EventQueue queue;
  std::string order;
  queue.schedule_at(7, [&] {
    order += 'a';
    queue.schedule_after(0, [&] { order += 'c'; });
  });
  queue.schedule_at(7, [&] { order += 'b'; });
  queue.run();
  EXPECT_EQ(order, "abc");
}

TEST(EventQueueTest, RefusesThePast) {
  EventQueue queue;
  queue.schedule_at(100, [] {});
  queue.run();
  EXPECT_THROW(queue.schedule_at(99, [] {}), std::logic_error);
  EXPECT_NO_THROW(queue.schedule_at(100, [] {}));
}

TEST(EventQueueTest, RunUntilStopsAtTheGivenTime) {
  EventQueue queue;
  int ran = 0;
  queue.schedule_at(10, [&] { ++ran; });
  queue.schedule_at(20, [&] { ++ran; });
  queue.schedule_at(21, [&] { ++ran; });
  queue.run_until(20);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(queue.now(), 20u);
  EXPECT_EQ(queue.pending(), 1u);
  queue.run_until(50);
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(queue.now(), 50u);
}

TEST(EventQueueTest, TraceRecordsTimeSequenceAndLabel) {
  EventQueue queue;
  queue.set_tracing(true);
  queue.schedule_at(5, [] {}, "second");
  queue.schedule_at(2, [] {}, "first");
  queue.run();
  ASSERT_EQ(queue.trace().size(), 2u);
  EXPECT_EQ(queue.trace()[0], (TraceEntry{2, 1, "first"}));
  EXPECT_EQ(queue.trace()[1], (TraceEntry{5, 0, "second"}));
}

}  // namespace
}  // namespace sbpf::device_model
