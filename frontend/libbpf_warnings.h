// libbpf's log, captured: a failure inside libbpf becomes the message of the
// load that caused it instead of lines on stderr.
#pragma once

#include <string>

namespace sbpf::frontend::detail {

// While alive, libbpf's warnings on this thread are kept here instead of
// printed. The first one is kept: libbpf states the cause before the
// consequences.
class LibbpfWarnings {
 public:
  LibbpfWarnings();
  ~LibbpfWarnings();
  LibbpfWarnings(const LibbpfWarnings&) = delete;
  LibbpfWarnings& operator=(const LibbpfWarnings&) = delete;

  const std::string& first() const { return first_; }

 private:
  std::string first_;
  std::string* previous_;
};

}  // namespace sbpf::frontend::detail
