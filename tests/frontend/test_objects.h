// Where the frontend tests find their BPF objects (compiled from data/*.c at
// build time) and sources, and a scratch directory for damaged copies.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace sbpf::frontend::test {

inline std::string object_path(const std::string& name) {
  return std::string(SBPF_FRONTEND_TEST_OBJECTS) + "/" + name;
}

inline std::string source_path(const std::string& name) {
  return std::string(SBPF_FRONTEND_TEST_SOURCES) + "/" + name;
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

// The 1-based number of the line of `source` that contains `marker`.
inline uint32_t line_of(const std::string& source, const std::string& marker) {
  std::ifstream in(source);
  std::string text;
  for (uint32_t line = 1; std::getline(in, text); ++line)
    if (text.find(marker) != std::string::npos) return line;
  throw std::runtime_error(marker + " not found in " + source);
}

// A fresh directory for one test, removed afterwards. The pid keeps
// concurrent test runs apart.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& test_name)
      : path_(std::filesystem::temp_directory_path() /
              ("sbpf_frontend_" + test_name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace sbpf::frontend::test
