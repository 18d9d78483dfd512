#include "tests/csmith/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

namespace sbpf::csmith {

namespace {

constexpr int kUncaughtExceptionExit = 3;

// Enough for any diagnostic worth reading; a runaway child is not kept whole.
constexpr size_t kMaxOutputBytes = 1u << 20;

using Clock = std::chrono::steady_clock;

void write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// The parent's side: reads the child's output until it closes the pipe, then
// reaps it; kills its process group when `limit` runs out first.
ChildResult collect(pid_t pid, int read_fd, std::chrono::milliseconds limit) {
  ChildResult result;
  const Clock::time_point deadline = Clock::now() + limit;
  auto remaining_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(std::min<long long>(left, 1000)) : 0;
  };
  bool timed_out = false;
  char buffer[4096];
  for (;;) {
    const int wait_ms = remaining_ms();
    if (wait_ms == 0) {
      timed_out = true;
      break;
    }
    pollfd p{read_fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = ::read(read_fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child closed its end: it ended, or is about to
    if (result.output.size() < kMaxOutputBytes) result.output.append(buffer, static_cast<size_t>(n));
  }
  ::close(read_fd);

  // The pipe can close before the child ends (or outlive it, held by a
  // grandchild): wait for the child itself, within the same limit.
  int status = 0;
  for (;;) {
    if (!timed_out && Clock::now() >= deadline) timed_out = true;
    if (timed_out) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
    }
    const pid_t done = ::waitpid(pid, &status, timed_out ? 0 : WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return result;
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (timed_out) {
    result.status = ChildResult::Status::kTimedOut;
  } else if (WIFEXITED(status)) {
    result.status = ChildResult::Status::kExited;
    result.code = WEXITSTATUS(status);
  } else {
    result.status = ChildResult::Status::kSignalled;
    result.code = WTERMSIG(status);
  }
  return result;
}

// In the child: its own process group (so that a timeout kills what it
// started too), no stdin, stdout and stderr into the pipe.
void become_child(int write_fd) {
  ::setpgid(0, 0);
  // Ends with the harness, even one that is killed.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::close(null_fd);
  }
  ::dup2(write_fd, 1);
  ::dup2(write_fd, 2);
  if (write_fd > 2) ::close(write_fd);
}

}  // namespace

std::string ChildResult::describe() const {
  switch (status) {
    case Status::kExited: return "exit " + std::to_string(code);
    case Status::kSignalled: return "signal " + std::to_string(code) + " (" + ::strsignal(code) + ")";
    case Status::kTimedOut: return "timed out";
    case Status::kNotStarted: break;
  }
  return "not started";
}

ChildResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                        const std::string& directory) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  return run_in_child(
      [&](const ChildWriter& write) {
        if (!directory.empty() && ::chdir(directory.c_str()) != 0) {
          write("cannot enter " + directory + ": " + std::strerror(errno) + "\n");
          ::_exit(127);
        }
        ::execvp(args[0], args.data());
        write(std::string("cannot run ") + args[0] + ": " + std::strerror(errno) + "\n");
        ::_exit(127);
      },
      limit);
}

ChildResult run_in_child(const std::function<void(const ChildWriter& write)>& body,
                         std::chrono::milliseconds limit) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {};
  }
  if (pid == 0) {
    ::close(fds[0]);
    // Keep a descriptor of its own for `write`: stdout and stderr go to the
    // same pipe, so that a sanitizer's report lands next to the progress.
    const int out = ::fcntl(fds[1], F_DUPFD_CLOEXEC, 0);
    become_child(fds[1]);
    const ChildWriter write = [out](const std::string& text) { write_all(out, text); };
    try {
      body(write);
    } catch (const std::exception& e) {
      write(std::string("uncaught exception: ") + e.what() + "\n");
      ::_exit(kUncaughtExceptionExit);
    }
    ::_exit(0);
  }
  ::setpgid(pid, pid);
  ::close(fds[1]);
  return collect(pid, fds[0], limit);
}

}  // namespace sbpf::csmith
