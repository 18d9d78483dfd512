// The device build's frontend: the device has no libbpf, libelf or clang, so
// it reads programs as images, assembly or raw bytecode. A BPF ELF object is
// recognised by its magic and refused with the way to make an image; a
// native twin is never recognised (its ELF is refused the same way).
#include <cstring>
#include <span>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"

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

bool looks_like_native_twin(std::span<const uint8_t>) { return false; }

NativeTwin::NativeTwin(const std::string& path, const std::string&) { refuse(path); }

NativeTwin::~NativeTwin() = default;

}  // namespace sbpf::frontend
