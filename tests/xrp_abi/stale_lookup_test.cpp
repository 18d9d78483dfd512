// BPF-KV lookups through io_uring XRP while another thread rewrites the
// database in place: the version check turns every request that may have
// seen a mix of two databases into a stale failure, the pread fallback
// answers it, and no answer is ever wrong.
//
// The two databases have the same number of keys, so the same size and the
// same tree shape, but different keys: A holds 0, 1, 2, ... and B holds
// 0, 3, 6, .... Their nodes sit at the same offsets, so a lookup that read
// the root of one and a leaf of the other would happily answer, wrongly;
// only the version can tell. An answer is right if it is A's or B's.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include <sbpf/bpfkv.h>

#include "frontend/elf_loader.h"
#include "verifier/program_type.h"
#include "xrp_abi/bpfkv_database.h"
#include "xrp_abi/bpfkv_queries.h"
#include "xrp_abi/uring_xrp_queue.h"

namespace sbpf::xrp {
namespace {

// A request's first read and scratch, the rest by default.
XrpRequest request_at(uint64_t offset, std::span<uint8_t> scratch) {
  return XrpRequest{.offset = offset, .scratch = scratch, .max_reads = kDefaultMaxReads, .file_size = std::nullopt};
}

constexpr uint64_t kKeys = 20000;
constexpr uint64_t kStrideB = 3;

std::vector<uint8_t> read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::optional<BpfkvValue> answer_in_a(uint64_t key) {
  if (key < kKeys) return bpfkv_value_for_key(key);
  return std::nullopt;
}
std::optional<BpfkvValue> answer_in_b(uint64_t key) {
  if (key % kStrideB == 0 && key / kStrideB < kKeys) return bpfkv_value_for_key(key);
  return std::nullopt;
}

void set_query(std::span<uint8_t> scratch, uint64_t key) { bpfkv_get_scratch({&key, 1}, scratch); }

std::optional<BpfkvValue> answer(std::span<const uint8_t> scratch) { return bpfkv_get_answers(scratch, 1)[0]; }

// Rewrites `path` in place with `a` and `b` in turn, 64 KiB per pwrite,
// resting `rest` between rewrites, until told to stop.
class Rewriter {
 public:
  Rewriter(const std::string& path, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
           std::chrono::milliseconds rest)
      : thread_([this, path, &a, &b, rest] {
          const int fd = ::open(path.c_str(), O_WRONLY);
          if (fd < 0) return;
          for (bool to_b = true; !stop_; to_b = !to_b) {
            const std::vector<uint8_t>& bytes = to_b ? b : a;
            for (size_t at = 0; at < bytes.size(); at += 65536) {
              const size_t n = std::min<size_t>(65536, bytes.size() - at);
              if (::pwrite(fd, bytes.data() + at, n, static_cast<off_t>(at)) != static_cast<ssize_t>(n)) break;
            }
            ++rewrites_;
            std::this_thread::sleep_for(rest);
          }
          ::close(fd);
        }) {}
  ~Rewriter() {
    stop_ = true;
    thread_.join();
  }
  uint64_t rewrites() const { return rewrites_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> rewrites_{0};
  std::thread thread_;
};

TEST(StaleLookup, ARewrittenDatabaseNeverAnswersWrong) {
  const auto dir = std::filesystem::temp_directory_path() / ("sbpf-stale-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "db").string();
  build_bpfkv_database((dir / "b").string(), {kKeys, kStrideB});
  build_bpfkv_database(path, {kKeys, 1});
  const std::vector<uint8_t> a = read_whole(path);
  const std::vector<uint8_t> b = read_whole(dir / "b");
  ASSERT_EQ(a.size(), b.size());
  ASSERT_NE(a, b);

  isa::Program program = frontend::load_elf_program(std::string(SBPF_SAMPLES_BUILD_DIR) + "/xrp/bpfkv_get.o");
  runtime::LoadedProgram loaded = runtime::load(program, verifier::xrp_program_type(), {});
  ASSERT_TRUE(loaded.ok());
  BytecodeXrp function(loaded);

  constexpr size_t kDepth = 32;
  UringXrpQueue queue(path, {.capacity = kDepth});
  std::vector<std::vector<uint8_t>> scratch(kDepth, std::vector<uint8_t>(kScratchBytes));
  std::vector<uint64_t> key_of(kDepth);
  std::vector<uint32_t> free_buffers;
  for (uint32_t i = 0; i < kDepth; ++i) free_buffers.push_back(i);

  std::mt19937_64 random(7);
  // Keys where A and B mostly disagree: A has [0, 20000), B multiples of 3
  // up to 60000.
  std::uniform_int_distribution<uint64_t> any_key(0, kStrideB * kKeys);
  uint64_t lookups = 0, stale = 0, like_a_only = 0, like_b_only = 0, wrong = 0;
  {
    // Calm spells of 150 ms between rewrites: long enough, even in the sanitizer
    // build, for lookups to finish between them as well as across them.
    Rewriter rewriter(path, a, b, std::chrono::milliseconds(150));
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
    while (std::chrono::steady_clock::now() < until || queue.in_flight() != 0) {
      while (std::chrono::steady_clock::now() < until && !free_buffers.empty()) {
        const uint32_t i = free_buffers.back();
        key_of[i] = any_key(random);
        set_query(scratch[i], key_of[i]);
        ASSERT_TRUE(queue.submit({&function, request_at(0, scratch[i]), {}, i}));
        free_buffers.pop_back();
      }
      for (XrpCompletion& done : queue.wait(1)) {
        const uint32_t i = static_cast<uint32_t>(done.user_data);
        if (!done.outcome.ok() && done.outcome.failure->kind == XrpFailure::Kind::kStale) {
          ++stale;
          set_query(scratch[i], key_of[i]);
          done.outcome = run_xrp_by_pread(queue.file(), function, request_at(0, scratch[i]),
                                          {.attempts = 100});
        }
        ASSERT_TRUE(done.outcome.ok()) << "key " << key_of[i] << ": " << done.outcome.failure->describe();
        const std::optional<BpfkvValue> got = answer(scratch[i]);
        const bool is_a = got == answer_in_a(key_of[i]);
        const bool is_b = got == answer_in_b(key_of[i]);
        if (!is_a && !is_b && ++wrong <= 5) ADD_FAILURE() << "key " << key_of[i] << " answered wrong";
        like_a_only += is_a && !is_b;
        like_b_only += is_b && !is_a;
        ++lookups;
        free_buffers.push_back(i);
      }
    }
    EXPECT_GE(rewriter.rewrites(), 5u);
  }
  EXPECT_EQ(wrong, 0u);
  // The test means something only if the file did change under requests,
  // and both databases were seen.
  EXPECT_GT(stale, 0u);
  EXPECT_GT(like_a_only, 0u);
  EXPECT_GT(like_b_only, 0u);
  EXPECT_GT(lookups, stale);
  std::printf("%llu lookups, %llu stale and fallen back, %llu answered as A, %llu as B\n",
              static_cast<unsigned long long>(lookups), static_cast<unsigned long long>(stale),
              static_cast<unsigned long long>(like_a_only), static_cast<unsigned long long>(like_b_only));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sbpf::xrp
