// Arbitrary bytes as an ELF object: a LoadError or programs — never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "frontend/elf_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/sbpf-elf-fuzz-" + std::to_string(getpid()) + ".o";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    sbpf::frontend::load_elf(path);
  } catch (const sbpf::frontend::LoadError&) {
  }
  std::remove(path.c_str());
  return 0;
}
