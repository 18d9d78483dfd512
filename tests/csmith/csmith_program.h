// One csmith program as a λ function: generated from a seed with the options
// below, then compiled twice from the same source, to BPF and to its native
// twin, by `sbpf compile`'s clang command line (frontend/clang_driver.h).
// runtime/csmith_lambda.c wraps the program's main into the λ function
// `csmith`, whose output is the 4-byte checksum of the program's globals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/csmith/child_process.h"

namespace sbpf::csmith {

// Where the harness finds its tools and headers.
struct Toolchain {
  std::string csmith;              // the csmith executable
  std::string csmith_include_dir;  // csmith's headers: safe_math.h is used as is
  std::string runtime_dir;         // tests/csmith/runtime: our csmith.h and the λ wrapper
  std::string clang;               // as `sbpf compile` finds it
};

// Two kinds of program: csmith's own, with pointers, and programs without
// pointers. sbpf loads no object whose global data holds addresses yet, and a
// quarter of csmith's programs with pointers have some; the programs without
// pointers keep the rest of csmith's shapes in reach meanwhile.
enum class Profile { kPointers, kScalars };
const char* profile_name(Profile profile);

// The generator's options: what BPF itself cannot express is left out at the
// source, so that a rejection says something about sbpf (see the .cpp).
std::vector<std::string> csmith_options(Profile profile);

// The files of one seed's program under `work_dir`.
struct ProgramFiles {
  std::string source;  // the generated C
  std::string object;  // its BPF object
  std::string twin;    // its native twin (a shared object)
};
ProgramFiles program_files(const std::string& work_dir, uint64_t seed);

// Runs csmith for `seed`, writing files.source.
ChildResult generate_program(const Toolchain& tools, uint64_t seed, Profile profile, const ProgramFiles& files);

// Compiles files.source, wrapped as a λ function, to files.object (BPF) or
// files.twin (`native`). Warnings are off: csmith's code is full of them.
ChildResult compile_program(const Toolchain& tools, const ProgramFiles& files, bool native);

// Why clang refused a program, as a category to count: "clang: <what>".
std::string clang_rejection(const std::string& clang_output);

}  // namespace sbpf::csmith
