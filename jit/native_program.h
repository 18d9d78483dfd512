// A verified program compiled to native code: what a backend returns and
// what the runtime calls (see native_context.h for the calling protocol).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/program.h"
#include "jit/executable_memory.h"
#include "jit/native_context.h"
#include "verifier/annotations.h"

namespace sbpf::jit {

enum class Arch : uint8_t { kX86_64, kArm64 };
const char* arch_name(Arch arch);

// How arm64 code does atomic read-modify-writes: with the LSE instructions
// (Armv8.1: ldadd, ldset, swp, cas, ...) or with an exclusive load/store
// loop, which every Armv8 core runs. kDetect asks the CPU at compile time
// (HWCAP_ATOMICS); on a host that is not arm64 it means LSE, so a cross
// dump shows what a modern device core runs.
enum class Arm64Atomics : uint8_t { kDetect, kLse, kExclusive };

struct CompileOptions {
  // Where each of the program's data sections lives (Program::sections
  // order): `lddw` of global data loads these addresses, so the code is
  // bound to the memory of one engine instance.
  std::vector<uint64_t> section_addresses;
  // Hide the program's 32- and 64-bit constants from the code bytes (each
  // appears xor-ed with a random key, undone at run time): a program cannot
  // plant chosen instruction bytes in executable memory.
  bool blind_constants = false;
  uint64_t blinding_seed = 0;  // 0: a fresh key sequence from the system
  // Helper ids whose helper is one of λ-IO's memory functions, run inline.
  std::map<int32_t, MemoryHelper> memory_helpers;
  // Count entries into versioned loops' unguarded copies and trips around
  // them in the NativeContext, for tests that must see the copies run.
  bool count_versioned_trips = false;
  // arm64 only: which atomic instructions to emit (tests force each).
  Arm64Atomics arm64_atomics = Arm64Atomics::kDetect;
};

// A cached region check (see GuardCache): an access the verifier could not
// prove, which the runtime checks when its cached region misses; or a
// pointer argument of an inline memory helper, whose cache the runtime fills
// after the helper succeeds.
struct GuardSite {
  uint32_t pc = 0;
  uint8_t bytes = 0;  // 0 for a helper's argument: its length is in r3
  bool write = false;
  verifier::RegionSet regions = 0;
  uint8_t helper_argument = 0;  // the register of a helper's pointer argument (1 or 2); 0 for an access
};

class NativeProgram {
 public:
  using Entry = uint64_t (*)(NativeContext* context);

  // Copies `code` into executable pages.
  NativeProgram(Arch arch, std::span<const uint8_t> code, std::vector<uint32_t> pc_offsets, std::vector<GuardSite> sites);

  Arch arch() const { return arch_; }
  Entry entry() const { return reinterpret_cast<Entry>(reinterpret_cast<uintptr_t>(memory_.data())); }
  // The code bytes (read-only, executable).
  const uint8_t* code() const { return memory_.data(); }
  size_t code_size() const { return memory_.size(); }
  // Per BPF slot, where its native code starts; code_size() for an lddw's
  // second slot's successor at the end. Out-of-line code (abort stubs,
  // slow paths) follows the last instruction.
  const std::vector<uint32_t>& pc_offsets() const { return pc_offsets_; }
  const std::vector<GuardSite>& guard_sites() const { return sites_; }
  // Bytes the runtime allocates for a NativeContext and its guard caches.
  size_t context_bytes() const { return guard_cache_offset(sites_.size()); }

 private:
  Arch arch_;
  ExecutableMemory memory_;
  std::vector<uint32_t> pc_offsets_;
  std::vector<GuardSite> sites_;
};

class UnsupportedForJit : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The program must have passed verification with `annotations` (or the
// annotations be Annotations::all_checked). Throws UnsupportedForJit for
// what native code cannot express (lddw of maps or code addresses), and
// std::invalid_argument for a program that isa::validate has not passed or
// annotations of another length.
NativeProgram compile(Arch arch, const isa::Program& program, const verifier::Annotations& annotations,
                      const CompileOptions& options = {});

}  // namespace sbpf::jit
