// The device build's frontend: the device has no libbpf, libelf or clang, so
// it reads programs as images, assembly or raw bytecode. A BPF ELF object is
// recognised by its magic and refused with the way to make an image. Native
// twins (native_twin.cpp) need no ELF library and run on the device too.
#include <cstring>

#include "frontend/elf_loader.h"

namespace sbpf::frontend {

namespace {

[[noreturn]] void refuse(const std::string& path) {
  throw LoadError(path + ": reading an ELF object needs the host's sbpf (libbpf); make a program image there with "
                         "`sbpf verify " + path + " --emit-image OUT.img`");
}

}  // namespace

bool looks_like_elf(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0;
}

std::vector<isa::Program> load_elf(const std::string& path) { refuse(path); }

isa::Program load_elf_program(const std::string& path, const std::string&) { refuse(path); }

}  // namespace sbpf::frontend
