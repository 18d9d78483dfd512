// A program's native twin: the same C source built by `sbpf compile --native`
// into a shared object (for the host, or with --target for the device). It computes the reference results the BPF
// program must reproduce, and is the speed limit in benchmarks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sbpf::frontend {

// True when `bytes` are an ELF shared object for the machine this runs on.
bool looks_like_native_twin(std::span<const uint8_t> bytes);

// The machine (x86_64, aarch64, …) of an ELF shared object built for
// another machine than this one: a twin this process cannot run. Nothing
// for anything else.
std::optional<std::string> foreign_twin_machine(std::span<const uint8_t> bytes);

// This process's machine, named as foreign_twin_machine names them.
std::string host_machine();

// The twin's entry point is the function in its program section: the SDK's
// macros (SBPF_LAMBDA, SBPF_XRP, λ-IO's LIO_PROG) put it in a section named
// like the BPF program's, in native builds too.
class NativeTwin {
 public:
  // Opens `path` (dlopen) and finds the function in `section`, or in the only
  // program section when `section` is empty. Throws LoadError naming the
  // sections present when the choice is absent or ambiguous.
  NativeTwin(const std::string& path, const std::string& section = "");
  ~NativeTwin();
  NativeTwin(const NativeTwin&) = delete;
  NativeTwin& operator=(const NativeTwin&) = delete;

  const std::string& section() const { return section_; }
  const std::string& function() const { return function_; }
  void* entry() const { return entry_; }

 private:
  std::string section_;
  std::string function_;
  void* handle_ = nullptr;
  void* entry_ = nullptr;
};

}  // namespace sbpf::frontend
