// What the device model's tests share: a profile with round numbers, and
// scratch files that clean up after themselves.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <utility>
#include <string>

#include "device_model/device_profile.h"
#include "device_model/nvme_device.h"

namespace sbpf::device_model::testing {

// Numbers chosen so that each component's share of a command is visible in
// the result: link 1 GB/s (1 ns a byte), 10 ns per command, controller
// 100 ns, medium 1000 ns reads and 2000 ns writes.
inline DeviceProfile round_profile() {
  DeviceProfile profile;
  profile.name = "round";
  profile.summary = "round numbers for tests";
  profile.media = FixedLatencyMedium::Config{1000, 2000, 500, 0};
  profile.controller.command_ns = 100;
  profile.link = PcieLink::Config{1'000'000'000, 10};
  profile.cores = CorePool::Config{2, 1000, 500};
  profile.interrupt = InterruptModel::Config{300, 2000, 40};
  profile.host.cores = CorePool::Config{6, 333, 42};
  profile.host.layers = HostStackCosts{351, 199, 2006, 379, 113};
  return profile;
}

class ScratchFile {
 public:
  ScratchFile() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("sbpf_device_model_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove(path_);
  }
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// A device on its own clock with one namespace of 64 blocks of 512 bytes.
struct DeviceRig {
  explicit DeviceRig(DeviceProfile profile = round_profile(), std::uint64_t seed = 1)
      : device(std::move(profile), clock, seed) {
    device.attach_namespace(1, NamespaceFile(scratch.path(), 64, 512));
  }

  // Submits one command on `queue` now, runs the clock until the host sees
  // its completion, and returns it with the time it was seen.
  std::pair<Completion, Nanoseconds> run_one(QueuePair& queue, const Command& command) {
    std::optional<Completion> done;
    Nanoseconds seen = 0;
    queue.on_completion([&](QueuePair& q) {
      for (const Completion& c : q.reap()) {
        done = c;
        seen = clock.now();
      }
    });
    EXPECT_TRUE(queue.submit(command));
    queue.ring_submission_doorbell();
    clock.run();
    EXPECT_TRUE(done.has_value());
    return {done.value_or(Completion{}), seen};
  }

  ScratchFile scratch;
  EventQueue clock;
  NvmeDevice device;
};

}  // namespace sbpf::device_model::testing
