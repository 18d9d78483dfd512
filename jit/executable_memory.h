// Native code in memory that is never writable and executable at once: the
// bytes are copied into fresh read-write pages, which then become read and
// execute. The pages are unmapped with the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sbpf::jit {

class ExecutableMemory {
 public:
  ExecutableMemory() = default;
  // Throws std::system_error when the pages cannot be mapped or protected.
  explicit ExecutableMemory(std::span<const uint8_t> code);
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
