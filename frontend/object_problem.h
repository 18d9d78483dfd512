// The loader's internal error: every stage throws it, and load_elf() turns
// it into a LoadError that names the file.
#pragma once

#include <stdexcept>
#include <string>

namespace sbpf::frontend::detail {

// A reason the object cannot be loaded. load_elf() prefixes it with the path.
class ObjectProblem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The object is well formed but uses a construct sbpf does not run:
// load_elf() turns it into UnsupportedConstruct, a rejection of the program.
class UnsupportedProblem : public ObjectProblem {
 public:
  using ObjectProblem::ObjectProblem;
};

[[noreturn]] inline void corrupt(const std::string& what) { throw ObjectProblem("corrupt ELF: " + what); }

}  // namespace sbpf::frontend::detail
