// Native code in memory that is never writable and executable at once: the
// bytes are copied into fresh read-write pages, the instruction cache is
// flushed over them, and they become read and execute. The pages are
// unmapped with the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sbpf::jit {

// Makes code just written through the data side visible to instruction
// fetch over [begin, end). arm64 keeps the two caches apart (a core may run
// stale instructions from a reused page without it); on x86-64 it does
// nothing. qemu-user does not model the instruction cache, so a missing
// flush shows in no run there: the flush is a parameter that tests observe.
using InstructionCacheFlush = void (*)(char* begin, char* end);
void flush_instruction_cache(char* begin, char* end);

class ExecutableMemory {
 public:
  ExecutableMemory() = default;
  // Throws std::system_error when the pages cannot be mapped or protected.
  explicit ExecutableMemory(std::span<const uint8_t> code, InstructionCacheFlush flush = flush_instruction_cache);
  ~ExecutableMemory();
  ExecutableMemory(ExecutableMemory&& other) noexcept;
  ExecutableMemory& operator=(ExecutableMemory&& other) noexcept;
  ExecutableMemory(const ExecutableMemory&) = delete;
  ExecutableMemory& operator=(const ExecutableMemory&) = delete;

  const uint8_t* data() const { return static_cast<const uint8_t*>(pages_); }
  size_t size() const { return size_; }

 private:
  void release();

  void* pages_ = nullptr;
  size_t size_ = 0;     // bytes of code
  size_t mapped_ = 0;   // bytes mapped (whole pages)
};

}  // namespace sbpf::jit
