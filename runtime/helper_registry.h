// Helpers: host functions a program calls by id, with typed signatures that
// the verifier checks and the engines honour.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "jit/native_context.h"
#include "runtime/region.h"
#include "verifier/helper_signature.h"

namespace sbpf::runtime {

// Signatures are the verifier's: it checks them at each call.
using verifier::ArgType;
using verifier::HelperSignature;
using verifier::ReturnType;

class HeapArena;

// What a helper sees of the invocation that called it. Memory goes through
// the same region table as the program's own accesses.
class HelperCall {
 public:
  HelperCall(const RegionTable& regions, HeapArena* heap) : regions_(regions), heap_(heap) {}

  // Checked views of program memory; nullptr (and the call marked failed)
  // when [addr, addr+len) is not inside one region with that permission, or
  // touches an address that global data holds (RegionTable::translate).
  const uint8_t* readable(uint64_t addr, uint64_t len);
  uint8_t* writable(uint64_t addr, uint64_t len);

  HeapArena* heap() { return heap_; }

  // Ends the invocation with AbortKind::kHelper after the helper returns.
  void fail(std::string message);
  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }

 private:
  const RegionTable& regions_;
  HeapArena* heap_;
  bool failed_ = false;
  std::string failure_;
  uint8_t empty_[1] = {};
};

using HelperFunction = uint64_t (*)(HelperCall& call, const uint64_t args[5]);

struct Helper {
  int32_t id = 0;
  HelperSignature signature;
  HelperFunction function = nullptr;
  // Set when the helper is exactly this memory function (λ-IO's memcpy,
  // memcmp, memset): the JIT may then run it inline.
  std::optional<jit::MemoryHelper> memory_function;
  // Which argument (0 for r1) counts the bytes the helper moves or compares:
  // what a metered run reports as helper bytes (ExecutionResult).
  std::optional<uint8_t> length_argument;
};

// Runs `helper` on r1..r5 (`args`) against the invocation's memory. Returns
// r0, or sets `failure` to "name: why" when the helper failed.
uint64_t invoke_helper(const Helper& helper, const RegionTable& regions, HeapArena* heap, const uint64_t args[5],
                       std::optional<std::string>& failure);

class HelperRegistry {
 public:
  // Replaces a helper already registered under the same id.
  void add(Helper helper);
  const Helper* find(int32_t id) const;
  const std::map<int32_t, Helper>& all() const { return helpers_; }
  // The ids of the helpers that are plain memory functions, for the JIT.
  std::map<int32_t, jit::MemoryHelper> memory_functions() const;

 private:
  std::map<int32_t, Helper> helpers_;
};

}  // namespace sbpf::runtime
