// What a kind of program may touch: its context layout, its regions and its
// helpers. The analysis reads only this description, so a new program type
// plugs in by building one, without touching the analysis.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "verifier/helper_signature.h"
#include "verifier/region_kind.h"

namespace sbpf::verifier {

// What the verifier knows about a region's length before the program runs.
struct RegionLength {
  uint64_t min = 0;
  uint64_t max = 0;        // min == max: a fixed length
  uint64_t alignment = 1;  // the length is a multiple of this (a power of two)

  static RegionLength fixed(uint64_t n) { return {n, n, 1}; }
};

struct RegionSpec {
  RegionKind kind = RegionKind::kMemory;
  RegionLength length;
  bool writable = false;
  // The caller reads it after the invocation: no host pointer may be stored there.
  bool caller_visible = true;
};

// One field of the context structure.
struct CtxField {
  enum class Kind : uint8_t {
    kScalar,        // a number
    kPointer,       // the start of region `region`
    kRegionLength,  // a byte count: region `region` spans it rounded up to that region's alignment
  };
  std::string name;
  uint32_t offset = 0;
  uint32_t size = 8;  // an array of scalars is one field
  Kind kind = Kind::kScalar;
  RegionKind region = RegionKind::kMemory;
  bool writable = false;
};

// What r1..r5 hold when the entry function starts.
struct EntryArgument {
  enum class Kind : uint8_t {
    kNone,          // nothing (uninitialised)
    kCtx,           // a pointer to the context
    kRegionStart,   // a pointer to the start of `region`
    kRegionLength,  // the exact length of `region`
  };
  Kind kind = Kind::kNone;
  RegionKind region = RegionKind::kMemory;
};

struct ProgramType {
  std::string name;
  uint32_t ctx_size = 0;            // 0: no context
  std::vector<CtxField> ctx_fields;  // sorted by offset; bytes outside every field read as scalars
  std::vector<RegionSpec> regions;   // ctx, stack, rodata and data are added by the analysis
  std::map<int32_t, HelperSignature> helpers;
  EntryArgument entry[5];

  const RegionSpec* region(RegionKind kind) const;
  const CtxField* field_at(uint32_t offset) const;  // the field starting at `offset`
  const HelperSignature* helper(int32_t id) const;
};

// λ functions (sections `lambda/…`, `lambda_io/…`): r1 = struct context.
// The input region spans size_i rounded up to 8 bytes (the runtime zeroes
// the padding), so a loop reading 8-byte words while i < size_i stays inside.
inline constexpr uint64_t kLambdaMaxInputBytes = 8u << 20;
inline constexpr uint64_t kLambdaMaxOutputBytes = 256u << 20;
ProgramType lambda_program_type();

// XRP functions (sections `xrp…`, or a context of `struct bpf_xrp`):
// r1 = struct bpf_xrp; `data` holds at least one 512-byte block.
ProgramType xrp_program_type();

// Raw memory (the conformance suite's and `sbpf run --mem`'s convention):
// r1 = the memory, r2 = its length.
ProgramType memory_program_type();

// The built-in type by name ("lambda", "xrp", "memory"), or nullopt.
std::optional<ProgramType> program_type_named(const std::string& name);

// The type the program announces by its section name or, failing that, by the
// struct its entry function takes; nullopt when it announces none.
std::optional<ProgramType> program_type_for(const isa::Program& program);

}  // namespace sbpf::verifier
