// Global data that holds addresses (isa::DataPointer) on every engine: each
// engine writes its own addresses, a verified program reads and writes the
// slots as pointers, and nothing else touches them (guarded accesses,
// helpers), which the verifier's typing of the slots relies on.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "isa/assembler.h"
#include "runtime/engine.h"
#include "runtime/interpreter.h"
#include "runtime/jit_engine.h"
#include "runtime/lambda_io_helpers.h"
#include "verifier/program_type.h"
#include "verifier/verifier.h"

namespace sbpf::runtime {
namespace {

struct EngineSetup {
  const char* name;
  EngineKind kind;
  bool paranoid;
};

std::vector<EngineSetup> setups() {
  std::vector<EngineSetup> s = {{"interpreter", EngineKind::kInterpreter, false},
                          {"paranoid", EngineKind::kInterpreter, true}};
  if (jit_available()) s.push_back({"jit", EngineKind::kJit, false});
  return s;
}

// A program verified as a `memory` program (r1 = memory, r2 = its length),
// with one engine per setup that keeps its global data between runs.
class Verified {
 public:
  explicit Verified(const std::string& source) : program_(isa::assemble(source)) {
    verification_ = verifier::verify(program_, verifier::memory_program_type(), {});
    for (const verifier::Diagnostic& d : verification_.diagnostics)
      ADD_FAILURE() << "pc " << d.pc << ": " << d.message;
    for (const EngineSetup& s : setups()) {
      EngineOptions options;
      options.annotations = &verification_.annotations;
      options.kind = s.kind;
      options.paranoid = s.paranoid;
      engines_.push_back(make_engine(program_, helpers_, options));
    }
  }

  // Runs every engine on a copy of `memory`; the results, by setup.
  std::vector<ExecutionResult> run(std::vector<uint8_t> memory) {
    std::vector<ExecutionResult> results;
    for (auto& engine : engines_) {
      std::vector<uint8_t> copy = memory;
      Invocation inv;
      inv.pass_memory(copy);
      results.push_back(engine->run(inv));
    }
    return results;
  }

  const verifier::VerificationResult& verification() const { return verification_; }

 private:
  isa::Program program_;
  HelperRegistry helpers_;
  verifier::VerificationResult verification_;
  std::vector<std::unique_ptr<Engine>> engines_;
};

// Two strings and a table that points at them.
constexpr const char* kTable = R"(
.rodata str 6869006f6b000000
.data table 0300000000000000
.pointer table str+0
.pointer table str+3
.data table 0700000000000000
)";

TEST(GlobalPointers, SlotsHoldEachEnginesAddresses) {
  Verified p(std::string(kTable) + R"(
    lddw %r2, data[1]+0
    ldxdw %r3, [%r2+8]
    ldxb %r0, [%r3+1]
    ldxdw %r3, [%r2+16]
    ldxb %r4, [%r3]
    lsh %r4, 8
    or %r0, %r4
    exit
)");
  EXPECT_EQ(p.verification().statistics.accesses_guarded, 0u);
  for (const ExecutionResult& r : p.run({0})) {
    ASSERT_TRUE(r.ok()) << r.abort->message;
    EXPECT_EQ(r.r0, uint64_t{'i'} | uint64_t{'o'} << 8);
  }
}

TEST(GlobalPointers, AStoredAddressPersistsBetweenRuns) {
  // A memory byte of 1: the slot at table+8 takes the second string; any
  // other: the first byte of the string it points to.
  Verified p(std::string(kTable) + R"(
    lddw %r2, data[1]+0
    ldxb %r4, [%r1]
    jne %r4, 1, read
    ldxdw %r3, [%r2+16]
    stxdw [%r2+8], %r3
    mov %r0, 0
    exit
read:
    ldxdw %r3, [%r2+8]
    ldxb %r0, [%r3]
    exit
)");
  for (const ExecutionResult& r : p.run({0})) EXPECT_EQ(r.r0, uint64_t{'h'});
  for (const ExecutionResult& r : p.run({1})) EXPECT_TRUE(r.ok());
  for (const ExecutionResult& r : p.run({0})) EXPECT_EQ(r.r0, uint64_t{'o'});
}

TEST(GlobalPointers, AGuardedAccessIsKeptOffTheSlots) {
  // A byte at a variable offset of the table: the guard passes at the
  // numbers around the slots and aborts inside a slot, on every engine
  // (paranoid mode included: a guarded access, not a verifier bug).
  Verified p(std::string(kTable) + R"(
    lddw %r2, data[1]+0
    ldxb %r4, [%r1]
    and %r4, 31
    add %r2, %r4
    ldxb %r0, [%r2]
    exit
)");
  EXPECT_EQ(p.verification().statistics.accesses_guarded, 2u);  // with the read of the memory
  for (const ExecutionResult& r : p.run({24})) {
    ASSERT_TRUE(r.ok()) << r.abort->message;
    EXPECT_EQ(r.r0, 7u);
  }
  for (const ExecutionResult& r : p.run({10})) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.abort->kind, AbortKind::kBounds);
    EXPECT_NE(r.abort->message.find("holds an address"), std::string::npos) << r.abort->message;
  }
}

TEST(GlobalPointers, AnAccessGuardedToASlotRefusesPlainData) {
  // 8 bytes at offset 0 or 8 of the table: a number or an address, which the
  // verifier cannot tell apart, so the guard lets only the address through.
  Verified p(std::string(kTable) + R"(
    lddw %r2, data[1]+0
    ldxb %r4, [%r1]
    and %r4, 8
    add %r2, %r4
    ldxdw %r3, [%r2]
    mov %r0, 0
    jeq %r3, 0, out
    ldxb %r0, [%r3]
out:
    exit
)");
  EXPECT_EQ(p.verification().statistics.accesses_guarded, 2u);  // with the read of the memory
  for (const ExecutionResult& r : p.run({8})) {
    ASSERT_TRUE(r.ok()) << r.abort->message;
    EXPECT_EQ(r.r0, uint64_t{'h'});
  }
  for (const ExecutionResult& r : p.run({0})) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.abort->kind, AbortKind::kBounds);
    EXPECT_NE(r.abort->message.find("not an address slot"), std::string::npos) << r.abort->message;
  }
}

TEST(GlobalPointers, HelpersNeverCopyAnAddress) {
  // memcpy of the table's slot into the caller's memory: the helper's check
  // refuses it, verified or not; the number next to it copies.
  isa::Program program = isa::assemble(std::string(kTable) + R"(
    mov %r6, %r1
    lddw %r2, data[1]+0
    add %r2, %r3
    mov %r3, 8
    call 156
    ldxdw %r0, [%r6]
    exit
)");
  HelperRegistry helpers;
  add_lambda_io_helpers(helpers);
  for (const EngineSetup& s : setups()) {
    if (s.paranoid) continue;
    EngineOptions options;
    options.kind = s.kind;
    auto engine = make_engine(program, helpers, options);
    for (uint64_t offset : {uint64_t{0}, uint64_t{8}}) {
      std::vector<uint8_t> memory(8, 0);
      Invocation inv;
      inv.pass_memory(memory);
      inv.args[2] = offset;  // r3
      ExecutionResult r = engine->run(inv);
      if (offset == 0) {
        ASSERT_TRUE(r.ok()) << s.name << ": " << r.abort->message;
        EXPECT_EQ(r.r0, 3u) << s.name;
      } else {
        ASSERT_FALSE(r.ok()) << s.name;
        EXPECT_EQ(r.abort->kind, AbortKind::kHelper) << s.name;
      }
    }
  }
}

TEST(GlobalPointers, AnUnverifiedProgramReadsSlotsAsData) {
  // Without the verifier nothing is typed: every access is checked against
  // the regions only, on both engines alike.
  isa::Program program = isa::assemble(std::string(kTable) + R"(
    lddw %r2, data[1]+0
    ldxdw %r3, [%r2+8]
    ldxb %r0, [%r3]
    exit
)");
  HelperRegistry helpers;
  for (const EngineSetup& s : setups()) {
    if (s.paranoid) continue;
    EngineOptions options;
    options.kind = s.kind;
    auto engine = make_engine(program, helpers, options);
    std::vector<uint8_t> memory(8, 0);
    Invocation inv;
    inv.pass_memory(memory);
    ExecutionResult r = engine->run(inv);
    ASSERT_TRUE(r.ok()) << s.name << ": " << r.abort->message;
    EXPECT_EQ(r.r0, uint64_t{'h'}) << s.name;
  }
}

}  // namespace
}  // namespace sbpf::runtime
