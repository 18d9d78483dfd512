// Helpers: host functions a program calls by id, with typed signatures that
// the verifier checks and the engines honour.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "runtime/region.h"

namespace sbpf::runtime {

// What a helper expects in r1..r5.
enum class ArgType : uint8_t {
  kNone,          // unused
  kScalar,        // any number
  kReadableMem,   // pointer to memory the helper reads; size in the next kSize arg
  kWritableMem,   // pointer to memory the helper writes; size in the next kSize arg
  kSize,          // byte count of the preceding memory argument
  kHeapPointer,   // a pointer returned by malloc, or 0
};

enum class ReturnType : uint8_t { kScalar, kHeapPointerOrNull };

struct HelperSignature {
  std::string name;
  ReturnType ret = ReturnType::kScalar;
  ArgType args[5] = {ArgType::kNone, ArgType::kNone, ArgType::kNone, ArgType::kNone, ArgType::kNone};
};

class HeapArena;

// What a helper sees of the invocation that called it. Memory goes through
// the same region table as the program's own accesses.
class HelperCall {
 public:
  HelperCall(const RegionTable& regions, HeapArena* heap) : regions_(regions), heap_(heap) {}

  // Checked views of program memory; nullptr (and the call marked failed)
  // when [addr, addr+len) is not inside one region with that permission.
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
};

class HelperRegistry {
 public:
  // Replaces a helper already registered under the same id.
  void add(Helper helper);
  const Helper* find(int32_t id) const;
  const std::map<int32_t, Helper>& all() const { return helpers_; }

 private:
  std::map<int32_t, Helper> helpers_;
};

}  // namespace sbpf::runtime
