// One csmith program as a λ function: generated from a seed with the options
// below, then compiled twice from the same source, to BPF and to its native
// twin, by `sbpf compile`'s clang command line (frontend/clang_driver.h).
// runtime/csmith_lambda.c wraps the program's main into the λ function
// `csmith`, whose output is the 4-byte checksum of the program's globals.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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
// pointers keep the rest of csmith's shapes in reach meanwhile, and their
// globals are made external (generate_program), which keeps clang from
// computing much of them at compile time.
enum class Profile { kPointers, kScalars };
const char* profile_name(Profile profile);

// The generator's options: what BPF itself cannot express is left out at the
// source, so that a rejection says something about sbpf (see the .cpp).
std::vector<std::string> csmith_options(Profile profile);

// The files of one seed's program under `work_dir`.
struct ProgramFiles {
  std::string source;     // the generated C
  std::string object;     // its BPF object
  std::string twin;       // its native twin (a shared object)
  std::string reference;  // csmith's own build of it (an executable)
  std::string image;      // its program image, when the device's corpus is made
};
ProgramFiles program_files(const std::string& work_dir, uint64_t seed);

// Runs csmith for `seed`, writing files.source. A program without pointers
// then has the `static` taken off its globals: clang folds much of a program
// whose static globals it sees every use of into a constant checksum, and
// leaves the computation to the engines when it cannot. (Its functions keep
// theirs: BPF cannot call a function with more than five arguments or one
// that returns an aggregate, and clang rewrites or inlines static ones.
// Programs with pointers keep their globals static: an external global's
// pointer initializer stays in the object, and sbpf does not load those yet.)
ChildResult generate_program(const Toolchain& tools, uint64_t seed, Profile profile, const ProgramFiles& files);

// Compiles files.source, wrapped as a λ function, to files.object (BPF) or
// files.twin (`native`). Warnings are off: csmith's code is full of them.
ChildResult compile_program(const Toolchain& tools, const ProgramFiles& files, bool native);

// The second opinion on a program's checksum, asked when the engines and the
// twin disagree: the program as csmith means it to be built (its own
// csmith.h, printing the checksum) at -O0. A program that never ends is
// undefined in C (a loop without side effects may be assumed to end), and
// clang at -O2 may then give the twin and the BPF object different results;
// unoptimised code keeps the endless loop. nullopt when the build fails,
// the program runs past `limit`, or prints no checksum.
std::optional<uint32_t> reference_checksum(const Toolchain& tools, const ProgramFiles& files,
                                           std::chrono::milliseconds limit);

// The first line of clang's output that says what is wrong.
std::string first_error(const std::string& clang_output);

// Why clang refused a program (its first error), as a category to count:
// "clang: <what>".
std::string clang_rejection(const std::string& clang_output);

}  // namespace sbpf::csmith
