// The synchronous resubmission loop's contract: whole blocks, fanout (every
// slot a read, one run on all of them), a bounded number of reads, and every
// way a function can end a request.
#include "xrp_abi/sync_resubmission.h"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "isa/assembler.h"

namespace sbpf::xrp {
namespace {

// A 64 KiB "file" whose byte i is i / 512 (the block number), read from memory.
struct MemoryFile {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(64 * 1024);
  std::vector<std::pair<uint64_t, uint64_t>> reads;  // offset, size
  MemoryFile() {
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i / 512);
  }
  BlockReader reader() {
    return [this](uint64_t offset, std::span<uint8_t> out) {
      reads.emplace_back(offset, out.size());
      if (offset + out.size() > bytes.size()) return false;
      std::memcpy(out.data(), bytes.data() + offset, out.size());
      return true;
    };
  }
};

struct Outcome {
  XrpOutcome outcome;
  std::vector<uint8_t> scratch = std::vector<uint8_t>(kScratchBytes);
  std::vector<std::pair<uint64_t, uint64_t>> reads;
};

Outcome run(const std::string& text, uint64_t max_reads = 4096) {
  runtime::LoadedProgram program =
      runtime::load(isa::assemble(text, "xrp.s"), verifier::xrp_program_type(), {.verify = false});
  BytecodeXrp function(program);
  MemoryFile file;
  Outcome o;
  XrpRequest request;
  request.scratch = o.scratch;
  request.max_reads = max_reads;
  o.outcome = run_xrp_request(function, file.reader(), request);
  o.reads = file.reads;
  return o;
}

// Context offsets: data 0, done 8, next_addr 16, size 144, scratch 272.

TEST(SyncResubmission, FollowsTheChainTheFunctionAsksFor) {
  // Counts completions in scratch[0]; reads block 1, 2, 3, then stops. Each
  // block's first byte (its number) decides the next offset.
  auto o = run(
      "ldxdw %r2, [%r1+272]\n"  // scratch
      "ldxdw %r3, [%r2+0]\n"
      "add %r3, 1\n"
      "stxdw [%r2+0], %r3\n"
      "ldxdw %r4, [%r1+0]\n"    // data
      "ldxb %r4, [%r4+0]\n"     // block number
      "jeq %r4, 3, finish\n"
      "add %r4, 1\n"
      "lsh %r4, 9\n"
      "stxdw [%r1+16], %r4\n"
      "mov %r5, 512\n"
      "stxdw [%r1+144], %r5\n"
      "mov %r0, 0\n"
      "exit\n"
      "finish:\n"
      "stw [%r1+8], 1\n"
      "mov %r0, 0\n"
      "exit\n");
  ASSERT_TRUE(o.outcome.ok()) << o.outcome.failure->describe();
  EXPECT_EQ(o.outcome.reads, 4u);
  EXPECT_EQ(o.scratch[0], 4);
  EXPECT_EQ(o.reads, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 512}, {512, 512}, {1024, 512}, {1536, 512}}));
}

// Fanout: on its first run the function asks for blocks 5 (slot 0), 9 (slot
// 3) and 2 (slot 15) at once; on its second it sees them one after another
// in slot order, and keeps the first byte of each in scratch before it ends.
TEST(SyncResubmission, FanoutReadsEverySlotAndRunsOnceOnAllOfThem) {
  auto o = run(
      "ldxdw %r2, [%r1+272]\n"  // scratch
      "ldxdw %r3, [%r2+0]\n"
      "jne %r3, 0, second\n"
      "mov %r3, 1\n"
      "stxdw [%r2+0], %r3\n"
      "mov %r4, 2560\n"
      "stxdw [%r1+16], %r4\n"   // next_addr[0] = block 5
      "mov %r4, 4608\n"
      "stxdw [%r1+40], %r4\n"   // next_addr[3] = block 9
      "mov %r4, 1024\n"
      "stxdw [%r1+136], %r4\n"  // next_addr[15] = block 2
      "mov %r4, 512\n"
      "stxdw [%r1+144], %r4\n"
      "stxdw [%r1+168], %r4\n"
      "stxdw [%r1+264], %r4\n"
      "mov %r0, 0\n"
      "exit\n"
      "second:\n"
      "ldxdw %r4, [%r1+0]\n"    // data: three blocks
      "ldxb %r5, [%r4+0]\n"
      "stxb [%r2+8], %r5\n"
      "ldxb %r5, [%r4+512]\n"
      "stxb [%r2+9], %r5\n"
      "ldxb %r5, [%r4+1024]\n"
      "stxb [%r2+10], %r5\n"
      "mov %r3, 1\n"
      "stxw [%r1+8], %r3\n"     // done
      "mov %r0, 0\n"
      "exit\n");
  ASSERT_TRUE(o.outcome.ok()) << o.outcome.failure->describe();
  EXPECT_EQ(o.outcome.reads, 4u);
  EXPECT_EQ(o.reads, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 512}, {2560, 512}, {4608, 512}, {1024, 512}}));
  EXPECT_EQ(o.scratch[8], 5);
  EXPECT_EQ(o.scratch[9], 9);
  EXPECT_EQ(o.scratch[10], 2);
}

TEST(SyncResubmission, EverySlotOfAFanoutIsChecked) {
  auto o = run(
      "mov %r2, 512\n"
      "stxdw [%r1+144], %r2\n"
      "mov %r2, 100\n"
      "stxdw [%r1+32], %r2\n"   // next_addr[2] = 100: not a block
      "mov %r2, 512\n"
      "stxdw [%r1+160], %r2\n"
      "mov %r0, 0\n"
      "exit\n");
  ASSERT_FALSE(o.outcome.ok());
  EXPECT_EQ(o.outcome.failure->kind, XrpFailure::Kind::kBadNextRead);
  EXPECT_EQ(o.outcome.failure->describe(),
            "the read in slot 2 (512 bytes at offset 100) is not whole 512-byte blocks of at most 1048576 bytes "
            "(at hop 1)");
  EXPECT_EQ(o.outcome.reads, 1u);
}

TEST(SyncResubmission, AFanoutCountsEveryReadAgainstTheBound) {
  // Asks for blocks 0 and 1 again and again: 1 + 2 + 2 reads fit in 5, the
  // next two do not.
  auto o = run(
      "mov %r2, 512\n"
      "stxdw [%r1+24], %r2\n"
      "stxdw [%r1+144], %r2\n"
      "stxdw [%r1+152], %r2\n"
      "mov %r0, 0\n"
      "exit\n",
      5);
  ASSERT_FALSE(o.outcome.ok());
  EXPECT_EQ(o.outcome.failure->kind, XrpFailure::Kind::kTooManyReads);
  EXPECT_EQ(o.outcome.failure->describe(), "more than 5 reads for one request (at hop 3)");
  EXPECT_EQ(o.outcome.reads, 5u);
}

TEST(SyncResubmission, NeitherDoneNorAReadIsRefused) {
  auto o = run("mov %r0, 0\nexit\n");
  ASSERT_FALSE(o.outcome.ok());
  EXPECT_EQ(o.outcome.failure->message, "the function neither set done nor asked for a read");
}

TEST(SyncResubmission, ReadsAreWholeBlocks) {
  auto o = run(
      "mov %r2, 100\n"
      "stxdw [%r1+16], %r2\n"
      "mov %r2, 512\n"
      "stxdw [%r1+144], %r2\n"
      "mov %r0, 0\n"
      "exit\n");
  ASSERT_FALSE(o.outcome.ok());
  EXPECT_EQ(o.outcome.failure->message,
            "the read in slot 0 (512 bytes at offset 100) is not whole 512-byte blocks of at most 1048576 bytes");
}

TEST(SyncResubmission, ReadsPastTheEndOfTheFileFail) {
  auto o = run(
      "lddw %r2, 0x100000\n"
      "stxdw [%r1+16], %r2\n"
      "mov %r2, 512\n"
      "stxdw [%r1+144], %r2\n"
      "mov %r0, 0\n"
      "exit\n");
  ASSERT_FALSE(o.outcome.ok());
  EXPECT_EQ(o.outcome.failure->message, "read of 512 bytes at offset 1048576 is past the end of the file");
  EXPECT_EQ(o.outcome.reads, 2u);
}

TEST(SyncResubmission, ResubmissionsAreBounded) {
  // Reads block 0 forever.
  auto o = run(
      "mov %r2, 512\n"
      "stxdw [%r1+144], %r2\n"
      "mov %r0, 0\n"
      "exit\n",
      10);
  ASSERT_FALSE(o.outcome.ok());
  EXPECT_EQ(o.outcome.failure->kind, XrpFailure::Kind::kTooManyReads);
  EXPECT_EQ(o.outcome.reads, 10u);
}

TEST(SyncResubmission, ANonZeroReturnAbortsTheRequest) {
  auto o = run("mov %r0, 7\nexit\n");
  ASSERT_FALSE(o.outcome.ok());
  EXPECT_EQ(o.outcome.failure->kind, XrpFailure::Kind::kErrorReturn);
  EXPECT_EQ(o.outcome.failure->message, "the function aborted the request with status 7");
}

TEST(SyncResubmission, TheDataBlockIsReadOnlyAndBounded) {
  auto store = run(
      "ldxdw %r2, [%r1+0]\n"
      "stb [%r2+0], 1\n"
      "mov %r0, 0\n"
      "exit\n");
  ASSERT_FALSE(store.outcome.ok());
  EXPECT_EQ(store.outcome.failure->kind, XrpFailure::Kind::kAbort);
  auto load = run(
      "ldxdw %r2, [%r1+0]\n"
      "ldxb %r0, [%r2+512]\n"
      "exit\n");
  ASSERT_FALSE(load.outcome.ok());
  EXPECT_EQ(load.outcome.failure->abort->kind, runtime::AbortKind::kBounds);
}

TEST(SyncResubmission, ScratchIsSharedWithTheCaller) {
  auto o = run(
      "ldxdw %r2, [%r1+272]\n"
      "stdw [%r2+4088], 99\n"
      "stw [%r1+8], 1\n"
      "mov %r0, 0\n"
      "exit\n");
  ASSERT_TRUE(o.outcome.ok());
  uint64_t last = 0;
  std::memcpy(&last, o.scratch.data() + 4088, 8);
  EXPECT_EQ(last, 99u);
}

// The verifier's XRP program type describes the struct the engine fills.
TEST(XrpContext, TheVerifiersLayoutIsStructBpfXrp) {
  const verifier::ProgramType type = verifier::xrp_program_type();
  EXPECT_EQ(type.ctx_size, sizeof(Context));
  auto field = [&](const std::string& name) {
    for (const verifier::CtxField& f : type.ctx_fields)
      if (f.name == name) return f;
    ADD_FAILURE() << "no field " << name;
    return verifier::CtxField{};
  };
  EXPECT_EQ(field("data").offset, offsetof(Context, data));
  EXPECT_EQ(field("done").offset, offsetof(Context, done));
  EXPECT_EQ(field("next_addr").offset, offsetof(Context, next_addr));
  EXPECT_EQ(field("next_addr").size, sizeof(Context::next_addr));
  EXPECT_EQ(field("size").offset, offsetof(Context, size));
  EXPECT_EQ(field("size").size, sizeof(Context::size));
  EXPECT_EQ(field("scratch").offset, offsetof(Context, scratch));
}

}  // namespace
}  // namespace sbpf::xrp
