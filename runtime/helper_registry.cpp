#include "runtime/helper_registry.h"

#include <cstdio>

namespace sbpf::runtime {

namespace {
std::string describe(uint64_t addr, uint64_t len, const char* access) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s of %llu bytes at 0x%llx is outside every region", access,
                static_cast<unsigned long long>(len), static_cast<unsigned long long>(addr));
  return buf;
}
}  // namespace

const uint8_t* HelperCall::readable(uint64_t addr, uint64_t len) {
  if (len == 0) return empty_;  // a valid pointer for a zero-length copy
  const uint8_t* p = regions_.translate(addr, len, false, kAllRegionKinds);
  if (p == nullptr) fail(describe(addr, len, "read"));
  return p;
}

uint8_t* HelperCall::writable(uint64_t addr, uint64_t len) {
  if (len == 0) return empty_;
  uint8_t* p = regions_.translate(addr, len, true, kAllRegionKinds);
  if (p == nullptr) fail(describe(addr, len, "write"));
  return p;
}

void HelperCall::fail(std::string message) {
  if (failed_) return;  // keep the first reason
  failed_ = true;
  failure_ = std::move(message);
}

uint64_t invoke_helper(const Helper& helper, const RegionTable& regions, HeapArena* heap, const uint64_t args[5],
                       std::optional<std::string>& failure) {
  HelperCall call(regions, heap);
  const uint64_t r0 = helper.function(call, args);
  if (call.failed()) failure = helper.signature.name + ": " + call.failure();
  return r0;
}

void HelperRegistry::add(Helper helper) { helpers_[helper.id] = std::move(helper); }

const Helper* HelperRegistry::find(int32_t id) const {
  auto it = helpers_.find(id);
  return it == helpers_.end() ? nullptr : &it->second;
}

std::map<int32_t, jit::MemoryHelper> HelperRegistry::memory_functions() const {
  std::map<int32_t, jit::MemoryHelper> functions;
  for (const auto& [id, helper] : helpers_)
    if (helper.memory_function) functions[id] = *helper.memory_function;
  return functions;
}

}  // namespace sbpf::runtime
