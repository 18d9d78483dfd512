// Errors about one instruction, said like clang's: the verifier's
// rejections and the engines' run-time aborts both come out of here, so
// that a reader sees one shape whichever stage found the problem.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "isa/program.h"

namespace sbpf::isa {

// Three lines, the second only when the program has the source text:
//
//   file:line:col: error: MESSAGE        (`fallback_path: error: …` without line info)
//     LINE | the source line
//   note: at pc PC: the instruction
//
// The note is left out for a pc outside the program.
std::string format_error_at(const Program& program, size_t pc, std::string_view fallback_path,
                            std::string_view message);

}  // namespace sbpf::isa
