// A progress bar on stderr for the long experiments, drawn only on a
// terminal and only once the run has taken a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sbpf::tools {

class ProgressBar {
 public:
  // `unit` names what is counted ("lookups", "requests").
  ProgressBar(uint64_t total, std::string unit);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(uint64_t done);

 private:
  uint64_t total_;
  std::string unit_;
  bool shown_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace sbpf::tools
