// What native code and the runtime that calls it share: one NativeContext
// per invocation, its address in a register for the whole run. The backends
// read and write its fields at fixed offsets; the runtime fills it before
// the call and reads how the invocation ended after it. Both JITs use the
// same protocol, so the runtime has one way of calling either.
//
// Aborts: native code stores the kind, the pc and one value that explains
// it, then unwinds to the entry function's frame and returns. The runtime
// turns that into the interpreter's Abort, message included.
#pragma once

#include <cstddef>
#include <cstdint>

#include "verifier/region_kind.h"

namespace sbpf::jit {

enum class NativeAbort : uint32_t {
  kNone = 0,
  kBounds,         // a guarded access failed its check; value = the base register
  kMisaligned,     // an atomic access not naturally aligned; value = the address
  kLoopBudget,     // a counted back-edge found the budget spent
  kStackOverflow,  // a local call past the frame limit
  kHelper,         // a helper call failed (the runtime holds the message)
};

// A helper's result: r0, and whether the helper failed (then the invocation
// aborts at the call). Two words, returned in registers by both ABIs.
struct HelperOutcome {
  uint64_t r0;
  uint64_t failed;
};

struct NativeContext;

inline constexpr uint32_t kCallxBit = 1u << 31;

// What a helper does when it is one of λ-IO's memory functions, which a
// backend may run inline: the helper's own checks (every byte of each
// pointer argument inside one region with the access's permission) against
// cached regions, then the C library's function. A call that misses a cache
// goes through the runtime's helper entry like any other, and the runtime
// refills the caches when the helper succeeds. The runtime says which ids
// these are (CompileOptions::memory_helpers).
enum class MemoryHelper : uint8_t {
  kMemmove,  // (dst, src, len) -> dst
  kMemcmp,   // (a, b, len) -> -1, 0 or 1
  kMemset,   // (dst, byte, len) -> dst
};

// Called for `call helper` and `callx` with r1..r5 as they are; the pc of
// the call is in NativeContext::call_pc, with kCallxBit set for a callx
// (whose register is in callx_id).
using HelperEntry = HelperOutcome (*)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                      NativeContext* context);
// Called when a guarded access misses its site's cached region: true when
// some region the verifier allowed holds the access (and the cache may then
// be refilled), false to abort with `bounds`.
using GuardEntry = uint64_t (*)(NativeContext* context, uint64_t address, uint64_t site);

// One guarded access site's cached region: the access at address A passes
// when A - start < count, count being the number of start offsets at which
// the access fits (size - bytes + 1, 0 when it cannot fit or the region
// forbids it). An inline memory helper's pointer argument has a cache of its
// own with bytes 0: a length L at A passes when A - start < count and
// L < count - (A - start). Zero at the start of each invocation, so the
// first access at each site takes the slow path.
struct GuardCache {
  uint64_t start;
  uint64_t count;
};

struct NativeContext {
  // In: the registers at entry and the invocation's budget.
  uint64_t args[5];     // r1..r5
  uint64_t stack_top;   // r10: one past the first frame
  uint64_t budget;      // back-edges left for counted loops (native code keeps it in a register)
  HelperEntry call_helper;
  GuardEntry guard_slow_path;
  // The C library's memmove, memcmp and memset, by MemoryHelper.
  const void* memory_functions[3];
  void* runtime;        // the runtime's own state, for the entries above

  // Kept by native code.
  uint64_t entry_stack;  // the native stack pointer to unwind to on abort
  uint32_t depth;        // local calls in progress (frames in use - 1)
  uint32_t call_pc;      // the pc of the helper call in progress (| kCallxBit for callx)
  uint64_t callx_id;     // the register value of a callx in progress
  uint64_t spill;        // a register parked by one instruction's code

  // Out: how the invocation ended (kNone: it returned).
  NativeAbort abort_kind;
  uint32_t abort_pc;
  uint64_t abort_value;
  // With CompileOptions::count_versioned_trips: entries into versioned
  // loops' unguarded copies, and trips around them (headers run there).
  uint64_t versioned_entries;
  uint64_t versioned_trips;

  // GuardCache guards[sites] follow the struct (allocated by the runtime;
  // see guard_cache_offset).
};

// The offset of guard site `site`'s cache from the context's address.
inline constexpr size_t guard_cache_offset(size_t site) {
  return (sizeof(NativeContext) + alignof(GuardCache) - 1) / alignof(GuardCache) * alignof(GuardCache) +
         site * sizeof(GuardCache);
}

}  // namespace sbpf::jit
