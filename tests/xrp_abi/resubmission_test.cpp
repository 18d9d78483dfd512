// The resubmission state machine on its own, driven the way an asynchronous
// backend drives it: completions in any order, one run per batch, and the
// misuse a driver could make of it refused.
#include "xrp_abi/resubmission.h"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <vector>

namespace sbpf::xrp {
namespace {

// An XRP function written in C++: records the data each run sees and asks
// for what `next` says.
class ScriptedFunction : public XrpFunction {
 public:
  std::function<void(Context&, int run)> next;
  std::vector<std::vector<uint8_t>> seen;

  runtime::ExecutionResult invoke(Context& context, std::span<const uint8_t> data, std::span<uint8_t>) override {
    EXPECT_EQ(reinterpret_cast<const uint8_t*>(context.data), data.data());
    seen.emplace_back(data.begin(), data.end());
    next(context, static_cast<int>(seen.size()) - 1);
    return runtime::ExecutionResult{0, std::nullopt};
  }
};

std::vector<uint8_t> block(uint8_t fill) { return std::vector<uint8_t>(kBlockBytes, fill); }

struct Fixture {
  std::vector<uint8_t> scratch = std::vector<uint8_t>(kScratchBytes);
  ScriptedFunction function;
  XrpRequest request() { return XrpRequest{.offset = 0, .scratch = scratch, .file_size = 1 << 20}; }
};

TEST(Resubmission, ABatchRunsOnceWhenItsLastReadCompletesInWhateverOrder) {
  Fixture f;
  f.function.next = [](Context& context, int run) {
    if (run == 1) {
      context.done = 1;
      return;
    }
    for (int slot : {0, 1, 2}) {
      context.next_addr[slot] = 512 * (10 + slot);
      context.size[slot] = 512;
    }
  };
  XrpRequestState state(f.function, f.request());
  XrpStep step = state.start();
  ASSERT_EQ(step.kind, XrpStep::Kind::kRead);
  EXPECT_EQ(step.reads, (std::vector<BlockRead>{{0, 512}}));
  step = state.complete(0, block(0xaa));
  ASSERT_EQ(step.kind, XrpStep::Kind::kRead);
  EXPECT_EQ(step.reads, (std::vector<BlockRead>{{5120, 512}, {5632, 512}, {6144, 512}}));
  EXPECT_EQ(state.complete(2, block(3)).kind, XrpStep::Kind::kWaiting);
  EXPECT_EQ(state.complete(0, block(1)).kind, XrpStep::Kind::kWaiting);
  EXPECT_EQ(f.function.seen.size(), 1u);
  EXPECT_EQ(state.complete(1, block(2)).kind, XrpStep::Kind::kDone);
  ASSERT_EQ(f.function.seen.size(), 2u);
  // Slot order, not completion order.
  std::vector<uint8_t> expected = block(1);
  for (uint8_t fill : {2, 3}) {
    std::vector<uint8_t> b = block(fill);
    expected.insert(expected.end(), b.begin(), b.end());
  }
  EXPECT_EQ(f.function.seen[1], expected);
  EXPECT_EQ(state.reads_issued(), 4u);
  EXPECT_EQ(state.hops(), 2u);
}

TEST(Resubmission, ReadsOutsideTheFileAreRefusedBeforeTheyAreIssued) {
  Fixture f;
  f.function.next = [](Context& context, int) {
    context.next_addr[4] = (1 << 20) - 512;
    context.size[4] = 1024;
  };
  XrpRequestState state(f.function, f.request());
  state.start();
  XrpStep step = state.complete(0, block(0));
  ASSERT_EQ(step.kind, XrpStep::Kind::kFailed);
  EXPECT_EQ(step.failure->describe(),
            "the read in slot 4 (1024 bytes at offset 1048064) is past the end of the file (1048576 bytes) (at hop 1)");
  EXPECT_EQ(state.reads_issued(), 1u);
}

TEST(Resubmission, TheFirstReadIsCheckedToo) {
  Fixture f;
  XrpRequest request = f.request();
  request.offset = 100;
  XrpRequestState state(f.function, request);
  XrpStep step = state.start();
  ASSERT_EQ(step.kind, XrpStep::Kind::kFailed);
  EXPECT_EQ(step.failure->kind, XrpFailure::Kind::kBadNextRead);
  EXPECT_EQ(step.failure->message,
            "the request's read (512 bytes at offset 100) is not whole 512-byte blocks of at most 1048576 bytes");
  EXPECT_EQ(state.reads_issued(), 0u);
}

TEST(Resubmission, AnEmptyFirstReadFails) {
  Fixture f;
  XrpRequest request = f.request();
  request.size = 0;
  XrpRequestState state(f.function, request);
  XrpStep step = state.start();
  ASSERT_EQ(step.kind, XrpStep::Kind::kFailed);
  EXPECT_EQ(step.failure->kind, XrpFailure::Kind::kBadNextRead);
  EXPECT_EQ(step.failure->message, "the request's read (0 bytes at offset 0) is empty");
  EXPECT_EQ(state.reads_issued(), 0u);
}

TEST(Resubmission, AFailedReadEndsTheRequestAtItsHop) {
  Fixture f;
  f.function.next = [](Context& context, int) {
    context.next_addr[0] = 512;
    context.size[0] = 512;
  };
  XrpRequestState state(f.function, f.request());
  state.start();
  state.complete(0, block(0));
  XrpStep step = state.read_failed(0, XrpFailure::Kind::kStale, "the file's layout changed");
  ASSERT_EQ(step.kind, XrpStep::Kind::kFailed);
  EXPECT_EQ(step.failure->kind, XrpFailure::Kind::kStale);
  EXPECT_EQ(step.failure->describe(), "the file's layout changed (at hop 2)");
  EXPECT_THROW(state.complete(0, block(0)), std::logic_error);
}

TEST(Resubmission, ADriversMistakesAreRefused) {
  Fixture f;
  f.function.next = [](Context& context, int) { context.done = 1; };
  XrpRequestState state(f.function, f.request());
  EXPECT_THROW(state.complete(0, block(0)), std::logic_error);  // nothing issued yet
  state.start();
  EXPECT_THROW(state.start(), std::logic_error);
  EXPECT_THROW(state.complete(1, block(0)), std::logic_error);  // no such read
  EXPECT_THROW(state.complete(0, std::vector<uint8_t>(100)), std::invalid_argument);
  EXPECT_EQ(state.complete(0, block(0)).kind, XrpStep::Kind::kDone);
  EXPECT_THROW(state.complete(0, block(0)), std::logic_error);  // finished
  std::vector<uint8_t> small(10);
  XrpRequest request = f.request();
  request.scratch = small;
  EXPECT_THROW(XrpRequestState(f.function, request), std::invalid_argument);
}

}  // namespace
}  // namespace sbpf::xrp
