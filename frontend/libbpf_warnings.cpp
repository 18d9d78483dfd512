#include "frontend/libbpf_warnings.h"

#include <bpf/libbpf.h>

#include <array>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace sbpf::frontend::detail {

namespace {

// libbpf prints to stderr unless told otherwise, and the setting is
// process-wide, so one callback is installed, once, that hands each warning
// to whichever load is running on the calling thread.
thread_local std::string* t_libbpf_warning = nullptr;

int keep_first_libbpf_warning(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || t_libbpf_warning == nullptr || !t_libbpf_warning->empty()) return 0;
  std::array<char, 512> text{};
  if (std::vsnprintf(text.data(), text.size(), format, args) < 0) return 0;
  std::string message(text.data());
  if (message.starts_with("libbpf: ")) message.erase(0, 8);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  *t_libbpf_warning = message;
  return 0;
}

}  // namespace

LibbpfWarnings::LibbpfWarnings() : previous_(t_libbpf_warning) {
  static std::once_flag installed;
  std::call_once(installed, [] { libbpf_set_print(keep_first_libbpf_warning); });
  t_libbpf_warning = &first_;
}

LibbpfWarnings::~LibbpfWarnings() { t_libbpf_warning = previous_; }

}  // namespace sbpf::frontend::detail
