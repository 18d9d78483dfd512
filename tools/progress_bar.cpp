#include "tools/progress_bar.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>

namespace sbpf::tools {

ProgressBar::ProgressBar(uint64_t total, std::string unit)
    : total_(total), unit_(std::move(unit)), shown_(isatty(STDERR_FILENO) != 0 && total != 0) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void ProgressBar::update(uint64_t done) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  constexpr int kWidth = 40;
  const int filled = static_cast<int>(done * kWidth / total_);
  std::fprintf(stderr, "\r[%.*s%*s] %3d%% (%" PRIu64 " of %" PRIu64 " %s)", filled,
               "========================================", kWidth - filled, "", static_cast<int>(done * 100 / total_),
               done, total_, unit_.c_str());
  std::fflush(stderr);
}

}  // namespace sbpf::tools
