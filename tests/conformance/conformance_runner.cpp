// Runs the bpf_conformance suite against a plugin through the plugin contract
// (program as hex on stdin, memory as hex in argv[1], r0 in hex on stdout),
// with the official runner's filtering by cpu version and conformance group.
// Prints one line per failure and skip, then `N passed, M failed, K skipped`.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "conformance_suite.h"
#include "isa/assembler.h"

namespace {

using sbpf::conformance::Requirements;
using sbpf::conformance::SuiteTest;

struct PluginOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  std::string s;
  char buf[4];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x ", b);
    s += buf;
  }
  return s;
}

std::string read_all(int fd) {
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) data.append(buf, static_cast<size_t>(n));
  return data;
}

// fork/exec the plugin with pipes on stdin, stdout and stderr.
PluginOutput run_plugin(const std::vector<std::string>& command, const std::string& stdin_text) {
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return {-1, "", std::strerror(errno)};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    std::vector<char*> argv;
    for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // The program is a few hundred bytes: it fits the pipe, so write then read.
  ssize_t written = write(in[1], stdin_text.data(), stdin_text.size());
  (void)written;
  close(in[1]);
  PluginOutput result;
  result.out = read_all(out[0]);
  result.err = read_all(err[0]);
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

int usage() {
  std::fprintf(stderr,
               "usage: conformance_runner --plugin PATH [--plugin-arg ARG]... [--cpu v1|v2|v3|v4]\n"
               "                          [--groups default,callx,...] DIR\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> plugin;
  std::vector<std::string> plugin_args;
  std::string dir;
  int cpu = 4;
  uint32_t groups = sbpf::conformance::kDefaultGroups | sbpf::conformance::kCallx;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--plugin") plugin.push_back(value());
    else if (a == "--plugin-arg") plugin_args.push_back(value());
    else if (a == "--cpu") {
      std::string v = value();
      if (v.size() != 2 || v[0] != 'v' || v[1] < '1' || v[1] > '4') return usage();
      cpu = v[1] - '0';
    } else if (a == "--groups") {
      auto g = sbpf::conformance::parse_groups(value());
      if (!g) return usage();
      groups = *g;
    } else if (!a.empty() && a[0] != '-' && dir.empty()) dir = a;
    else return usage();
  }
  if (plugin.size() != 1 || dir.empty()) return usage();

  int passed = 0, failed = 0, skipped = 0;
  for (const std::string& path : sbpf::conformance::list_suite_files(dir)) {
    SuiteTest test;
    std::vector<uint8_t> code;
    std::vector<sbpf::isa::Instruction> slots;
    try {
      test = sbpf::conformance::read_suite_test(path);
      if (!test.asm_text.empty()) {
        sbpf::isa::Program program = sbpf::isa::assemble(test.asm_text, test.name);
        code = sbpf::isa::encode(program);
        slots = program.insns;
        if (!test.raw.empty() && test.raw != code) {
          std::printf("FAIL %s: the assembler's bytes differ from the file's raw section\n", test.name.c_str());
          ++failed;
          continue;
        }
      } else {
        code = test.raw;
        for (size_t off = 0; off + 8 <= code.size(); off += 8) slots.push_back(sbpf::isa::decode_slot(&code[off]));
      }
    } catch (const std::exception& e) {
      std::printf("FAIL %s: %s\n", test.name.c_str(), e.what());
      ++failed;
      continue;
    }
    if (code.empty()) {
      std::printf("SKIP %s: no instructions\n", test.name.c_str());
      ++skipped;
      continue;
    }
    Requirements req = sbpf::conformance::requirements_of(slots);
    if (req.cpu_version > cpu || (req.groups & ~groups) != 0) {
      std::printf("SKIP %s: needs cpu v%d and groups %s\n", test.name.c_str(), req.cpu_version,
                  sbpf::conformance::group_names(req.groups).c_str());
      ++skipped;
      continue;
    }
    std::vector<std::string> command = plugin;
    command.insert(command.end(), plugin_args.begin(), plugin_args.end());
    command.push_back(hex_bytes(test.memory));
    PluginOutput out = run_plugin(command, hex_bytes(code) + "\n");

    std::string verdict;
    if (test.error) {
      if (out.exit_code == 0) verdict = "expected an error, plugin returned " + out.out;
    } else if (out.exit_code != 0) {
      verdict = "plugin exited " + std::to_string(out.exit_code) + ": " + out.err;
    } else {
      try {
        uint64_t r0 = std::stoull(out.out, nullptr, 16);
        if (!test.result || r0 != *test.result) {
          char buf[96];
          std::snprintf(buf, sizeof buf, "r0 = 0x%llx, expected 0x%llx", static_cast<unsigned long long>(r0),
                        static_cast<unsigned long long>(test.result.value_or(0)));
          verdict = buf;
        }
      } catch (const std::exception&) {
        verdict = "unreadable plugin output '" + out.out + "'";
      }
    }
    if (verdict.empty()) {
      ++passed;
    } else {
      while (!verdict.empty() && (verdict.back() == '\n')) verdict.pop_back();
      std::printf("FAIL %s: %s\n", test.name.c_str(), verdict.c_str());
      ++failed;
    }
  }
  std::printf("conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed == 0 && passed > 0 ? 0 : 1;
}
