// λ-read, λ-write and program management on the device, with a stand-in
// execution port (the model depends on nothing, so its tests cannot use
// runtime/'s): what the device does around a program, not the program.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "device_model/lambda_command_format.h"
#include "device_model/nvme_device.h"
#include "tests/device_model/test_support.h"

namespace sbpf::device_model {
namespace {

using testing::DeviceRig;

// "Images" are the names of what the program does: `upper` copies its
// input upper-cased, `count` writes the input's length as 8 bytes, `fail`
// returns -5, `abort` aborts, `huge` claims more output than it was given;
// anything else is rejected. A run costs one instruction per input byte and
// one helper byte per output byte.
class StandInPort : public ExecutionPort {
 public:
  Download download(std::span<const std::uint8_t> image) override {
    const std::string name(image.begin(), image.end());
    if (name != "upper" && name != "count" && name != "fail" && name != "abort" && name != "huge") {
      return {std::nullopt, "unknown program '" + name + "'"};
    }
    programs_.push_back(name);
    return {static_cast<std::uint32_t>(programs_.size() - 1), ""};
  }

  ExecutionOutcome execute(std::uint32_t slot, const Invocation& invocation) override {
    ++runs;
    const std::string& name = programs_.at(slot);
    ExecutionOutcome outcome;
    outcome.instructions = invocation.input.size();
    if (name == "upper") {
      for (std::size_t i = 0; i < invocation.input.size(); ++i) {
        invocation.output[i] = static_cast<std::uint8_t>(std::toupper(invocation.input[i]));
      }
      outcome.return_value = static_cast<std::int64_t>(invocation.input.size());
    } else if (name == "count") {
      const std::uint64_t size = invocation.input.size();
      std::memcpy(invocation.output.data(), &size, sizeof size);
      outcome.return_value = 8;
    } else if (name == "fail") {
      outcome.return_value = -5;
    } else if (name == "abort") {
      outcome.abort = "bounds: a read of 8 bytes past the input at pc 3";
    } else {
      outcome.return_value = static_cast<std::int64_t>(invocation.output.size() + 1);
    }
    outcome.helper_bytes = outcome.return_value > 0 ? static_cast<std::uint64_t>(outcome.return_value) : 0;
    return outcome;
  }

  int runs = 0;

 private:
  std::vector<std::string> programs_;
};

struct LambdaRig : DeviceRig {
  LambdaRig() : queue(device.create_queue_pair(8, CompletionMode::interrupt)) {
    device.set_execution_port(&port);
    // Block 4 holds "hello ", block 9 "world".
    std::vector<std::uint8_t> block(512);
    std::memcpy(block.data(), "hello ", 6);
    device.namespace_file(1).write(4, block);
    std::memset(block.data(), 0, block.size());
    std::memcpy(block.data(), "world", 5);
    device.namespace_file(1).write(9, block);
  }

  Completion program(Opcode opcode, std::uint32_t slot, const std::string& image = "") {
    Command command;
    command.opcode = opcode;
    command.program_id = slot;
    std::vector<std::uint8_t> data(image.begin(), image.end());
    command.data = data;
    return run_one(queue, command).first;
  }

  void load(std::uint32_t slot, const std::string& image) {
    ASSERT_EQ(program(Opcode::program_download, slot, image).status, Status::success);
    ASSERT_EQ(program(Opcode::program_activate, slot).status, Status::success);
  }

  Command lambda(Opcode opcode, std::uint32_t slot, const std::vector<LambdaExtent>& extents,
                 std::vector<std::uint8_t>& data) {
    metadata = encode_lambda_metadata(extents);
    Command command;
    command.opcode = opcode;
    command.program_id = slot;
    command.metadata = metadata;
    command.extent_count = static_cast<std::uint32_t>(extents.size());
    command.data = data;
    command.reply = reply;
    return command;
  }

  StandInPort port;
  QueuePair& queue;
  LambdaMetadata metadata{};
  std::vector<std::uint8_t> reply = std::vector<std::uint8_t>(kLambdaReplyHeaderBytes);
};

const std::vector<LambdaExtent> kHelloWorld = {{4 * 512, 6}, {9 * 512, 5}};

TEST(LambdaCommandFormat, MetadataRoundTripsAtTheLimitsOfItsFields) {
  const std::vector<LambdaExtent> extents = {{0, 1}, {kLambdaMaxExtentAddress, kLambdaMaxExtentBytes}, {4096, 512}};
  const LambdaMetadata metadata = encode_lambda_metadata(extents);
  const DecodedMetadata decoded = decode_lambda_metadata(metadata, 3);
  EXPECT_EQ(decoded.error, "");
  EXPECT_EQ(decoded.extents, extents);
  // {addr:40, len:24}: 512 bytes at 4096 is 0x00000200'0000001000 little-endian.
  const std::uint8_t third[8] = {0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00};
  EXPECT_EQ(std::memcmp(&metadata[16], third, 8), 0);
}

TEST(LambdaCommandFormat, WhatDoesNotFitIsRefused) {
  EXPECT_THROW(encode_lambda_metadata(std::vector<LambdaExtent>(33, {0, 1})), std::invalid_argument);
  EXPECT_THROW(encode_lambda_metadata(std::vector<LambdaExtent>{{kLambdaMaxExtentAddress + 1, 1}}),
               std::invalid_argument);
  EXPECT_THROW(encode_lambda_metadata(std::vector<LambdaExtent>{{0, kLambdaMaxExtentBytes + 1}}),
               std::invalid_argument);
  const LambdaMetadata metadata = encode_lambda_metadata(std::vector<LambdaExtent>{{0, 1}});
  EXPECT_EQ(decode_lambda_metadata(metadata, 33).error, "33 extents; at most 32");
  EXPECT_EQ(decode_lambda_metadata(metadata, 2).error, "extent 1 is empty");
  EXPECT_EQ(decode_lambda_metadata(std::span(metadata).first(100), 1).error,
            "the metadata buffer is 100 bytes, not 4096");
}

TEST(LambdaCommandFormat, ReplyHeaderRoundTrips) {
  std::array<std::uint8_t, kLambdaReplyHeaderBytes> bytes{};
  const LambdaReplyHeader header{-7, 123456789, 42};
  encode_reply_header(header, bytes);
  EXPECT_EQ(bytes[0], 0xf9);
  EXPECT_EQ(decode_reply_header(bytes), header);
}

TEST(LambdaCommandTest, ALambdaReadRunsTheProgramOverItsExtentsInOrder) {
  LambdaRig rig;
  rig.load(3, "upper");
  std::vector<std::uint8_t> data(kLambdaReplyHeaderBytes + 64);
  auto [completion, seen] = rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 3, kHelloWorld, data));
  ASSERT_EQ(completion.status, Status::success) << completion.detail;
  const LambdaReplyHeader header = decode_reply_header(std::span(data).first<kLambdaReplyHeaderBytes>());
  EXPECT_EQ(header.size_o, 11);
  EXPECT_EQ(std::string(data.begin() + kLambdaReplyHeaderBytes, data.begin() + kLambdaReplyHeaderBytes + 11),
            "HELLO WORLD");
  // Round numbers (test_support.h): both extents from the medium at once
  // (1000), then 11 instructions at 1 ns and 11 helper bytes at 0.5 ns
  // (17 ns, rounded up), then 24 + 11 bytes over the link at 1 ns a byte.
  EXPECT_EQ(header.pre_ns, 1000u);
  EXPECT_EQ(header.calc_ns, 17u);
  EXPECT_EQ(completion.posted_at - completion.submitted_at, 10u + 100u + 1000u + 17u + 35u);
}

TEST(LambdaCommandTest, ALambdaWriteStoresTheOutputInItsExtentsAndRepliesWithTheHeader) {
  LambdaRig rig;
  rig.load(0, "upper");
  const std::string input = "abcdefgh";
  std::vector<std::uint8_t> data(input.begin(), input.end());
  // The output's first 5 bytes go to block 20, the other 3 to block 30.
  auto [completion, seen] =
      rig.run_one(rig.queue, rig.lambda(Opcode::lambda_write, 0, {{20 * 512, 5}, {30 * 512 + 7, 100}}, data));
  ASSERT_EQ(completion.status, Status::success) << completion.detail;
  EXPECT_EQ(decode_reply_header(std::span(rig.reply).first<kLambdaReplyHeaderBytes>()),
            (LambdaReplyHeader{8, 12, 8}));  // 8 instructions + 8 × 0.5 ns; 8 bytes over the link
  std::vector<std::uint8_t> block(512);
  rig.device.namespace_file(1).read(20, block);
  EXPECT_EQ(std::string(block.begin(), block.begin() + 6), std::string("ABCDE\0", 6));
  rig.device.namespace_file(1).read(30, block);
  EXPECT_EQ(std::string(block.begin() + 7, block.begin() + 11), std::string("FGH\0", 4));
  // 8 bytes in, 12 ns on the core, the medium's 2000 ns write.
  EXPECT_EQ(completion.posted_at - completion.submitted_at, 10u + 100u + 8u + 12u + 2000u);
}

TEST(LambdaCommandTest, ProgramsRunOnlyOnceDownloadedAndActive) {
  LambdaRig rig;
  std::vector<std::uint8_t> data(kLambdaReplyHeaderBytes + 64);
  EXPECT_EQ(rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 1, kHelloWorld, data)).first.status,
            Status::program_not_active);
  ASSERT_EQ(rig.program(Opcode::program_download, 1, "count").status, Status::success);
  EXPECT_EQ(rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 1, kHelloWorld, data)).first.status,
            Status::program_not_active);
  ASSERT_EQ(rig.program(Opcode::program_activate, 1).status, Status::success);
  EXPECT_EQ(rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 1, kHelloWorld, data)).first.status,
            Status::success);
  ASSERT_EQ(rig.program(Opcode::program_deactivate, 1).status, Status::success);
  EXPECT_EQ(rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 1, kHelloWorld, data)).first.status,
            Status::program_not_active);
  EXPECT_EQ(rig.port.runs, 1);
  // Activating a slot nothing was downloaded to is a bad field.
  EXPECT_EQ(rig.program(Opcode::program_activate, 2).status, Status::invalid_field);
}

TEST(LambdaCommandTest, TheDevicesVerifierHasTheLastWord) {
  LambdaRig rig;
  const Completion completion = rig.program(Opcode::program_download, 0, "rm -rf");
  EXPECT_EQ(completion.status, Status::program_rejected);
  EXPECT_EQ(completion.detail, "unknown program 'rm -rf'");
  EXPECT_EQ(rig.program(Opcode::program_activate, 0).status, Status::invalid_field);
}

TEST(LambdaCommandTest, AnAbortFailsTheCommandWithItsReason) {
  LambdaRig rig;
  rig.load(0, "abort");
  std::vector<std::uint8_t> data(kLambdaReplyHeaderBytes + 64);
  const Completion completion = rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 0, kHelloWorld, data)).first;
  EXPECT_EQ(completion.status, Status::program_aborted);
  EXPECT_EQ(completion.detail, "bounds: a read of 8 bytes past the input at pc 3");
}

TEST(LambdaCommandTest, ErrorsAndOverrunsComeBackInTheHeaderWithNoOutput) {
  LambdaRig rig;
  rig.load(0, "fail");
  rig.load(1, "huge");
  std::vector<std::uint8_t> data(kLambdaReplyHeaderBytes + 64, 0xee);
  Completion completion = rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 0, kHelloWorld, data)).first;
  EXPECT_EQ(completion.status, Status::success);
  EXPECT_EQ(decode_reply_header(std::span(data).first<kLambdaReplyHeaderBytes>()).size_o, -5);
  EXPECT_EQ(data[kLambdaReplyHeaderBytes], 0xee);
  completion = rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 1, kHelloWorld, data)).first;
  EXPECT_EQ(completion.status, Status::success);
  EXPECT_EQ(decode_reply_header(std::span(data).first<kLambdaReplyHeaderBytes>()).size_o, 65);
  EXPECT_EQ(data[kLambdaReplyHeaderBytes], 0xee);
}

TEST(LambdaCommandTest, BadLambdaCommandsFailBeforeAnyProgramRuns) {
  LambdaRig rig;
  rig.load(0, "upper");
  std::vector<std::uint8_t> data(kLambdaReplyHeaderBytes + 64);
  EXPECT_EQ(rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 0, {{64 * 512 - 4, 5}}, data)).first.status,
            Status::lba_out_of_range);
  Command command = rig.lambda(Opcode::lambda_read, 0, kHelloWorld, data);
  command.extent_count = 33;
  EXPECT_EQ(rig.run_one(rig.queue, command).first.status, Status::invalid_field);
  command = rig.lambda(Opcode::lambda_read, 0, kHelloWorld, data);
  command.namespace_id = 2;
  EXPECT_EQ(rig.run_one(rig.queue, command).first.status, Status::invalid_namespace);
  std::vector<std::uint8_t> too_small(kLambdaReplyHeaderBytes - 1);
  EXPECT_EQ(rig.run_one(rig.queue, rig.lambda(Opcode::lambda_read, 0, kHelloWorld, too_small)).first.status,
            Status::invalid_field);
  EXPECT_EQ(rig.port.runs, 0);
}

TEST(LambdaCommandTest, ADeviceWithoutCoresOrAPortRunsNoPrograms) {
  DeviceRig rig;
  QueuePair& queue = rig.device.create_queue_pair(8, CompletionMode::interrupt);
  Command command;
  command.opcode = Opcode::program_download;
  const std::string name = "upper";
  std::vector<std::uint8_t> image(name.begin(), name.end());
  command.data = image;
  EXPECT_EQ(rig.run_one(queue, command).first.status, Status::invalid_opcode);
  StandInPort port;
  DeviceProfile profile = testing::round_profile();
  profile.cores.count = 0;
  DeviceRig coreless(profile);
  coreless.device.set_execution_port(&port);
  QueuePair& other = coreless.device.create_queue_pair(8, CompletionMode::interrupt);
  EXPECT_EQ(coreless.run_one(other, command).first.status, Status::invalid_opcode);
}

TEST(LambdaCommandTest, RequestsShareTheCoresAndQueueWhenAllAreBusy) {
  LambdaRig rig;  // two cores
  rig.load(0, "count");
  std::vector<std::vector<std::uint8_t>> data(3, std::vector<std::uint8_t>(kLambdaReplyHeaderBytes + 8));
  std::vector<LambdaMetadata> metadata(3);
  std::vector<Completion> done;
  rig.queue.on_completion([&](QueuePair& q) {
    for (const Completion& c : q.reap()) done.push_back(c);
  });
  // 5,000 bytes each: 5,000 ns on a core, longer than the link's stagger.
  const std::vector<LambdaExtent> extents = {{0, 5000}};
  for (std::uint16_t i = 0; i < 3; ++i) {
    Command command = rig.lambda(Opcode::lambda_read, 0, extents, data[i]);
    metadata[i] = rig.metadata;
    command.metadata = metadata[i];
    command.command_id = i;
    ASSERT_TRUE(rig.queue.submit(command));
  }
  rig.queue.ring_submission_doorbell();
  rig.clock.run();
  ASSERT_EQ(done.size(), 3u);
  std::map<std::uint16_t, Nanoseconds> posted;
  for (const Completion& c : done) posted[c.command_id] = c.posted_at;
  // Fetches are 10 ns apart; the medium takes 1000 ns each, in parallel.
  // The first two run side by side, and their 32-byte replies leave one
  // after the other; the third waits for a core.
  EXPECT_EQ(posted[1] - posted[0], 32u);
  EXPECT_GE(posted[2] - posted[0], 5004u);
  for (const auto& buffer : data) {
    EXPECT_EQ(decode_reply_header(std::span(buffer).first<kLambdaReplyHeaderBytes>()).calc_ns, 5004u);
  }
}

}  // namespace
}  // namespace sbpf::device_model
