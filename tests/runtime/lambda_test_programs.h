// λ functions in assembly that the runtime's tests share.
#pragma once

namespace sbpf::runtime::testing {

// Copies its chunk to the output unchanged: buf_o[i] = buf_i[i]; returns size_i.
inline constexpr const char* kCopy =
    "ldxdw %r2, [%r1+0]\n"   // buf_o
    "ldxdw %r3, [%r1+8]\n"   // buf_i
    "ldxdw %r4, [%r1+16]\n"  // size_i
    "mov %r0, %r4\n"
    "jeq %r4, 0, exit\n"
    "loop:\n"
    "ldxb %r5, [%r3+0]\n"
    "stxb [%r2+0], %r5\n"
    "add %r2, 1\n"
    "add %r3, 1\n"
    "sub %r4, 1\n"
    "jne %r4, 0, loop\n"
    "exit\n";

}  // namespace sbpf::runtime::testing
