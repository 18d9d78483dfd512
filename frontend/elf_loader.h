// Loads BPF ELF objects (clang -target bpf) into isa::Program, without a kernel.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "isa/program.h"

namespace sbpf::frontend {

// The file is not a loadable BPF object: unreadable, truncated, corrupt, not
// ELF, not BPF, or its relocations cannot be resolved. One readable message
// that starts with the file name.
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The object is readable but uses a construct sbpf cannot run (an address
// of a function or an extern in global data, …): the program is rejected,
// it is not bad input. The message names the file and the variable.
class UnsupportedConstruct : public LoadError {
 public:
  UnsupportedConstruct(std::string path, std::string reason)
      : LoadError(path + ": " + reason), path_(std::move(path)), reason_(std::move(reason)) {}
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

// True when `bytes` start with the ELF magic.
bool looks_like_elf(const std::vector<uint8_t>& bytes);

// Every program of the object, one per executable section (sub-programs
// reached by local calls are appended to each caller, as libbpf does).
// Program::name is the section name. Global data (.rodata*, .data*, .bss*)
// becomes Program::sections, and each `lddw` that refers to it is rewritten
// to the kLddwMapValue pseudo form (imm = section index, second imm =
// offset). BTF line info, when present, fills Program::lines.
std::vector<isa::Program> load_elf(const std::string& path);

// One program: the one in `section`, or the only one when `section` is empty.
// When a section holds several programs, `section` may instead name the
// program's function. Only the chosen program is linked, so it loads even if
// another program of the object uses something unsupported. Throws LoadError
// naming the sections present when the choice is ambiguous or absent.
isa::Program load_elf_program(const std::string& path, const std::string& section = "");

}  // namespace sbpf::frontend
