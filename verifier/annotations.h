// What the verifier hands the engines: per memory access whether it was
// proven in bounds or needs a run-time guard, and per backward jump whether
// its loop was proven bounded or must count against the loop budget. The
// interpreter and both JITs consume it identically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/program.h"
#include "verifier/region_kind.h"

namespace sbpf::verifier {

enum class AccessCheck : uint8_t {
  kNone,     // not a memory access (or unreachable)
  kProven,   // in bounds on every path: no check at run time
  kGuarded,  // checked at run time against `regions`; a failure aborts with `bounds`
  // The analysis shows no path reaches it. Checked at run time against
  // every region all the same (`regions` is all of them), but no guard is
  // needed, so it is not counted as one and --strict accepts it.
  kUnreached,
};

// A guarded access's address against another register: on every path that
// reaches the access, both point into the same region and address - r<base>
// lies in [low, high]. One check that [r<base> + low, r<base> + high + size)
// lies in a region the access may touch covers every later execution of
// the access until something writes r<base>: the JIT checks it when a loop
// that never writes r<base> is entered, and runs the loop without the guard.
struct RelativeRange {
  static constexpr uint8_t kNoBase = 0xff;
  uint8_t base = kNoBase;  // kNoBase: no such register
  int32_t low = 0, high = 0;

  bool operator==(const RelativeRange&) const = default;
};

struct AccessAnnotation {
  AccessCheck check = AccessCheck::kNone;
  RegionSet regions = 0;  // the regions the pointer may point into
  uint8_t size = 0;       // bytes accessed
  RelativeRange relative = {};  // for a guarded access
};

// A backward jump (a taken jump whose target is at or before it): every
// cycle of the control flow contains one.
enum class BackEdge : uint8_t {
  kNone,     // not a backward jump (or unreachable)
  kFree,     // its loop provably ends within the budget: not counted
  kCounted,  // each taken jump counts against the per-invocation budget
};

struct Annotations {
  std::vector<AccessAnnotation> access;  // per pc
  std::vector<BackEdge> back_edge;       // per pc
  // The largest loop budget an engine may run the program with. A proof
  // that a counted loop's trip count cannot outgrow the budget (--prove's)
  // holds for the budget it was made with and no larger one; the engines
  // refuse to run with more.
  uint64_t max_loop_budget = UINT64_MAX;

  bool empty() const { return access.empty(); }
  // Every access guarded and every backward jump counted: how a program runs
  // that was never verified.
  static Annotations all_checked(const isa::Program& program);
};

// What the annotations say about one instruction, for a disassembly comment:
// "proven", "guarded: input", "loop: free", "loop: counted", or "".
std::string describe_annotation(const Annotations& annotations, size_t pc);

}  // namespace sbpf::verifier
