// The caller's side of BPF-KV's queries (xrp_abi/bpfkv_queries.h), against
// functions written here in C++ that play the program's side: how keys are
// batched, how a range scan resumes, and every way an answer can break the
// protocol.
#include "xrp_abi/bpfkv_queries.h"

#include <gtest/gtest.h>

#include <cstring>

#include <sbpf/bpfkv.h>

namespace sbpf::xrp {
namespace {

// A file of 64 blocks of zeroes; records the reads made.
struct Reads {
  std::vector<uint64_t> offsets;
  BlockReader reader() {
    return [this](uint64_t offset, std::span<uint8_t> out) {
      offsets.push_back(offset);
      std::fill(out.begin(), out.end(), 0);
      return offset + out.size() <= 64 * kBlockBytes;
    };
  }
};

// The functions below keep what they saw here: a NativeXrp entry is a plain
// function pointer.
std::vector<int32_t> requests_seen;

unsigned finish(Context* context) {
  context->done = 1;
  context->size[0] = 0;
  return 0;
}

// Answers a whole batch at once: even keys are present, with the key's
// bytes as the start of the value.
unsigned even_keys(Context* context) {
  auto* query = reinterpret_cast<bpfkv_scatter_gather_query*>(context->scratch);
  requests_seen.push_back(query->n_keys);
  for (int32_t i = 0; i < query->n_keys; ++i) {
    query->values[i].found = query->keys[i] % 2 == 0;
    std::memcpy(query->values[i].value, &query->keys[i], sizeof query->keys[i]);
  }
  return finish(context);
}

TEST(BpfkvQueries, GetBatchesThirtyTwoKeysToARequest) {
  requests_seen.clear();
  NativeXrp function(even_keys);
  Reads reads;
  std::vector<uint64_t> keys;
  for (uint64_t k = 0; k < 70; ++k) keys.push_back(1000 + k);
  BpfkvGetOutcome outcome = bpfkv_xrp_get(function, reads.reader(), keys);
  ASSERT_FALSE(outcome.failure) << outcome.failure->describe();
  EXPECT_EQ(requests_seen, (std::vector<int32_t>{32, 32, 6}));
  EXPECT_EQ(outcome.requests, 3u);
  EXPECT_EQ(reads.offsets, (std::vector<uint64_t>{0, 0, 0}));  // each at the root
  ASSERT_EQ(outcome.values.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(outcome.values[i].has_value(), keys[i] % 2 == 0) << keys[i];
    if (outcome.values[i]) {
      EXPECT_EQ(std::memcmp(outcome.values[i]->data(), &keys[i], 8), 0);
    }
  }
}

unsigned fail_third_request(Context* context) {
  requests_seen.push_back(0);
  if (requests_seen.size() == 3) return 7;
  return even_keys(context);
}

TEST(BpfkvQueries, AFailedGetRequestKeepsTheAnswersBeforeIt) {
  requests_seen.clear();
  NativeXrp function(fail_third_request);
  Reads reads;
  std::vector<uint64_t> keys(40, 2);
  BpfkvGetOutcome outcome = bpfkv_xrp_get(function, reads.reader(), keys);
  ASSERT_TRUE(outcome.failure);
  ASSERT_TRUE(outcome.failure->xrp);
  EXPECT_EQ(outcome.failure->request, 1u);
  EXPECT_EQ(outcome.failure->xrp->kind, XrpFailure::Kind::kErrorReturn);
  EXPECT_EQ(outcome.values.size(), 32u);
  EXPECT_NE(outcome.failure->describe().find("in request 2"), std::string::npos) << outcome.failure->describe();
}

// Plays BPF-KV's range function over the keys 0, 10, 20, ..., 990 without
// reading anything: up to 32 keys per request, then it says to go on at
// block `requests`.
unsigned tens(Context* context) {
  auto* query = reinterpret_cast<bpfkv_range_query*>(context->scratch);
  requests_seen.push_back(static_cast<int32_t>(query->_state));
  for (uint64_t key = 0; key < 1000; key += 10) {
    if (bpfkv_range_before_begin(query, key)) continue;
    if (bpfkv_range_past_end(query, key)) break;
    if (query->len == BPFKV_RANGE_KEYS) {
      query->_resume_from_leaf = requests_seen.size() * kBlockBytes;
      return finish(context);
    }
    if (query->agg_op == BPFKV_AGG_SUM) {
      query->agg_value += static_cast<int64_t>(key);
    } else {
      query->kv[query->len].key = key;
      std::memset(query->kv[query->len].value, static_cast<int>(key % 251), BPFKV_VALUE_SIZE);
      query->len++;
    }
    query->range_begin = key;
    query->flags |= BPFKV_RANGE_BEGIN_EXCLUSIVE;
  }
  bpfkv_range_mark_done(query);
  return finish(context);
}

std::vector<uint64_t> keys_of(const BpfkvRangeOutcome& outcome) {
  std::vector<uint64_t> keys;
  for (const auto& pair : outcome.pairs) keys.push_back(pair.first);
  return keys;
}

std::vector<uint64_t> tens_in(uint64_t from, uint64_t to) {
  std::vector<uint64_t> keys;
  for (uint64_t key = from; key <= to; key += 10) keys.push_back(key);
  return keys;
}

TEST(BpfkvQueries, RangeResumesWhereTheFunctionSays) {
  requests_seen.clear();
  NativeXrp function(tens);
  Reads reads;
  BpfkvRangeOutcome outcome = bpfkv_xrp_range(function, reads.reader(), {.begin = 5, .end = 905});
  ASSERT_FALSE(outcome.failure) << outcome.failure->describe();
  EXPECT_EQ(keys_of(outcome), tens_in(10, 900));  // 90 keys: 32 + 32 + 26
  EXPECT_EQ(outcome.pairs[3].second[0], 40);
  EXPECT_EQ(outcome.requests, 3u);
  // The first request traverses from the root; the others resume at the
  // leaf the function named.
  EXPECT_EQ(requests_seen, (std::vector<int32_t>{BPFKV_RANGE_TRAVERSE, BPFKV_RANGE_RESUME, BPFKV_RANGE_RESUME}));
  EXPECT_EQ(reads.offsets, (std::vector<uint64_t>{0, 512, 1024}));
}

TEST(BpfkvQueries, RangeFlagsAndEmptyRanges) {
  NativeXrp function(tens);
  Reads reads;
  auto scan = [&](BpfkvRange range) { return bpfkv_xrp_range(function, reads.reader(), range); };
  EXPECT_EQ(keys_of(scan({.begin = 10, .end = 40})), tens_in(10, 30));
  EXPECT_EQ(keys_of(scan({.begin = 10, .end = 40, .begin_exclusive = true})), tens_in(20, 30));
  EXPECT_EQ(keys_of(scan({.begin = 10, .end = 40, .end_inclusive = true})), tens_in(10, 40));
  EXPECT_EQ(keys_of(scan({.begin = 40, .end = 40, .end_inclusive = true})), tens_in(40, 40));
  // Empty ranges ask nothing.
  reads.offsets.clear();
  for (BpfkvRange empty : {BpfkvRange{.begin = 40, .end = 40}, BpfkvRange{.begin = 41, .end = 40},
                           BpfkvRange{.begin = 40, .end = 41, .begin_exclusive = true},
                           BpfkvRange{.begin = 40, .end = 40, .begin_exclusive = true, .end_inclusive = true}}) {
    BpfkvRangeOutcome outcome = scan(empty);
    EXPECT_FALSE(outcome.failure);
    EXPECT_EQ(outcome.requests, 0u);
  }
  EXPECT_TRUE(reads.offsets.empty());
  BpfkvRangeOutcome sum = scan({.begin = 0, .end = 1000, .sum = true});
  EXPECT_TRUE(sum.pairs.empty());
  EXPECT_EQ(sum.sum, 49500);
  EXPECT_EQ(sum.requests, 1u);
}

// Each breaks the range protocol in one way.
unsigned stands_still(Context* context) { return finish(context); }

unsigned too_many_pairs(Context* context) {
  reinterpret_cast<bpfkv_range_query*>(context->scratch)->len = BPFKV_RANGE_KEYS + 1;
  return finish(context);
}

unsigned key_outside(Context* context) {
  auto* query = reinterpret_cast<bpfkv_range_query*>(context->scratch);
  query->kv[0].key = query->range_end;
  query->len = 1;
  return finish(context);
}

unsigned keys_repeat(Context* context) {
  auto* query = reinterpret_cast<bpfkv_range_query*>(context->scratch);
  query->kv[0].key = query->kv[1].key = query->range_begin;
  query->len = 2;
  return finish(context);
}

unsigned odd_leaf(Context* context) {
  auto* query = reinterpret_cast<bpfkv_range_query*>(context->scratch);
  query->kv[0].key = query->range_begin;
  query->len = 1;
  query->range_begin++;
  query->_resume_from_leaf = 100;
  return finish(context);
}

TEST(BpfkvQueries, RangeAnswersThatBreakTheProtocolFailTheScan) {
  Reads reads;
  const BpfkvRange range{.begin = 10, .end = 20};
  struct Case {
    NativeXrp::Entry function;
    std::string message;
  } cases[] = {
      {stands_still, "the range function neither returned a pair nor moved on (request 1)"},
      {too_many_pairs, "the range function reports 33 pairs; kv[] holds 0 to 32 (request 1)"},
      {key_outside, "the range function returned key 20, outside the range (request 1)"},
      {keys_repeat, "the range function returned key 10, not after the key before it (10) (request 1)"},
      {odd_leaf, "the range function asks to go on at offset 100, which is not a block's (request 2)"},
  };
  for (const Case& c : cases) {
    NativeXrp function(c.function);
    BpfkvRangeOutcome outcome = bpfkv_xrp_range(function, reads.reader(), range);
    ASSERT_TRUE(outcome.failure) << c.message;
    EXPECT_FALSE(outcome.failure->xrp);
    EXPECT_EQ(outcome.failure->describe(), c.message);
  }
}

}  // namespace
}  // namespace sbpf::xrp
