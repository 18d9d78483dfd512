// verifier/argument_registers: which of r1..r5 each function reads before it
// writes them, through its own code, its callees and its helper calls.
#include "verifier/argument_registers.h"

#include <gtest/gtest.h>

#include <string>

#include "isa/assembler.h"

namespace sbpf::verifier {
namespace {

constexpr RegisterMask r(int n) { return static_cast<RegisterMask>(1u << n); }

// Helper 157 (malloc) reads r1; every other helper reads r1..r5.
RegisterMask helper_arguments(int32_t id) { return id == 157 ? r(1) : r(1) | r(2) | r(3) | r(4) | r(5); }

std::vector<RegisterMask> arguments_of(const std::string& text) {
  const isa::Program program = isa::assemble(text);
  return argument_registers(program, isa::build_graph(program), helper_arguments);
}

TEST(ArgumentRegisters, ReadBeforeWrittenOnSomePath) {
  const auto args = arguments_of(R"(
    mov %r6, %r1
    call local f
    exit
f:
    mov %r2, 7
    jeq %r4, 0, skip
    add %r2, %r3
skip:
    mov %r0, %r2
    exit
)");
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], r(1) | r(3) | r(4));  // r1 itself; r3 and r4 reach f unwritten
  EXPECT_EQ(args[1], r(3) | r(4));         // r2 is written first; r3 only on one path
}

TEST(ArgumentRegisters, HelperCallsReadTheirSignature) {
  const auto args = arguments_of(R"(
    call local f
    mov %r0, 0
    exit
f:
    call 157
    mov %r0, 0
    exit
)");
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[1], r(1));
  EXPECT_EQ(args[0], r(1));
}

TEST(ArgumentRegisters, ACallClobbersR1ToR5) {
  const auto args = arguments_of(R"(
    mov %r1, 1
    call local f
    add %r0, %r2
    exit
f:
    mov %r0, %r1
    exit
)");
  ASSERT_EQ(args.size(), 2u);
  // r2 after the call is the callee's garbage, not main's argument: the
  // call counts as writing r0..r5.
  EXPECT_EQ(args[0], 0);
  EXPECT_EQ(args[1], r(1));
}

}  // namespace
}  // namespace sbpf::verifier
