// Text assembler for the syntax of the bpf_conformance `.data` files
// (`mov32 %r0, 1`, `ldxw %r1, [%r2+4]`, `lock fetch add [%r10-8], %r1`,
// `call local label`, labels `name:`, comments after `#`).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "isa/program.h"

namespace sbpf::isa {

// Bad assembly: `what()` is `file:line: error: reason`.
class AssemblyError : public std::runtime_error {
 public:
  AssemblyError(std::string file, size_t line, const std::string& reason);
  const std::string& file() const { return file_; }
  size_t line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  size_t line_;
  std::string reason_;
};

// Assembles `text` into a validated Program. Line info maps every pc to its
// line in `file_name`, so run-time errors can name the assembly line.
// Throws AssemblyError for text that is not assembly, and AssemblyError too
// (with the line of the offending instruction) when the result fails
// isa::validate().
Program assemble(std::string_view text, const std::string& file_name = "<input>");

}  // namespace sbpf::isa
