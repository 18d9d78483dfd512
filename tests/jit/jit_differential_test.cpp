// Generated λ programs on the interpreter and the JIT: every program the
// verifier accepts runs with its annotations, and every program (accepted
// or not) runs unverified, everything checked. The engines must agree on
// outputs, return values and aborts. The fuzz target
// (tests/fuzz/jit_differential_fuzzer.cpp) does the same for longer.
#include <gtest/gtest.h>

#include <cstdio>

#include "isa/disassembler.h"
#include "runtime/engine.h"
#include "tests/jit/engine_comparison.h"
#include "tests/program_generator/program_generator.h"
#include "verifier/verifier.h"

namespace sbpf {
namespace {

constexpr uint64_t kLoopBudget = uint64_t{1} << 14;

#if defined(__SANITIZE_ADDRESS__)  // g++
constexpr bool kSanitized = true;
#elif defined(__has_feature)  // clang
constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
constexpr bool kSanitized = false;
#endif

#if defined(SBPF_EMULATED)
constexpr bool kEmulated = true;
#else
constexpr bool kEmulated = false;
#endif

struct Coverage {
  size_t verified = 0;  // programs the verifier accepts
  size_t relative = 0;  // of which with a guarded access the JIT may check once per loop entry
  runtime::JitEngine::VersionedLoopRuns versioned;  // the JIT's runs of versioned loops' unguarded copies
  size_t blinded = 0;   // programs run with their constants blinded too
};

void expect_engines_agree(uint64_t seed, const testing::GeneratorOptions& generator, Coverage& coverage) {
  const isa::Program program = testing::generate_lambda_program(seed, generator);
  verifier::Options options;
  options.loop_budget = kLoopBudget;
  const verifier::VerificationResult verdict = verifier::verify(program, verifier::lambda_program_type(), options);
  isa::DisassemblyOptions listing;
  listing.show_pc = true;
  if (verdict.accepted) {
    ++coverage.verified;
    for (const verifier::AccessAnnotation& a : verdict.annotations.access)
      if (a.check == verifier::AccessCheck::kGuarded && a.relative.base != verifier::RelativeRange::kNoBase) {
        ++coverage.relative;
        break;
      }
    if (auto difference =
            testing::compare_engines(program, &verdict.annotations, kLoopBudget, seed, &coverage.versioned))
      FAIL() << "seed " << seed << ", verified: " << *difference << "\n" << isa::disassemble(program, listing);
  }
  if (auto difference = testing::compare_engines(program, nullptr, kLoopBudget, seed))
    FAIL() << "seed " << seed << ", unverified: " << *difference << "\n" << isa::disassemble(program, listing);
  // Every fourth program again with its constants blinded: the rewrite
  // moves every immediate into the blinding register and every jump.
  if (seed % 4 != 0) return;
  ++coverage.blinded;
  const verifier::Annotations* annotations = verdict.accepted ? &verdict.annotations : nullptr;
  if (auto difference = testing::compare_engines(program, annotations, kLoopBudget, seed, nullptr, true))
    FAIL() << "seed " << seed << ", blinded: " << *difference << "\n" << isa::disassemble(program, listing);
}

TEST(JitDifferential, GeneratedProgramsAgreeWithTheInterpreter) {
  if (!runtime::jit_available()) GTEST_SKIP() << "no JIT on this host";
  testing::GeneratorOptions generator;
  generator.target_instructions = 200;
  generator.violations_per_mille = 20;  // rejected programs still run unverified
  Coverage coverage;
  // The sanitizer build runs the interpreter unoptimised and instrumented,
  // twenty times slower: fewer programs there (the fuzz target, which runs
  // in that build, covers more).
  // Under qemu (the device build's tests), fewer too: every instruction is
  // emulated, and the run is made twice, once per CPU.
  constexpr uint64_t kPrograms = kSanitized ? 150 : kEmulated ? 400 : 1000;
  for (uint64_t seed = 1; seed <= kPrograms; ++seed) expect_engines_agree(seed, generator, coverage);
  // The comparison with annotations must not be vacuous, loop versioning
  // included.
  EXPECT_GT(coverage.verified, kPrograms / 2);
  EXPECT_GT(coverage.relative, kPrograms / 20) << coverage.relative << " of " << coverage.verified;
  std::printf("%zu programs verified, %zu with a guard checked once per loop entry, %zu run blinded too; the JIT "
              "entered versioned loops' unguarded copies %llu times and went round them %llu times\n",
              coverage.verified, coverage.relative, coverage.blinded, static_cast<unsigned long long>(coverage.versioned.entries),
              static_cast<unsigned long long>(coverage.versioned.trips));
  EXPECT_GT(coverage.versioned.entries, 0u);
  EXPECT_GT(coverage.versioned.trips, coverage.versioned.entries);
}

}  // namespace
}  // namespace sbpf
