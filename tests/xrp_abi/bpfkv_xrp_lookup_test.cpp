// The BPF-KV samples (samples/xrp/bpfkv_get.c, bpfkv_range.c), compiled by
// this build and run through the resubmission loop, against the host's
// reference lookups on databases `sbpf xrp build-db` writes.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "frontend/elf_loader.h"
#include "frontend/sdk/include/sbpf/bpfkv.h"
#include "xrp_abi/bpfkv_database.h"
#include "xrp_abi/sync_resubmission.h"

namespace sbpf::xrp {
namespace {

std::string sample(const std::string& name) { return std::string(SBPF_SAMPLES_BUILD_DIR) + "/xrp/" + name; }

class BpfkvXrp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("sbpf-bpfkv-" + std::to_string(getpid())));
    std::filesystem::create_directories(*dir_);
    // 100,000 keys with stride 2: every odd number between them is absent.
    build_bpfkv_database((*dir_ / "db").string(), {100000, 2});
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string db() { return (*dir_ / "db").string(); }

  static std::filesystem::path* dir_;
};
std::filesystem::path* BpfkvXrp::dir_ = nullptr;

// Looks `key` up with the get function; nullopt when not found.
std::optional<BpfkvValue> xrp_get(XrpFunction& function, const BlockReader& read, uint64_t key) {
  std::vector<uint8_t> scratch(kScratchBytes);
  bpfkv_get_query query{};
  query.key = key;
  std::memcpy(scratch.data(), &query, sizeof query);
  XrpRequest request;
  request.scratch = scratch;
  XrpOutcome outcome = run_xrp_request(function, read, request);
  EXPECT_TRUE(outcome.ok()) << "key " << key << ": " << outcome.failure->describe();
  std::memcpy(&query, scratch.data(), sizeof query);
  if (query.found != 1) return std::nullopt;
  BpfkvValue value;
  std::memcpy(value.data(), query.value, value.size());
  return value;
}

// The interpreter, and the JIT where the host has one.
std::vector<runtime::EngineKind> engines() {
  std::vector<runtime::EngineKind> kinds{runtime::EngineKind::kInterpreter};
  if (runtime::jit_available()) kinds.push_back(runtime::EngineKind::kJit);
  return kinds;
}

TEST_F(BpfkvXrp, EveryKeyOfA100000KeyDatabaseIsFound) {
  isa::Program program = frontend::load_elf_program(sample("bpfkv_get.o"));
  EXPECT_EQ(program.context_type, "bpf_xrp");
  for (runtime::EngineKind kind : engines()) {
    SCOPED_TRACE(runtime::engine_name(kind));
    runtime::EngineOptions options;
    options.kind = kind;
    BytecodeXrp function(program, runtime::kDefaultLoopBudget, options);
    BlockReader read = file_block_reader(db());
    size_t wrong = 0;
    for (uint64_t i = 0; i < 100000; ++i) {
      auto value = xrp_get(function, read, 2 * i);
      if (!value || *value != bpfkv_value_for_key(2 * i)) {
        if (++wrong <= 5) ADD_FAILURE() << "key " << 2 * i << (value ? ": wrong value" : ": not found");
      }
    }
    EXPECT_EQ(wrong, 0u);
  }
}

TEST_F(BpfkvXrp, AbsentKeysAreNotFound) {
  isa::Program program = frontend::load_elf_program(sample("bpfkv_get.o"));
  BytecodeXrp function(program);
  BlockReader read = file_block_reader(db());
  size_t wrong = 0;
  std::vector<uint64_t> absent{199999, 200000, 200001, 1ull << 40, UINT64_MAX - 1, UINT64_MAX};
  for (uint64_t i = 0; i < 100000; i += 7) absent.push_back(2 * i + 1);
  for (uint64_t key : absent) {
    if (xrp_get(function, read, key)) {
      if (++wrong <= 5) ADD_FAILURE() << "absent key " << key << " was found";
    }
  }
  EXPECT_EQ(wrong, 0u);
}

TEST_F(BpfkvXrp, RangeScansMatchTheReference) {
  isa::Program program = frontend::load_elf_program(sample("bpfkv_range.o"));
  BytecodeXrp function(program);
  BlockReader read = file_block_reader(db());
  const std::pair<uint64_t, uint64_t> ranges[] = {
      {0, 0}, {1, 1}, {5, 4}, {0, 100}, {61, 63}, {1000, 1400}, {199990, 300000}, {250000, 260000}, {0, 2000}};
  for (auto [low, high] : ranges) {
    std::vector<std::pair<uint64_t, BpfkvValue>> got;
    uint64_t from = low;
    while (from <= high) {
      std::vector<uint8_t> scratch(kScratchBytes);
      auto* query = reinterpret_cast<bpfkv_range_query*>(scratch.data());
      query->low = from;
      query->high = high;
      XrpRequest request;
      request.scratch = scratch;
      XrpOutcome outcome = run_xrp_request(function, read, request);
      ASSERT_TRUE(outcome.ok()) << outcome.failure->describe();
      ASSERT_LE(query->count, static_cast<uint64_t>(BPFKV_RANGE_MAX_RESULTS));
      for (uint64_t i = 0; i < query->count; ++i) {
        BpfkvValue value;
        std::memcpy(value.data(), query->results[i].value, value.size());
        got.emplace_back(query->results[i].key, value);
      }
      if (!query->more || query->count == 0) break;
      from = query->results[query->count - 1].key + 1;
    }
    EXPECT_EQ(got, bpfkv_reference_range(db(), low, high)) << "range [" << low << ", " << high << "]";
  }
}

}  // namespace
}  // namespace sbpf::xrp
