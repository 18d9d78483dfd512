#include "jit/executable_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace sbpf::jit {

void flush_instruction_cache(char* begin, char* end) { __builtin___clear_cache(begin, end); }

ExecutableMemory::ExecutableMemory(std::span<const uint8_t> code, InstructionCacheFlush flush) : size_(code.size()) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  mapped_ = (code.size() + page - 1) / page * page;
  if (mapped_ == 0) mapped_ = page;
  void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap for native code");
  std::memcpy(p, code.data(), code.size());
  flush(static_cast<char*>(p), static_cast<char*>(p) + code.size());
  if (mprotect(p, mapped_, PROT_READ | PROT_EXEC) != 0) {
    const int error = errno;
    munmap(p, mapped_);
    throw std::system_error(error, std::generic_category(), "mprotect of native code");
  }
  pages_ = p;
}

ExecutableMemory::~ExecutableMemory() { release(); }

ExecutableMemory::ExecutableMemory(ExecutableMemory&& other) noexcept
    : pages_(std::exchange(other.pages_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

ExecutableMemory& ExecutableMemory::operator=(ExecutableMemory&& other) noexcept {
  if (this != &other) {
    release();
    pages_ = std::exchange(other.pages_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

void ExecutableMemory::release() {
  if (pages_ != nullptr) munmap(pages_, mapped_);
  pages_ = nullptr;
}

}  // namespace sbpf::jit
