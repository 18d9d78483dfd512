// BPF-KV's queries through real XRP functions: the samples
// (samples/xrp/bpfkv_get.c, bpfkv_range.c) and the BPF-KV-style programs
// (bpfkv_style/), compiled by this build and run on the interpreter and the
// JIT, against the host's reference lookups on databases `sbpf xrp build-db`
// writes. The two kinds of program share the scratch layouts and nothing
// else, so agreeing here is what makes them interchangeable.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "frontend/elf_loader.h"
#include "frontend/sdk/include/sbpf/bpfkv.h"
#include "xrp_abi/bpfkv_database.h"
#include "tests/xrp_abi/key_sampling.h"
#include "xrp_abi/bpfkv_queries.h"
#include "xrp_abi/model_host.h"
#include "xrp_abi/sync_resubmission.h"
#include "xrp_abi/uring_xrp_queue.h"
#include "device_model/device_profile.h"

namespace sbpf::xrp {
namespace {

struct ProgramFile {
  const char* name;  // for messages
  std::string path;
};

ProgramFile sample(const std::string& name) {
  return {"sample", std::string(SBPF_SAMPLES_BUILD_DIR) + "/xrp/" + name};
}
ProgramFile bpfkv_style(const std::string& name) {
  return {"BPF-KV-style", std::string(SBPF_BPFKV_STYLE_DIR) + "/" + name};
}

class BpfkvXrp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("sbpf-bpfkv-" + std::to_string(getpid())));
    std::filesystem::create_directories(*dir_);
    // 100,000 keys with stride 2: every odd number between them is absent.
    build_bpfkv_database((*dir_ / "db").string(), {100000, 2});
    // Read once and served from memory: the passes below make millions of
    // reads, and a pread each would be most of their time.
    std::ifstream in(db(), std::ios::binary);
    bytes_ = new std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete bytes_;
  }
  static std::string db() { return (*dir_ / "db").string(); }
  static BlockReader reader() {
    return [](uint64_t offset, std::span<uint8_t> out) {
      if (offset > bytes_->size() || bytes_->size() - offset < out.size()) return false;
      std::memcpy(out.data(), bytes_->data() + offset, out.size());
      return true;
    };
  }

  static std::filesystem::path* dir_;
  static std::vector<uint8_t>* bytes_;
};
std::filesystem::path* BpfkvXrp::dir_ = nullptr;
std::vector<uint8_t>* BpfkvXrp::bytes_ = nullptr;

// The interpreter, and the JIT where the host has one.
std::vector<runtime::EngineKind> engines() {
  std::vector<runtime::EngineKind> kinds{runtime::EngineKind::kInterpreter};
  if (runtime::jit_available()) kinds.push_back(runtime::EngineKind::kJit);
  return kinds;
}

// Runs `check` with each program on each engine.
template <typename Check>
void for_each_program_and_engine(std::initializer_list<ProgramFile> files, Check check) {
  for (const ProgramFile& file : files) {
    isa::Program program = frontend::load_elf_program(file.path);
    EXPECT_EQ(program.context_type, "bpf_xrp") << file.path;
    for (runtime::EngineKind kind : engines()) {
      SCOPED_TRACE(std::string(file.name) + " " + file.path + " on " + runtime::engine_name(kind));
      runtime::LoadedProgram loaded =
          runtime::load(program, verifier::xrp_program_type(), {.verify = false, .engine = kind});
      BytecodeXrp function(loaded);
      check(function);
    }
  }
}

TEST_F(BpfkvXrp, EveryKeyOfA100000KeyDatabaseIsFound) {
  std::vector<uint64_t> keys;
  for (uint64_t i = 0; i < 100000; i += kKeyStride) keys.push_back(2 * i);
  for_each_program_and_engine({sample("bpfkv_get.o"), bpfkv_style("get.o")}, [&](XrpFunction& function) {
    BpfkvGetOutcome outcome = bpfkv_xrp_get(function, reader(), keys);
    ASSERT_FALSE(outcome.failure) << outcome.failure->describe();
    ASSERT_EQ(outcome.values.size(), keys.size());
    EXPECT_EQ(outcome.requests, (keys.size() + 31) / 32);  // 32 keys each
    size_t wrong = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      const auto& value = outcome.values[i];
      if (!value || *value != bpfkv_value_for_key(keys[i])) {
        if (++wrong <= 5) ADD_FAILURE() << "key " << keys[i] << (value ? ": wrong value" : ": not found");
      }
    }
    EXPECT_EQ(wrong, 0u);
  });
}

// The same database through both I/O backends: the file through io_uring
// (O_DIRECT where the file system takes it), and the file on the device
// model, where XRP resubmits at the modelled completions.
TEST_F(BpfkvXrp, EveryKeyAnswersThroughBothBackends) {
  std::vector<uint64_t> keys;
  for (uint64_t i = 0; i < 100000; i += kKeyStride) keys.push_back(2 * i);
  keys.push_back(1);
  isa::Program program = frontend::load_elf_program(sample("bpfkv_get.o").path);
  runtime::LoadedProgram loaded = runtime::load(program, verifier::xrp_program_type());
  BytecodeXrp function(loaded);
  // BPF-KV's get requests, 32 keys each, as many in flight as the queue takes.
  auto check = [&](XrpQueue& queue) {
    const size_t requests = (keys.size() + BPFKV_SG_KEYS - 1) / BPFKV_SG_KEYS;
    std::vector<std::vector<uint8_t>> scratch(requests, std::vector<uint8_t>(kScratchBytes));
    size_t next = 0;
    size_t wrong = 0;
    for (size_t answered = 0; answered < requests;) {
      while (next < requests && queue.in_flight() < queue.capacity()) {
        const size_t first = next * BPFKV_SG_KEYS;
        bpfkv_get_scratch(std::span<const uint64_t>(keys).subspan(first, std::min<size_t>(BPFKV_SG_KEYS, keys.size() - first)),
                          scratch[next]);
        XrpSubmission submission;
        submission.function = &function;
        submission.request.scratch = scratch[next];
        submission.user_data = next++;
        ASSERT_TRUE(queue.submit(submission));
      }
      for (XrpCompletion& done : queue.wait(1)) {
        ++answered;
        ASSERT_TRUE(done.outcome.ok()) << done.outcome.failure->describe();
        const size_t first = done.user_data * BPFKV_SG_KEYS;
        const size_t count = std::min<size_t>(BPFKV_SG_KEYS, keys.size() - first);
        std::vector<std::optional<BpfkvValue>> values = bpfkv_get_answers(scratch[done.user_data], count);
        for (size_t i = 0; i < count; ++i) {
          const uint64_t key = keys[first + i];
          const std::optional<BpfkvValue> want =
              key % 2 == 0 ? std::optional<BpfkvValue>(bpfkv_value_for_key(key)) : std::nullopt;
          if (values[i] != want && ++wrong <= 5) ADD_FAILURE() << "key " << key;
        }
      }
    }
    EXPECT_EQ(wrong, 0u);
  };
  {
    SCOPED_TRACE("io_uring");
    UringXrpQueue queue(db(), UringXrpOptions{.capacity = 64});
    check(queue);
  }
  {
    SCOPED_TRACE("device model");
    device_model::EventQueue clock;
    device_model::NvmeDevice device(device_model::find_profile("nand-tlc"), clock, 1);
    const ModelFile file = attach_whole_file(device, 1, db());
    ModelHost host(device, file, {.path = IoPath::kXrp, .in_flight_per_thread = 64});
    check(host.thread(0));
  }
}

// Partly filled nodes (sbpf xrp build-db --depth): the unused slots repeat
// the last entry, and every conforming lookup must still find every key,
// and no key that is absent, at every depth the experiments use.
TEST_F(BpfkvXrp, PartlyFilledTreesAnswerLikeFullOnes) {
  const std::filesystem::path path = *dir_ / "deep";
  for (uint64_t depth = 2; depth <= 6; ++depth) {
    const uint64_t keys_in_db = depth == 2 ? 900 : 5000;
    const std::optional<uint64_t> fill = bpfkv_fill_for_depth(keys_in_db, depth);
    ASSERT_TRUE(fill) << depth;
    build_bpfkv_database(path.string(), {keys_in_db, 3, *fill});
    std::vector<uint64_t> keys;
    for (uint64_t i = 0; i < keys_in_db; i += kKeyStride) keys.push_back(3 * i);
    keys.push_back(1);
    keys.push_back(3 * keys_in_db);
    for_each_program_and_engine({sample("bpfkv_get.o"), bpfkv_style("get.o")}, [&](XrpFunction& function) {
      SCOPED_TRACE("depth " + std::to_string(depth) + ", " + std::to_string(*fill) + " entries a node");
      std::vector<BlockRead> reads;
      BlockReader file = file_block_reader(path.string());
      BpfkvGetOutcome outcome = bpfkv_xrp_get(function, file, keys);
      ASSERT_FALSE(outcome.failure) << outcome.failure->describe();
      size_t wrong = 0;
      for (size_t i = 0; i + 2 < keys.size(); ++i)
        if (outcome.values[i] != bpfkv_value_for_key(keys[i]) && ++wrong <= 5) ADD_FAILURE() << "key " << keys[i];
      EXPECT_FALSE(outcome.values[keys.size() - 2]);
      EXPECT_FALSE(outcome.values[keys.size() - 1]);
      // Each lookup reads `depth` nodes and its value's block.
      BpfkvGetOutcome one = bpfkv_xrp_get(function, file, std::span<const uint64_t>(keys).first(1));
      EXPECT_EQ(one.reads, depth + 1);
    });
  }
}

TEST_F(BpfkvXrp, AbsentKeysAreNotFound) {
  // Mixed with present keys in one batch, and a batch that is not full.
  std::vector<uint64_t> keys{199999, 200000, 200001, 1ull << 40, UINT64_MAX - 1, UINT64_MAX, 0, 1, 2};
  for (uint64_t i = 0; i < 100000; i += 7) keys.push_back(2 * i + 1);
  for_each_program_and_engine({sample("bpfkv_get.o"), bpfkv_style("get.o")}, [&](XrpFunction& function) {
    BpfkvGetOutcome outcome = bpfkv_xrp_get(function, reader(), keys);
    ASSERT_FALSE(outcome.failure) << outcome.failure->describe();
    ASSERT_EQ(outcome.values.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ(outcome.values[i].has_value(), keys[i] == 0 || keys[i] == 2) << "key " << keys[i];
    }
  });
}

// What the range should hold, from the host's reference scan of [low, high].
std::vector<std::pair<uint64_t, BpfkvValue>> expected_pairs(const std::string& path, const BpfkvRange& range) {
  uint64_t low = range.begin;
  uint64_t high = range.end;
  if (range.begin_exclusive) {
    if (low == UINT64_MAX) return {};
    ++low;
  }
  if (!range.end_inclusive) {
    if (high == 0) return {};
    --high;
  }
  return bpfkv_reference_range(path, low, high);
}

// The ranges: inside one leaf, across leaves (31 keys each), exactly one
// batch of 32 and one more, past the last key, each flag, and one of
// 10,000 keys.
std::vector<BpfkvRange> ranges() {
  std::vector<BpfkvRange> list;
  const std::pair<uint64_t, uint64_t> bounds[] = {
      {0, 0},        {0, 1},          {0, 2},          {1, 1},          {5, 4},
      {61, 63},      {0, 62},         {0, 64},         {0, 66},         {2, 66},
      {1000, 1400},  {1234, 5678},    {199990, 300000}, {199998, 199998}, {250000, 260000},
      {0, 20000},    {UINT64_MAX - 1, UINT64_MAX}};
  for (auto [begin, end] : bounds) {
    if (begin > end) continue;
    for (int flags = 0; flags < 4; ++flags)
      list.push_back({.begin = begin, .end = end, .begin_exclusive = (flags & 1) != 0, .end_inclusive = (flags & 2) != 0});
  }
  return list;
}

TEST_F(BpfkvXrp, RangeScansMatchTheReference) {
  for_each_program_and_engine({sample("bpfkv_range.o"), bpfkv_style("range.o")}, [&](XrpFunction& function) {
    for (const BpfkvRange& range : ranges()) {
      BpfkvRangeOutcome outcome = bpfkv_xrp_range(function, reader(), range);
      std::string what = "range " + std::string(range.begin_exclusive ? "(" : "[") + std::to_string(range.begin) +
                         ", " + std::to_string(range.end) + (range.end_inclusive ? "]" : ")");
      ASSERT_FALSE(outcome.failure) << what << ": " << outcome.failure->describe();
      auto expected = expected_pairs(db(), range);
      EXPECT_EQ(outcome.pairs, expected) << what;
      // BPF-KV's function ends a request as soon as kv[] is full; sbpf's
      // only when another key is in range. Either way a request carries at
      // most 32 pairs and leaves at most one request empty.
      EXPECT_GE(outcome.requests * BPFKV_RANGE_KEYS, expected.size()) << what;
      EXPECT_LE(outcome.requests, expected.size() / BPFKV_RANGE_KEYS + 1) << what;
    }
  });
}

TEST_F(BpfkvXrp, RangeSumsMatchTheReference) {
  for_each_program_and_engine({sample("bpfkv_range.o"), bpfkv_style("range.o")}, [&](XrpFunction& function) {
    for (BpfkvRange range : {BpfkvRange{.begin = 0, .end = 100}, BpfkvRange{.begin = 1001, .end = 3001},
                             BpfkvRange{.begin = 7, .end = 7, .end_inclusive = true}}) {
      range.sum = true;
      BpfkvRangeOutcome outcome = bpfkv_xrp_range(function, reader(), range);
      ASSERT_FALSE(outcome.failure) << outcome.failure->describe();
      uint64_t sum = 0;
      for (const auto& [key, value] : expected_pairs(db(), range)) {
        uint64_t first8;
        std::memcpy(&first8, value.data(), sizeof first8);
        sum += first8;
      }
      EXPECT_EQ(outcome.sum, static_cast<int64_t>(sum)) << range.begin << ".." << range.end;
      EXPECT_TRUE(outcome.pairs.empty());
      EXPECT_EQ(outcome.requests, 1u);
    }
  });
}

}  // namespace
}  // namespace sbpf::xrp
