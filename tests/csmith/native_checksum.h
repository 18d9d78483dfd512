// The reference result: a program's native twin run once, in a child
// process (its globals start fresh, and a twin that crashes or runs past the
// limit takes only the child with it).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tests/csmith/csmith_corpus.h"

namespace sbpf::csmith {

struct NativeRun {
  enum class Status { kOk, kTimedOut, kFailed };
  Status status = Status::kFailed;
  std::vector<uint8_t> output;  // kOk: what the λ function wrote
  std::string detail;           // kFailed: why
};

NativeRun run_native_twin(const std::string& twin_path, std::chrono::milliseconds limit);


}  // namespace sbpf::csmith
