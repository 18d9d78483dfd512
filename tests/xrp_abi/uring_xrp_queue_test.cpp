// XRP over a real file through io_uring: many requests in flight, fanout,
// every way a request fails, the stale checks, and the pread fallback.
// Functions are native (NativeXrp) so that each test states its walk in a
// few lines of C++.
#include "xrp_abi/uring_xrp_queue.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

namespace sbpf::xrp {
namespace {

// A request's first read and scratch, the rest by default.
XrpRequest request_at(uint64_t offset, std::span<uint8_t> scratch) {
  return XrpRequest{.offset = offset, .scratch = scratch, .max_reads = kDefaultMaxReads, .file_size = std::nullopt};
}

constexpr uint64_t kEnd = ~0ull;

// Block i of a chain file: the offset of the block to read next (kEnd:
// none), then i.
struct ChainBlock {
  uint64_t next;
  uint64_t tag;
};

uint64_t load_u64(const char* at) {
  uint64_t value;
  std::memcpy(&value, at, sizeof value);
  return value;
}
void add_u64(char* at, uint64_t amount) {
  const uint64_t value = load_u64(at) + amount;
  std::memcpy(at, &value, sizeof value);
}

// Follows the chain; scratch holds the hops taken and the sum of the tags.
unsigned follow_chain(Context* context) {
  add_u64(context->scratch, 1);
  add_u64(context->scratch + 8, load_u64(context->data + 8));
  const uint64_t next = load_u64(context->data);
  if (next == kEnd) {
    context->done = 1;
    return 0;
  }
  context->next_addr[0] = next;
  context->size[0] = kBlockBytes;
  return 0;
}

// First run: blocks 1, 2 and 3 in slots 0, 2 and 5; second run: records
// the tags it finds at data, data + 512 and data + 1024.
unsigned fan_out(Context* context) {
  if (load_u64(context->scratch) == 0) {
    std::memcpy(context->scratch, "\1\0\0\0\0\0\0\0", 8);
    const int slots[3] = {0, 2, 5};
    for (int i = 0; i < 3; ++i) {
      context->next_addr[slots[i]] = static_cast<uint64_t>(i + 1) * kBlockBytes;
      context->size[slots[i]] = kBlockBytes;
    }
    return 0;
  }
  for (int i = 0; i < 3; ++i) std::memcpy(context->scratch + 8 + 8 * i, context->data + 512 * i + 8, 8);
  context->done = 1;
  return 0;
}

// Reads all 16 slots at once, each a block of the file, then is done.
unsigned sixteen_wide(Context* context) {
  if (load_u64(context->scratch) != 0) {
    context->done = 1;
    return 0;
  }
  add_u64(context->scratch, 1);
  for (uint64_t slot = 0; slot < kMaxFanout; ++slot) {
    context->next_addr[slot] = slot * kBlockBytes;
    context->size[slot] = kBlockBytes;
  }
  return 0;
}

unsigned refuse(Context*) { return 7; }

unsigned read_past_the_end(Context* context) {
  context->next_addr[0] = load_u64(context->scratch);  // the caller puts the file's size there
  context->size[0] = kBlockBytes;
  return 0;
}

unsigned read_forever(Context* context) {
  context->next_addr[0] = 0;
  context->size[0] = kBlockBytes;
  return 0;
}

// A file of `blocks` chain blocks: block i goes on to block `next(i)`.
class ChainFile {
 public:
  template <typename Next>
  ChainFile(const std::string& name, uint64_t blocks, Next next)
      : path_(std::filesystem::temp_directory_path() / ("sbpf-uring-" + std::to_string(getpid()) + "-" + name)) {
    std::vector<uint8_t> bytes(blocks * kBlockBytes);
    for (uint64_t i = 0; i < blocks; ++i) {
      ChainBlock block{next(i), i};
      std::memcpy(bytes.data() + i * kBlockBytes, &block, sizeof block);
    }
    write(bytes);
    size_ = bytes.size();
  }
  ~ChainFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }
  uint64_t size() const { return size_; }
  // Overwrites block `i`'s tag in place.
  void retag(uint64_t i, uint64_t tag) {
    const int fd = ::open(path_.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, &tag, sizeof tag, static_cast<off_t>(i * kBlockBytes + 8)), 8);
    ::close(fd);
  }

 private:
  void write(const std::vector<uint8_t>& bytes) {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  std::filesystem::path path_;
  uint64_t size_ = 0;
};

// Block i goes on to i + 1 until the last.
ChainFile straight_chain(const std::string& name, uint64_t blocks) {
  return ChainFile(name, blocks, [blocks](uint64_t i) { return i + 1 == blocks ? kEnd : (i + 1) * kBlockBytes; });
}

// Tests other than the settling ones trust a version at once.
UringXrpOptions trusting(size_t capacity = 8, unsigned ring_depth = 0) {
  return UringXrpOptions{.capacity = capacity, .ring_depth = ring_depth, .settle_ns = 0};
}

struct Scratch {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(kScratchBytes);
  uint64_t u64(size_t at) const { return load_u64(reinterpret_cast<const char*>(bytes.data()) + at); }
  void set_u64(size_t at, uint64_t value) { std::memcpy(bytes.data() + at, &value, 8); }
};

// read_xrp with a first read of one block (the buffer's size).
XrpOutcome read_one_block(UringXrpQueue& queue, uint64_t offset, XrpFunction& function, std::span<uint8_t> scratch,
                          uint64_t max_reads = kDefaultMaxReads) {
  std::vector<uint8_t> buffer(kBlockBytes);
  return read_xrp(queue, buffer, offset, function, scratch, max_reads);
}

TEST(UringXrpQueue, ReadXrpFollowsAChainToItsEnd) {
  ChainFile file = straight_chain("sync", 40);
  UringXrpQueue queue(file.path(), trusting(1));
  NativeXrp function(follow_chain);
  Scratch scratch;
  std::vector<uint8_t> buffer(kBlockBytes);
  XrpOutcome outcome = read_xrp(queue, buffer, 10 * kBlockBytes, function, scratch.bytes);
  ASSERT_TRUE(outcome.ok()) << outcome.failure->describe();
  EXPECT_EQ(outcome.reads, 30u);
  EXPECT_EQ(scratch.u64(0), 30u);                    // runs
  EXPECT_EQ(scratch.u64(8), (10u + 39u) * 30u / 2);  // tags 10..39
  // read_xrp's buffer: the block the function set done on.
  EXPECT_EQ(load_u64(reinterpret_cast<const char*>(buffer.data()) + 8), 39u);
  EXPECT_EQ(queue.in_flight(), 0u);
}

TEST(UringXrpQueue, ManyRequestsInFlightEachEndWithItsOwnAnswer) {
  // Block i goes on to 3i + 1 (mod the file), ending at multiples of 7:
  // every request walks a different path.
  constexpr uint64_t kBlocks = 997;
  ChainFile file("many", kBlocks, [](uint64_t i) { return i % 7 == 0 && i != 0 ? kEnd : (3 * i + 1) % kBlocks * kBlockBytes; });
  constexpr size_t kDepth = 24;
  UringXrpQueue queue(file.path(), trusting(kDepth));
  EXPECT_EQ(queue.capacity(), kDepth);
  NativeXrp function(follow_chain);
  std::vector<Scratch> scratch(kDepth);
  for (size_t i = 0; i < kDepth; ++i) {
    XrpSubmission submission{&function, request_at((i + 1) * kBlockBytes, scratch[i].bytes), {}, 1000 + i};
    ASSERT_TRUE(queue.submit(submission));
  }
  EXPECT_EQ(queue.in_flight(), kDepth);
  // Capacity is respected: nothing is started.
  Scratch extra;
  EXPECT_FALSE(queue.submit({&function, request_at(0, extra.bytes), {}, 1}));
  EXPECT_EQ(queue.in_flight(), kDepth);

  std::set<uint64_t> ended;
  while (ended.size() < kDepth) {
    for (const XrpCompletion& done : queue.wait(1)) {
      ASSERT_TRUE(done.outcome.ok()) << done.outcome.failure->describe();
      EXPECT_TRUE(ended.insert(done.user_data).second);
      EXPECT_GT(done.latency_ns, 0u);
    }
  }
  EXPECT_EQ(queue.in_flight(), 0u);
  // Each answer is its own walk's, done the slow way here.
  for (size_t i = 0; i < kDepth; ++i) {
    uint64_t block = i + 1, hops = 0, tags = 0;
    while (true) {
      ++hops;
      tags += block;
      if (block % 7 == 0 && block != 0) break;
      block = (3 * block + 1) % kBlocks;
    }
    EXPECT_EQ(scratch[i].u64(0), hops) << "request " << i;
    EXPECT_EQ(scratch[i].u64(8), tags) << "request " << i;
  }
  // The queue takes new requests once old ones have ended.
  EXPECT_TRUE(queue.submit({&function, request_at(0, extra.bytes), {}, 1}));
  EXPECT_EQ(queue.wait(1).size(), 1u);
}

TEST(UringXrpQueue, WaitReturnsAtLeastMinAndNothingTwice) {
  ChainFile file = straight_chain("wait", 64);
  UringXrpQueue queue(file.path(), trusting(8));
  NativeXrp function(follow_chain);
  std::vector<Scratch> scratch(8);
  for (size_t i = 0; i < 8; ++i)
    ASSERT_TRUE(queue.submit({&function, request_at(i * 8 * kBlockBytes, scratch[i].bytes), {}, i}));
  size_t seen = queue.wait(3).size();
  EXPECT_GE(seen, 3u);
  while (queue.in_flight() != 0) seen += queue.wait(1).size();
  EXPECT_EQ(seen, 8u);
  EXPECT_TRUE(queue.wait(5).empty());  // nothing in flight: returns at once
}

TEST(UringXrpQueue, FanoutRunsTheFunctionOnceOnEveryBlockInSlotOrder) {
  ChainFile file = straight_chain("fanout", 8);
  UringXrpQueue queue(file.path(), trusting(1));
  NativeXrp function(fan_out);
  Scratch scratch;
  XrpOutcome outcome = read_one_block(queue, 0, function, scratch.bytes);
  ASSERT_TRUE(outcome.ok()) << outcome.failure->describe();
  EXPECT_EQ(outcome.reads, 4u);
  EXPECT_EQ(scratch.u64(8), 1u);
  EXPECT_EQ(scratch.u64(16), 2u);
  EXPECT_EQ(scratch.u64(24), 3u);
}

TEST(UringXrpQueue, MoreReadsThanTheRingHoldsWaitTheirTurn) {
  // 8 requests of 16 reads each on a ring of 4 entries.
  ChainFile file = straight_chain("ring", 16);
  UringXrpQueue queue(file.path(), trusting(8, 4));
  NativeXrp function(sixteen_wide);
  std::vector<Scratch> scratch(8);
  for (size_t i = 0; i < 8; ++i) ASSERT_TRUE(queue.submit({&function, request_at(0, scratch[i].bytes), {}, i}));
  size_t ended = 0;
  while (queue.in_flight() != 0) {
    for (const XrpCompletion& done : queue.wait(1)) {
      EXPECT_TRUE(done.outcome.ok()) << done.outcome.failure->describe();
      EXPECT_EQ(done.outcome.reads, 17u);
      ++ended;
    }
  }
  EXPECT_EQ(ended, 8u);
}

TEST(UringXrpQueue, AReadPastTheEndFailsTheRequest) {
  ChainFile file = straight_chain("eof", 4);
  UringXrpQueue queue(file.path(), trusting(1));
  NativeXrp function(read_past_the_end);
  Scratch scratch;
  scratch.set_u64(0, file.size());
  XrpOutcome outcome = read_one_block(queue, 0, function, scratch.bytes);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->kind, XrpFailure::Kind::kBadNextRead);
  EXPECT_EQ(outcome.failure->describe(), "read of 512 bytes at offset 2048 is past the end of the file (at hop 2)");
  // The request's own first read, too.
  Scratch again;
  outcome = read_one_block(queue, 1 << 20, function, again.bytes);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->kind, XrpFailure::Kind::kBadNextRead);
  EXPECT_EQ(outcome.reads, 1u);
}

TEST(UringXrpQueue, AFunctionsErrorReturnFailsTheRequest) {
  ChainFile file = straight_chain("refuse", 4);
  UringXrpQueue queue(file.path(), trusting(1));
  NativeXrp function(refuse);
  Scratch scratch;
  XrpOutcome outcome = read_one_block(queue, 0, function, scratch.bytes);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->kind, XrpFailure::Kind::kErrorReturn);
  EXPECT_NE(outcome.failure->message.find("status 7"), std::string::npos);
}

TEST(UringXrpQueue, TheReadBudgetEndsARequestThatNeverFinishes) {
  ChainFile file = straight_chain("budget", 4);
  UringXrpQueue queue(file.path(), trusting(1));
  NativeXrp function(read_forever);
  Scratch scratch;
  XrpOutcome outcome = read_one_block(queue, 0, function, scratch.bytes, 10);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->kind, XrpFailure::Kind::kTooManyReads);
  EXPECT_EQ(outcome.reads, 10u);
}

TEST(UringXrpQueue, AFileChangedWhileAReadIsInFlightFailsItAsStale) {
  ChainFile file = straight_chain("stale", 16);
  UringXrpQueue queue(file.path(), trusting(1));
  NativeXrp function(follow_chain);
  Scratch scratch;
  ASSERT_TRUE(queue.submit({&function, request_at(0, scratch.bytes), {}, 0}));
  // The reads reach the kernel at wait(): the change comes between the
  // version the request started on and its first completion.
  std::this_thread::sleep_for(std::chrono::milliseconds(25));
  file.retag(3, 1000);
  std::vector<XrpCompletion> done = queue.wait(1);
  ASSERT_EQ(done.size(), 1u);
  ASSERT_FALSE(done[0].outcome.ok());
  EXPECT_EQ(done[0].outcome.failure->kind, XrpFailure::Kind::kStale);
  EXPECT_EQ(done[0].outcome.failure->describe(),
            "the file changed while the read of 512 bytes at offset 0 was in flight (at hop 1)");
  EXPECT_EQ(scratch.u64(0), 0u);  // the function never ran on it
  // A request started afterwards sees the new version, and the new tag.
  Scratch after;
  XrpOutcome outcome = read_one_block(queue, 0, function, after.bytes);
  ASSERT_TRUE(outcome.ok()) << outcome.failure->describe();
  EXPECT_EQ(after.u64(8), 15u * 16u / 2 - 3 + 1000);
}

TEST(UringXrpQueue, AVersionTooYoungToTrustFailsAtOnceAndFallsBack) {
  ChainFile file = straight_chain("young", 16);
  // The file was written a moment ago; a second's window is sure to hold it.
  UringXrpQueue queue(file.path(), UringXrpOptions{.capacity = 1, .settle_ns = 1'000'000'000});
  NativeXrp function(follow_chain);
  Scratch scratch;
  XrpOutcome outcome = read_one_block(queue, 0, function, scratch.bytes);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->kind, XrpFailure::Kind::kStale);
  EXPECT_NE(outcome.failure->message.find("too recently"), std::string::npos);

  // The fallback waits for the file to settle (a window of 200 ms here),
  // then reads it by pread, the scratch buffer started again from what it
  // held.
  file.retag(0, 0);
  UringXrpQueue settling_queue(file.path(), UringXrpOptions{.capacity = 1, .settle_ns = 200'000'000});
  Scratch fresh;
  std::vector<uint8_t> buffer(kBlockBytes);
  FallbackOutcome fallback = run_xrp_with_fallback(settling_queue, function, request_at(0, fresh.bytes), buffer);
  EXPECT_TRUE(fallback.fell_back);
  ASSERT_TRUE(fallback.outcome.ok()) << fallback.outcome.failure->describe();
  EXPECT_EQ(fresh.u64(0), 16u);
  EXPECT_EQ(fresh.u64(8), 15u * 16u / 2);
  EXPECT_EQ(load_u64(reinterpret_cast<const char*>(buffer.data()) + 8), 15u);
}

TEST(UringXrpQueue, WithoutAChangeThereIsNoFallback) {
  ChainFile file = straight_chain("settled", 16);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  UringXrpQueue queue(file.path(), UringXrpOptions{.capacity = 1, .settle_ns = 20'000'000});
  NativeXrp function(follow_chain);
  Scratch scratch;
  FallbackOutcome ran = run_xrp_with_fallback(queue, function, request_at(0, scratch.bytes));
  EXPECT_FALSE(ran.fell_back);
  ASSERT_TRUE(ran.outcome.ok());
  EXPECT_EQ(scratch.u64(0), 16u);
}

TEST(UringXrpQueue, AHoleIsRefusedByTheDigest) {
  // Blocks 0..7 written, then a hole to 1 MiB, then one more block.
  ChainFile file = straight_chain("hole", 8);
  {
    const int fd = ::open(file.path().c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ChainBlock last{kEnd, 99};
    ASSERT_EQ(::pwrite(fd, &last, sizeof last, 1 << 20), static_cast<ssize_t>(sizeof last));
    ASSERT_EQ(ftruncate(fd, (1 << 20) + 4096), 0);
    ::close(fd);
  }
  UringXrpQueue queue(file.path(), trusting(1));
  if (!queue.digest().extents) GTEST_SKIP() << queue.digest().no_fiemap;
  NativeXrp function(follow_chain);
  Scratch scratch;
  XrpOutcome outcome = read_one_block(queue, 64 * kBlockBytes, function, scratch.bytes);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure->kind, XrpFailure::Kind::kStale);
  EXPECT_NE(outcome.failure->message.find("not on the device"), std::string::npos) << outcome.failure->message;
  // Past the hole, the written block reads.
  Scratch past;
  outcome = read_one_block(queue, 1 << 20, function, past.bytes);
  ASSERT_TRUE(outcome.ok()) << outcome.failure->describe();
  EXPECT_EQ(past.u64(8), 99u);
}

TEST(UringXrpQueue, ReadsAreDirectWhereTheFileSystemAllows) {
  ChainFile file = straight_chain("direct", 8);
  UringXrpQueue queue(file.path(), trusting(1));
  // Which one is the file system's business; either way it must be said.
  if (!queue.file().direct()) {
    EXPECT_FALSE(queue.file().buffered_reason().empty());
    GTEST_SKIP() << "buffered: " << queue.file().buffered_reason();
  }
  EXPECT_TRUE(queue.file().buffered_reason().empty());
}

TEST(UringXrpQueue, BadArgumentsAreRefused) {
  ChainFile file = straight_chain("bad", 2);
  EXPECT_THROW(UringXrpQueue(file.path(), UringXrpOptions{.capacity = 0}), std::invalid_argument);
  EXPECT_THROW(UringXrpQueue("/nonexistent/sbpf-db", {}), std::system_error);
  UringXrpQueue queue(file.path(), trusting(1));
  std::vector<uint8_t> small(100);
  NativeXrp function(follow_chain);
  EXPECT_THROW(queue.submit({&function, request_at(0, small), {}, 0}), std::invalid_argument);
  EXPECT_EQ(queue.in_flight(), 0u);
}

}  // namespace
}  // namespace sbpf::xrp
