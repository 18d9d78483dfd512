// The λ API over the device model: the same bytes from either side, the
// scheduler's choices, and the host–device consistency λ-IO keeps.
#include "runtime/lambda_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "device_model/device_profile.h"
#include "isa/assembler.h"
#include "isa/program_image.h"
#include "tests/runtime/lambda_test_programs.h"

namespace sbpf::runtime {
namespace {

namespace dm = device_model;

using testing::kCopy;

// The sum of the input's bytes, as one u64: a selective function.
constexpr const char* kSum =
    "ldxdw %r3, [%r1+8]\n"
    "ldxdw %r4, [%r1+16]\n"
    "mov %r0, 0\n"
    "jeq %r4, 0, done\n"
    "loop:\n"
    "ldxb %r5, [%r3+0]\n"
    "add %r0, %r5\n"
    "add %r3, 1\n"
    "sub %r4, 1\n"
    "jne %r4, 0, loop\n"
    "done:\n"
    "ldxdw %r2, [%r1+0]\n"
    "stxdw [%r2+0], %r0\n"
    "mov %r0, 8\n"
    "exit\n";

// Reads the byte just past its input when the input's first byte is 0xff.
constexpr const char* kOverread =
    "ldxdw %r3, [%r1+8]\n"
    "ldxdw %r4, [%r1+16]\n"
    "mov %r0, 0\n"
    "jeq %r4, 0, done\n"
    "ldxb %r5, [%r3+0]\n"
    "jne %r5, 255, done\n"
    "add %r3, %r4\n"
    "add %r3, 4096\n"
    "ldxb %r0, [%r3+0]\n"
    "done:\n"
    "exit\n";

constexpr const char* kFail = "mov %r0, -5\nexit\n";

std::vector<uint8_t> image_of(const char* text, const std::string& type = "lambda") {
  return isa::write_image({isa::assemble(text, "test.s"), type, isa::kDefaultLoopBudget});
}

// A file in the test's working directory (the build tree: a disk file
// system, where the kernel's page cache behaves as on a user's disk).
class WorkFile {
 public:
  explicit WorkFile(const std::vector<uint8_t>& bytes) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::current_path() /
            ("lambda_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::ofstream out(path_, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  ~WorkFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  std::string path() const { return path_.string(); }
  std::vector<uint8_t> contents() const {
    std::ifstream in(path_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  // Writes the file back and drops it from the kernel's page cache; false
  // when the file system keeps the pages anyway (tmpfs does: its pages are
  // the file), so that a test of the kernel's cache can say it cannot run.
  bool drop_from_cache() const {
    const int fd = ::open(path().c_str(), O_RDONLY);
    if (fd < 0) return false;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
    const auto size = static_cast<uint64_t>(std::filesystem::file_size(path_));
    return kernel_page_cache(path())->residency({0, size}).cached == 0;
  }

 private:
  std::filesystem::path path_;
};

std::vector<uint8_t> pattern(size_t n, uint8_t seed = 1) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + i / 251);
  return v;
}

dm::DeviceProfile csd() { return dm::find_profile("daisy-csd"); }

// Small chunks, so that a few KiB make many of them.
LambdaIoOptions small_chunks(bool modelled_cache = true) {
  LambdaIoOptions options;
  options.run = {.chunk_bytes = 4096, .output_capacity = 8192};
  options.modelled_cache = modelled_cache;
  return options;
}

TEST(LambdaIo, EitherSideGivesTheSameBytes) {
  const std::vector<uint8_t> data = pattern(5 * 4096 + 123);
  WorkFile input(data);
  for (const char* program : {kCopy, kSum}) {
    std::vector<uint8_t> host, device, twice;
    LambdaIo io(csd(), small_chunks());
    const uint32_t file = io.open(input.path());
    const uint32_t lambda = *io.load(image_of(program)).id;
    LambdaRequest h = io.read(file, 100, data.size(), lambda, host, LambdaMode::kHost);
    LambdaRequest d = io.read(file, 100, data.size(), lambda, device, LambdaMode::kDevice);
    ASSERT_TRUE(h.run.ok());
    ASSERT_TRUE(d.run.ok());
    EXPECT_EQ(h.side, LambdaSide::kHost);
    EXPECT_EQ(d.side, LambdaSide::kDevice);
    EXPECT_EQ(h.run.chunks, 6u);
    EXPECT_EQ(d.run.chunks, 6u);
    EXPECT_EQ(host, device);
    if (program == kCopy) {
      EXPECT_EQ(host, std::vector<uint8_t>(data.begin() + 100, data.end()));
    }
    EXPECT_GT(h.latency_ns, 0u);
    EXPECT_GT(d.latency_ns, 0u);
    EXPECT_GT(h.host->calc_ns, 0u);
    EXPECT_TRUE(d.device_ns.has_value());
  }
}

TEST(LambdaIo, ASelectiveFunctionOnTheDeviceSendsOnlyItsOutputOverTheLink) {
  const std::vector<uint8_t> data = pattern(16 * 4096);
  WorkFile input(data);
  LambdaIo io(csd(), small_chunks());
  const uint32_t file = io.open(input.path());
  const uint32_t sum = *io.load(image_of(kSum)).id;
  std::vector<uint8_t> out;
  const LambdaRequest device = io.read(file, 0, data.size(), sum, out, LambdaMode::kDevice);
  // 16 chunks, each a 24-byte header and 8 bytes of output.
  EXPECT_EQ(device.link_bytes, 16u * 32u);
  const LambdaRequest host = io.read(file, 0, data.size(), sum, out, LambdaMode::kHost);
  EXPECT_EQ(host.cached_percent, 0u);
  EXPECT_EQ(host.link_bytes, data.size());  // every page came over the link
  const LambdaRequest again = io.read(file, 0, data.size(), sum, out, LambdaMode::kHost);
  EXPECT_EQ(again.cached_percent, 100u);
  EXPECT_EQ(again.link_bytes, 0u);
  EXPECT_EQ(again.host->pre_ns, 0u);
  EXPECT_LT(again.latency_ns, host.latency_ns);
}

TEST(LambdaIo, TheSameSeedGivesTheSameTimes) {
  const std::vector<uint8_t> data = pattern(8 * 4096);
  WorkFile input(data);
  std::vector<uint64_t> latencies[2];
  for (auto& run : latencies) {
    LambdaIo io(csd(), small_chunks());
    const uint32_t file = io.open(input.path());
    const uint32_t copy = *io.load(image_of(kCopy)).id;
    std::vector<uint8_t> out;
    for (LambdaMode mode : {LambdaMode::kDevice, LambdaMode::kHost, LambdaMode::kAuto})
      run.push_back(io.read(file, 0, data.size(), copy, out, mode).latency_ns);
  }
  EXPECT_EQ(latencies[0], latencies[1]);
}

TEST(LambdaIo, FailuresAreTheSameOnBothSides) {
  std::vector<uint8_t> data = pattern(3 * 4096);
  data[2 * 4096] = 0xff;  // the third chunk reads past its input
  WorkFile input(data);
  LambdaIo io(csd(), small_chunks());
  const uint32_t file = io.open(input.path());
  const uint32_t overread = *io.load(image_of(kOverread)).id;
  const uint32_t fail = *io.load(image_of(kFail)).id;
  std::vector<uint8_t> out;
  for (LambdaMode mode : {LambdaMode::kHost, LambdaMode::kDevice}) {
    SCOPED_TRACE(mode_name(mode));
    LambdaRequest r = io.read(file, 0, data.size(), overread, out, mode);
    ASSERT_FALSE(r.run.ok());
    EXPECT_EQ(r.run.failure->kind, LambdaFailure::Kind::kAbort);
    EXPECT_EQ(r.run.failure->chunk_offset, 2u * 4096u);
    EXPECT_EQ(r.run.failure->abort->kind, AbortKind::kBounds);
    EXPECT_EQ(r.run.failure->abort->pc, 8u);
    EXPECT_EQ(r.run.chunks, 3u);
    r = io.read(file, 0, data.size(), fail, out, mode);
    ASSERT_FALSE(r.run.ok());
    EXPECT_EQ(r.run.failure->kind, LambdaFailure::Kind::kErrorReturn);
    EXPECT_EQ(r.run.failure->returned, -5);
    EXPECT_EQ(r.run.chunks, 1u);
  }
}

TEST(LambdaIo, LoadRefusesWhatIsNotAVerifiedLambdaFunction) {
  LambdaIo io(csd(), small_chunks());
  const std::vector<uint8_t> garbage = {1, 2, 3};
  EXPECT_EQ(io.load(garbage).error.rfind("not a program image: ", 0), 0u) << io.load(garbage).error;
  EXPECT_EQ(io.load(image_of("mov %r0, 0\nexit\n", "xrp")).error, "a xrp program is not a λ function");
  // An unbounded read through a scalar the verifier knows nothing of.
  const LambdaIo::Loaded rejected = io.load(image_of("ldxdw %r0, [%r1+100]\nexit\n"));
  EXPECT_FALSE(rejected.id.has_value());
  EXPECT_FALSE(rejected.error.empty());
  dm::DeviceProfile drive = dm::find_profile("p5800x");
  EXPECT_THROW(LambdaIo(drive, {}), std::invalid_argument);
}

TEST(LambdaIo, ADeviceReadWritesTheHostsDirtyPagesBackFirst) {
  const std::vector<uint8_t> data = pattern(4 * 4096);
  WorkFile input(data);
  LambdaIo io(csd(), small_chunks());
  const uint32_t file = io.open(input.path());
  const uint32_t copy = *io.load(image_of(kCopy)).id;
  const std::vector<uint8_t> update(100, 0xab);
  io.write_buffered(file, 4096 + 50, update);
  EXPECT_EQ(io.page_cache(file).dirty({0, data.size()}), (std::vector<FileRange>{{4096, 4096}}));
  const uint64_t written_before = io.device().statistics().bytes_written;
  std::vector<uint8_t> out;
  // A read that does not touch the dirty page leaves it.
  ASSERT_TRUE(io.read(file, 2 * 4096, 4096, copy, out, LambdaMode::kDevice).run.ok());
  EXPECT_EQ(io.device().statistics().bytes_written, written_before);
  ASSERT_TRUE(io.read(file, 0, data.size(), copy, out, LambdaMode::kDevice).run.ok());
  EXPECT_EQ(io.device().statistics().bytes_written - written_before, 4096u);
  EXPECT_TRUE(io.page_cache(file).dirty({0, data.size()}).empty());
  std::vector<uint8_t> expected = data;
  std::copy(update.begin(), update.end(), expected.begin() + 4096 + 50);
  EXPECT_EQ(out, expected);
}

TEST(LambdaIo, ADeviceWriteDropsTheHostsCachedPages) {
  const std::vector<uint8_t> data = pattern(8 * 4096);
  WorkFile target(data);
  if (!target.drop_from_cache()) GTEST_SKIP() << "this file system keeps dropped pages cached";
  LambdaIo io(csd(), small_chunks(/*modelled_cache=*/false));  // the kernel's own cache
  const uint32_t file = io.open(target.path());
  const uint32_t copy = *io.load(image_of(kCopy)).id;
  std::vector<uint8_t> out;
  ASSERT_TRUE(io.read(file, 0, data.size(), copy, out, LambdaMode::kHost).run.ok());
  ASSERT_EQ(io.page_cache(file).residency({0, data.size()}).percent(), 100u);
  const std::vector<uint8_t> update = pattern(2 * 4096, 99);
  const LambdaRequest w = io.write(file, 4096, update, copy, LambdaMode::kDevice);
  ASSERT_TRUE(w.run.ok());
  EXPECT_EQ(w.run.output_bytes, update.size());
  const PageCache::Residency after = io.page_cache(file).residency({4096, update.size()});
  EXPECT_EQ(after.cached, 0u);
  EXPECT_EQ(io.page_cache(file).residency({0, 4096}).cached, 1u);  // outside the range: kept
  std::vector<uint8_t> expected = data;
  std::copy(update.begin(), update.end(), expected.begin() + 4096);
  EXPECT_EQ(target.contents(), expected);
  ASSERT_TRUE(io.read(file, 0, data.size(), copy, out, LambdaMode::kHost).run.ok());
  EXPECT_EQ(out, expected);
}

TEST(LambdaIo, ADeviceWriteDropsTheModelledCachesPagesToo) {
  const std::vector<uint8_t> data = pattern(8 * 4096);
  WorkFile target(data);
  LambdaIo io(csd(), small_chunks());
  const uint32_t file = io.open(target.path());
  const uint32_t copy = *io.load(image_of(kCopy)).id;
  std::vector<uint8_t> out;
  ASSERT_TRUE(io.read(file, 0, data.size(), copy, out, LambdaMode::kHost).run.ok());
  ASSERT_EQ(io.page_cache(file).residency({0, data.size()}).percent(), 100u);
  const std::vector<uint8_t> update = pattern(3 * 4096, 42);
  ASSERT_TRUE(io.write(file, 2 * 4096, update, copy, LambdaMode::kDevice).run.ok());
  EXPECT_EQ(io.page_cache(file).residency({2 * 4096, update.size()}).cached, 0u);
  EXPECT_EQ(io.page_cache(file).residency({0, 2 * 4096}).cached, 2u);
  // The next host read brings the device's bytes in.
  const LambdaRequest again = io.read(file, 0, data.size(), copy, out, LambdaMode::kHost);
  EXPECT_EQ(again.link_bytes, update.size());
  std::vector<uint8_t> expected = data;
  std::copy(update.begin(), update.end(), expected.begin() + 2 * 4096);
  EXPECT_EQ(out, expected);
}

TEST(LambdaIo, HostAndDeviceWritesStoreTheSameBytes) {
  const std::vector<uint8_t> input = pattern(3 * 4096 + 17, 5);
  std::vector<uint8_t> files[2];
  for (LambdaMode mode : {LambdaMode::kHost, LambdaMode::kDevice}) {
    WorkFile target(std::vector<uint8_t>(100, 0));
    LambdaIo io(csd(), small_chunks());
    const uint32_t file = io.open(target.path());
    const uint32_t copy = *io.load(image_of(kCopy)).id;
    const LambdaRequest w = io.write(file, 60, input, copy, mode);
    ASSERT_TRUE(w.run.ok());
    EXPECT_EQ(w.run.chunks, 4u);
    files[mode == LambdaMode::kDevice] = target.contents();
  }
  EXPECT_EQ(files[0], files[1]);
  ASSERT_EQ(files[0].size(), 60 + input.size());
  EXPECT_EQ(std::vector<uint8_t>(files[0].begin() + 60, files[0].end()), input);
}

TEST(LambdaIo, AutoProfilesTheFirstRequestsOfEachWindowOnBothSides) {
  const std::vector<uint8_t> data = pattern(8 * 4096);
  WorkFile input(data);
  LambdaIoOptions options = small_chunks();
  options.scheduler = {.interval = 10, .samples = 3};
  std::vector<std::string> trace;
  options.trace = [&](const std::string& line) { trace.push_back(line); };
  LambdaIo io(csd(), options);
  const uint32_t file = io.open(input.path());
  const uint32_t sum = *io.load(image_of(kSum)).id;
  std::vector<uint8_t> out, reference;
  io.read(file, 0, data.size(), sum, reference, LambdaMode::kHost);
  for (int i = 0; i < 12; ++i) {
    const LambdaRequest r = io.read(file, 0, data.size(), sum, out, LambdaMode::kAuto);
    ASSERT_TRUE(r.run.ok());
    EXPECT_EQ(out, reference);
    EXPECT_EQ(r.profiled, i % 10 < 3) << i;
    if (r.profiled) {
      EXPECT_TRUE(r.host && r.device_ns);
    }
  }
  ASSERT_EQ(trace.size(), 12u);
  EXPECT_EQ(trace[0], R"({"stream":0,"request":0,"c":100,"side":"both"})");
  // Every page is cached after the first read, so the host pays no pre and
  // a 4-chunk sum on the device costs a command per chunk: the host wins.
  EXPECT_NE(trace[3].find(R"("side":"host")"), std::string::npos) << trace[3];
  const auto estimate = io.scheduler().estimate(0);
  ASSERT_TRUE(estimate && estimate->read);
  EXPECT_GT(estimate->read->device_ns, 0);
}

TEST(LambdaIo, ThreadsShareTheDevicesCoresAndTheHostsInParallel) {
  const std::vector<uint8_t> data = pattern(16 * 4096);
  WorkFile input(data);
  std::vector<uint8_t> reference;
  uint64_t one_thread_ns = 0;
  {
    LambdaIo io(csd(), small_chunks());
    const uint32_t file = io.open(input.path());
    const uint32_t copy = *io.load(image_of(kCopy)).id;
    const uint64_t start = io.now_ns();
    for (int i = 0; i < 4; ++i) io.read(file, 0, data.size(), copy, reference, LambdaMode::kDevice);
    one_thread_ns = io.now_ns() - start;
  }
  LambdaIoOptions options = small_chunks();
  options.threads = 4;
  LambdaIo io(csd(), options);
  const uint32_t file = io.open(input.path());
  const uint32_t copy = *io.load(image_of(kCopy)).id;
  std::vector<std::vector<uint8_t>> outs(4);
  std::vector<LambdaRequest> done;
  const uint64_t start = io.now_ns();
  for (uint32_t t = 0; t < 4; ++t) {
    io.submit_read(t, file, 0, data.size(), copy, outs[t], LambdaMode::kDevice, t,
                   [&done](LambdaRequest&& r) { done.push_back(std::move(r)); });
  }
  io.run();
  ASSERT_EQ(done.size(), 4u);
  for (const LambdaRequest& r : done) EXPECT_TRUE(r.run.ok());
  for (const auto& out : outs) EXPECT_EQ(out, reference);
  // Four requests at once finish well before four one after the other, but
  // not four times sooner: they share the device's four cores.
  const uint64_t four_threads_ns = io.now_ns() - start;
  EXPECT_LT(four_threads_ns * 2, one_thread_ns);
  EXPECT_GT(four_threads_ns * 4, one_thread_ns);
  EXPECT_THROW(io.submit_read(4, file, 0, 1, copy, outs[0], LambdaMode::kHost, 0, [](LambdaRequest&&) {}),
               std::out_of_range);
}

TEST(LambdaIo, OnTheClockTheHostsTimesAreMeasuredOnTheRealFile) {
  const std::vector<uint8_t> data = pattern(8 * 4096);
  WorkFile input(data);
  if (!input.drop_from_cache()) GTEST_SKIP() << "this file system keeps dropped pages cached";
  LambdaIoOptions options = small_chunks(/*modelled_cache=*/false);
  options.host_on_the_clock = true;
  LambdaIo io(csd(), options);
  const uint32_t file = io.open(input.path());
  const uint32_t copy = *io.load(image_of(kCopy)).id;
  std::vector<uint8_t> out;
  const LambdaRequest cold = io.read(file, 0, data.size(), copy, out, LambdaMode::kHost);
  ASSERT_TRUE(cold.run.ok());
  EXPECT_EQ(out, data);
  EXPECT_EQ(cold.cached_percent, 0u);
  EXPECT_EQ(cold.link_bytes, data.size());
  EXPECT_GT(cold.host->pre_ns, 0u);
  EXPECT_GT(cold.host->calc_ns, 0u);
  EXPECT_GE(cold.latency_ns, cold.host->pre_ns + cold.host->calc_ns);
  const LambdaRequest warm = io.read(file, 0, data.size(), copy, out, LambdaMode::kHost);
  EXPECT_EQ(warm.cached_percent, 100u);
  EXPECT_EQ(warm.link_bytes, 0u);
  options.modelled_cache = true;
  EXPECT_THROW(LambdaIo(csd(), options), std::invalid_argument);
}

TEST(KernelPageCache, ReportsWhatTheKernelHoldsOfAFile) {
  WorkFile file(pattern(16 * 4096));
  if (!file.drop_from_cache()) GTEST_SKIP() << "this file system keeps dropped pages cached";
  std::unique_ptr<PageCache> cache = kernel_page_cache(file.path());
  EXPECT_EQ(cache->residency({0, 16 * 4096}).cached, 0u);
  {
    std::ifstream in(file.path(), std::ios::binary);
    std::vector<char> half(8 * 4096);
    in.read(half.data(), static_cast<std::streamsize>(half.size()));
  }
  // Readahead may bring in more than was read, never less.
  const PageCache::Residency r = cache->residency({0, 16 * 4096});
  EXPECT_EQ(r.pages, 16u);
  EXPECT_GE(r.cached, 8u);
  EXPECT_EQ(cache->residency({0, 8 * 4096}).percent(), 100u);
  cache->invalidate({0, 16 * 4096});
  EXPECT_EQ(cache->residency({0, 16 * 4096}).cached, 0u);
  EXPECT_EQ(cache->missing({100, 3 * 4096}), (std::vector<FileRange>{{0, 4 * 4096}}));
}

TEST(ModelledPageCache, StartsWithTheShareAskedForDrawnFromTheSeed) {
  auto a = modelled_page_cache(1000 * 4096, 0.3, 7);
  auto b = modelled_page_cache(1000 * 4096, 0.3, 7);
  const PageCache::Residency r = a->residency({0, 1000 * 4096});
  EXPECT_NEAR(static_cast<double>(r.cached), 300.0, 45.0);
  EXPECT_EQ(a->missing({0, 1000 * 4096}), b->missing({0, 1000 * 4096}));
  a->loaded({4096, 4096 * 10});
  EXPECT_EQ(a->residency({4096, 4096 * 10}).percent(), 100u);
  a->wrote({0, 1});
  EXPECT_EQ(a->dirty({0, 1000 * 4096}), (std::vector<FileRange>{{0, 4096}}));
  a->cleaned({0, 4096});
  EXPECT_TRUE(a->dirty({0, 1000 * 4096}).empty());
  EXPECT_EQ(modelled_page_cache(0, 0.5, 1)->residency({0, 0}).percent(), 100u);
}

}  // namespace
}  // namespace sbpf::runtime
