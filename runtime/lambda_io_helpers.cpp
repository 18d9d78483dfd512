#include "runtime/lambda_io_helpers.h"

#include <cstring>
#include <optional>
#include <tuple>

#include "runtime/heap_arena.h"
#include "verifier/program_type.h"

namespace sbpf::runtime {

namespace {

// memcpy(dst, src, len) -> dst. Overlap is allowed (memmove), since a
// program cannot know where two regions lie.
uint64_t memcpy_helper(HelperCall& call, const uint64_t a[5]) {
  uint8_t* dst = call.writable(a[0], a[2]);
  const uint8_t* src = call.readable(a[1], a[2]);
  if (call.failed()) return 0;
  std::memmove(dst, src, a[2]);
  return a[0];
}

uint64_t malloc_helper(HelperCall& call, const uint64_t a[5]) {
  if (call.heap() == nullptr) {
    call.fail("malloc: this invocation has no heap");
    return 0;
  }
  return call.heap()->allocate(a[0]);
}

uint64_t free_helper(HelperCall& call, const uint64_t a[5]) {
  if (a[0] == 0) return 0;  // free(NULL) is a no-op
  if (call.heap() == nullptr || !call.heap()->release(a[0])) call.fail("free: pointer was not returned by malloc");
  return 0;
}

// λ-IO clamps the offset so that [off, off + size) stays below `boundary`.
uint64_t clamp_offset(uint64_t off, uint64_t size, uint64_t boundary) {
  if (size > boundary) return 0;
  return off > boundary - size ? boundary - size : off;
}

// mem_read(dst, src, off, size, boundary): dst[0..size) = src[off..off+size).
uint64_t mem_read_helper(HelperCall& call, const uint64_t a[5]) {
  uint64_t off = clamp_offset(a[2], a[3], a[4]);
  uint8_t* dst = call.writable(a[0], a[3]);
  const uint8_t* src = call.readable(a[1] + off, a[3]);
  if (call.failed()) return 0;
  std::memmove(dst, src, a[3]);
  return 0;
}

// mem_write(dst, src, off, size, boundary): dst[off..off+size) = src[0..size).
uint64_t mem_write_helper(HelperCall& call, const uint64_t a[5]) {
  uint64_t off = clamp_offset(a[2], a[3], a[4]);
  uint8_t* dst = call.writable(a[0] + off, a[3]);
  const uint8_t* src = call.readable(a[1], a[3]);
  if (call.failed()) return 0;
  std::memmove(dst, src, a[3]);
  return 0;
}

// memcmp(a, b, len): <0, 0 or >0 as a signed 64-bit value.
uint64_t memcmp_helper(HelperCall& call, const uint64_t a[5]) {
  const uint8_t* x = call.readable(a[0], a[2]);
  const uint8_t* y = call.readable(a[1], a[2]);
  if (call.failed()) return 0;
  int r = std::memcmp(x, y, a[2]);
  return static_cast<uint64_t>(static_cast<int64_t>(r < 0 ? -1 : r > 0 ? 1 : 0));
}

uint64_t memset_helper(HelperCall& call, const uint64_t a[5]) {
  uint8_t* dst = call.writable(a[0], a[2]);
  if (call.failed()) return 0;
  std::memset(dst, static_cast<int>(a[1] & 0xff), a[2]);
  return a[0];
}

}  // namespace

// The signatures are the verifier's λ program type's, so what it checks at a
// call and what runs are one declaration. memcpy, memcmp and memset do
// nothing but check their pointers' regions and call the C library: the JIT
// may run them inline.
void add_lambda_io_helpers(HelperRegistry& registry) {
  const verifier::ProgramType lambda = verifier::lambda_program_type();
  using jit::MemoryHelper;
  // The length is r3 for memcpy(dst, src, len), memcmp and memset, r4 for
  // mem_read(dst, src, off, size, boundary) and mem_write.
  const std::tuple<int32_t, HelperFunction, std::optional<MemoryHelper>, std::optional<uint8_t>> helpers[] = {
      {kHelperMemcpy, memcpy_helper, MemoryHelper::kMemmove, 2},
      {kHelperMalloc, malloc_helper, std::nullopt, std::nullopt},
      {kHelperFree, free_helper, std::nullopt, std::nullopt},
      {kHelperMemRead, mem_read_helper, std::nullopt, 3},
      {kHelperMemWrite, mem_write_helper, std::nullopt, 3},
      {kHelperMemcmp, memcmp_helper, MemoryHelper::kMemcmp, 2},
      {kHelperMemset, memset_helper, MemoryHelper::kMemset, 2},
  };
  for (const auto& [id, function, memory_function, length_argument] : helpers)
    registry.add({id, *lambda.helper(id), function, memory_function, length_argument});
}

}  // namespace sbpf::runtime
