// What jit::compile refuses before it emits anything: a program that never
// passed isa::validate (the plan reads its jump targets from there),
// annotations of another length, and lddw forms that need a kernel.
#include <gtest/gtest.h>

#include <stdexcept>

#include "isa/assembler.h"
#include "jit/native_program.h"

namespace sbpf::jit {
namespace {

TEST(JitCompile, RefusesWhatItCannotTrustOnBothArches) {
  for (Arch arch : {Arch::kX86_64, Arch::kArm64}) {
    SCOPED_TRACE(arch_name(arch));
    const isa::Program valid = isa::assemble("jeq %r1, 0, out\nmov %r0, 1\nout:\nexit\n");
    const verifier::Annotations annotations = verifier::Annotations::all_checked(valid);
    EXPECT_NO_THROW(compile(arch, valid, annotations));

    isa::Program unvalidated;
    unvalidated.insns = valid.insns;
    unvalidated.functions = valid.functions;
    EXPECT_THROW(compile(arch, unvalidated, annotations), std::invalid_argument);

    verifier::Annotations short_by_one = annotations;
    short_by_one.access.pop_back();
    EXPECT_THROW(compile(arch, valid, short_by_one), std::invalid_argument);

    const isa::Program map = isa::assemble("lddw %r1, map_fd[3]\nmov %r0, 0\nexit\n");
    EXPECT_THROW(compile(arch, map, verifier::Annotations::all_checked(map)), UnsupportedForJit);
  }
}

}  // namespace
}  // namespace sbpf::jit
