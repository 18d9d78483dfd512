#include "runtime/global_data.h"

#include <cstring>

namespace sbpf::runtime {

std::vector<std::vector<uint8_t>> lay_out_global_data(const isa::Program& program) {
  std::vector<std::vector<uint8_t>> sections;
  sections.reserve(program.sections.size());
  for (const isa::DataSection& section : program.sections) {
    sections.push_back(section.bytes);
    sections.back().reserve(1);  // data() is then never null
  }
  // The vectors' buffers stay where they are from here on: the engine keeps
  // them, and moving the outer vector moves no buffer.
  for (size_t s = 0; s < program.sections.size(); ++s) {
    for (const isa::DataPointer& ptr : program.sections[s].pointers) {
      const uint64_t address =
          ptr.target == isa::DataPointer::kNull ? 0 : reinterpret_cast<uintptr_t>(sections[ptr.target].data()) + ptr.offset;
      std::memcpy(sections[s].data() + ptr.at, &address, sizeof address);
    }
  }
  return sections;
}

}  // namespace sbpf::runtime
