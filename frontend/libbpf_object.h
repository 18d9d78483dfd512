// The object as libbpf opens it: libbpf decides which functions are
// programs and parses .BTF; everything else the loader reads itself.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "frontend/libbpf_warnings.h"
#include "isa/instruction.h"

struct bpf_object;
struct btf;

namespace sbpf::frontend::detail {

// One program libbpf finds: a function in an executable section other than
// .text (libbpf 1.1 treats .text functions as sub-programs and does not list
// them), with its code as libbpf read it.
struct EntryPoint {
  std::string section;
  std::string function;
  std::vector<isa::Instruction> insns;
};

class LibbpfObject {
 public:
  // Throws ObjectProblem with libbpf's first warning when it cannot open
  // the object.
  LibbpfObject(std::span<const uint8_t> bytes, const std::string& name, const LibbpfWarnings& warnings);

  std::vector<EntryPoint> entry_points() const;

  // The object's BTF, or null when it has none or libbpf could not parse it.
  const struct btf* btf() const;

 private:
  std::unique_ptr<bpf_object, void (*)(bpf_object*)> object_;
};

}  // namespace sbpf::frontend::detail
