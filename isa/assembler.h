// Text assembler for the syntax of the bpf_conformance `.data` files
// (`mov32 %r0, 1`, `ldxw %r1, [%r2+4]`, `lock fetch add [%r10-8], %r1`,
// `call local label`, labels `name:`, comments after `#`).
//
// One statement per line: an optional `label:`, then an instruction or a
// directive, then an optional `# comment`. Labels are [A-Za-z_][A-Za-z0-9_.$]*.
// Registers are %r0..%r10. Numbers are decimal or 0x-hex, optionally signed;
// a 32-bit immediate takes -2^31..2^32-1 (values above INT32_MAX are the bit
// pattern: `0xffffffff` is -1), a 16-bit offset -2^15..2^16-1, lddw any
// signed or unsigned 64-bit value.
//
//   ALU       add sub mul div sdiv mod smod or and lsh rsh arsh xor mov
//             (`32` suffix: ALU class), `neg %rD`, movsx832 movsx1632
//             movsx864 movsx1664 movsx3264 (register source only)
//   swaps     le16/32/64, be16/32/64, bswap16/32/64; `swapN` = `bswapN`
//             (the suite expects an unconditional swap)
//   memory    ldxb/h/w/dw, ldxsb/sh/sw  %rD, [%rS+off]
//             stb/h/w/dw [%rD+off], imm   stxb/h/w/dw [%rD+off], %rS
//             lock [fetch] add|or|and|xor[32] [%rD+off], %rS
//             lock xchg[32] / lock cmpxchg[32] [%rD+off], %rS
//   lddw      lddw %rD, VALUE
//             pseudo forms `lddw %rD, FORM[A]+B` (first imm A, second imm B,
//             `+B` optional): map_fd[fd], data[section]+offset (global data:
//             index into Program::sections), btf_var[id], code[label] (imm =
//             label - pc - 1), map_idx[i], map_idx_value[i]+offset
//   jumps     ja TARGET, ja32 TARGET (gotol, displacement in imm),
//             jeq jgt jge jset jne jsgt jsge jlt jle jslt jsle [32]
//             %rD, %rS|imm, TARGET.  TARGET is a label or `+N`/`-N` slots.
//             An undefined label `exit` means the first `exit` instruction,
//             as in the suite's own assembler.
//   calls     call ID | call helper ID     helper (src 0)
//             call local LABEL             bpf-to-bpf (src 1, imm = target - pc - 1)
//             call runtime ID              kfunc by BTF id (src 2)
//             call %rN                     callx, register in dst (LLVM)
//             call legacy %rN              callx, register in imm (uBPF)
//             exit
//   data      .rodata NAME HEXBYTES...  .data NAME HEXBYTES...  .bss NAME SIZE
//             declare Program::sections in order of first appearance;
//             naming a section again appends to it.
//             .pointer NAME TARGET+OFFSET | .pointer NAME null
//             appends an 8-byte slot holding the address of section TARGET
//             plus OFFSET (a DataPointer; TARGET may be declared later), or
//             a pointer that starts out null (the only kind .bss takes).
//
// Labels that start a function (the entry, call targets) give it its name.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "isa/program.h"

namespace sbpf::isa {

// Bad assembly: `what()` is `file:line: error: reason`.
class AssemblyError : public std::runtime_error {
 public:
  AssemblyError(std::string file, size_t line, const std::string& reason);
  const std::string& file() const { return file_; }
  size_t line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  size_t line_;
  std::string reason_;
};

// Assembles `text` into a validated Program. Line info maps every pc to its
// line in `file_name`, so run-time errors can name the assembly line.
// Throws AssemblyError for text that is not assembly, and AssemblyError too
// (with the line of the offending instruction) when the result fails
// isa::validate().
Program assemble(std::string_view text, const std::string& file_name = "<input>");

}  // namespace sbpf::isa
