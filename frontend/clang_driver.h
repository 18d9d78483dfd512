// `sbpf compile`: drives clang to turn a λ or XRP program written in C into
// a BPF object (or, with `native`, into a shared object: its twin).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sbpf::frontend {

struct CompileOptions {
  std::string source;
  std::string output;
  std::vector<std::string> include_dirs;  // -I
  std::vector<std::string> defines;       // -D NAME or NAME=VALUE
  std::string optimization = "2";         // -O LEVEL
  bool native = false;                    // a shared object (the twin) instead of BPF
  std::string target;                     // the twin's machine (x86_64, aarch64); empty: this one's
};

// Where clang was looked for, in order, and what was found.
struct ClangLookup {
  std::optional<std::string> path;
  std::vector<std::string> tried;  // each candidate with why it was passed over
};

// $SBPF_CLANG if set (and nothing else: a user who names a compiler means
// it), otherwise clang-19 then clang on $PATH.
ClangLookup find_clang();

// The SDK's root, holding include/ (<sbpf/*.h>) and compat/ (stand-ins for
// the headers λ-IO's and BPF-KV's programs include): $SBPF_SDK if set, else
// share/sbpf/sdk next to an installed `sbpf`, else the source tree this
// build was configured from.
std::string sdk_dir();

// The full clang command line for `options` (argv[0] is `clang`).
std::vector<std::string> clang_command(const std::string& clang, const CompileOptions& options);

// Runs a command with stdout and stderr passed through unchanged; returns its
// exit status (127 when it could not be started).
int run_command(const std::vector<std::string>& argv);

}  // namespace sbpf::frontend
