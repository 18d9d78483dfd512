// Child processes for the csmith harness: the tools it drives (csmith,
// clang) and the parts of a check that may crash or run forever (a native
// twin, the verifier and the engines) each run in their own process with a
// time limit, so that one bad program is recorded and the run goes on.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace sbpf::csmith {

struct ChildResult {
  enum class Status { kExited, kSignalled, kTimedOut, kNotStarted };
  Status status = Status::kNotStarted;
  int code = 0;        // kExited: the exit status; kSignalled: the signal
  std::string output;  // what the child wrote (stdout and stderr together), up to a limit

  bool succeeded() const { return status == Status::kExited && code == 0; }
  std::string describe() const;  // "exit 1", "signal 11 (Segmentation fault)", "timed out"
};

// Runs `argv` (argv[0] a path or a name on $PATH) in `directory` (empty: this
// process's), with stdin closed and its output captured; kills it (and
// whatever it started) after `limit`.
ChildResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                        const std::string& directory = "");

// Runs `body` in a forked copy of this process. What it passes to `write`
// reaches the parent at once, so that the output up to a crash or a timeout
// is kept. The child ends with _exit(0) when `body` returns, without running
// destructors or atexit handlers that belong to the parent; an exception
// that escapes `body` is written out and ends it with exit status 3.
using ChildWriter = std::function<void(const std::string& text)>;
ChildResult run_in_child(const std::function<void(const ChildWriter& write)>& body,
                         std::chrono::milliseconds limit);

}  // namespace sbpf::csmith
