// Encoding constants of the BPF instruction set (RFC 9669), as they appear in
// the opcode byte, the source bit, and the pseudo forms of `lddw` and `call`.
#pragma once

#include <cstdint>

namespace sbpf::isa {

// The low three bits of the opcode select the instruction class.
inline constexpr uint8_t kClassLd = 0x00;
inline constexpr uint8_t kClassLdx = 0x01;
inline constexpr uint8_t kClassSt = 0x02;
inline constexpr uint8_t kClassStx = 0x03;
inline constexpr uint8_t kClassAlu = 0x04;
inline constexpr uint8_t kClassJmp = 0x05;
inline constexpr uint8_t kClassJmp32 = 0x06;
inline constexpr uint8_t kClassAlu64 = 0x07;
inline constexpr uint8_t kClassMask = 0x07;

// Arithmetic and jump classes: bit 3 selects the second operand.
inline constexpr uint8_t kSourceK = 0x00;  // immediate
inline constexpr uint8_t kSourceX = 0x08;  // register
inline constexpr uint8_t kSourceMask = 0x08;
inline constexpr uint8_t kOpMask = 0xf0;

inline constexpr uint8_t kAluAdd = 0x00;
inline constexpr uint8_t kAluSub = 0x10;
inline constexpr uint8_t kAluMul = 0x20;
inline constexpr uint8_t kAluDiv = 0x30;
inline constexpr uint8_t kAluOr = 0x40;
inline constexpr uint8_t kAluAnd = 0x50;
inline constexpr uint8_t kAluLsh = 0x60;
inline constexpr uint8_t kAluRsh = 0x70;
inline constexpr uint8_t kAluNeg = 0x80;
inline constexpr uint8_t kAluMod = 0x90;
inline constexpr uint8_t kAluXor = 0xa0;
inline constexpr uint8_t kAluMov = 0xb0;
inline constexpr uint8_t kAluArsh = 0xc0;
inline constexpr uint8_t kAluEnd = 0xd0;  // byte swaps: le/be in ALU (by source bit), bswap in ALU64

inline constexpr uint8_t kJmpJa = 0x00;
inline constexpr uint8_t kJmpJeq = 0x10;
inline constexpr uint8_t kJmpJgt = 0x20;
inline constexpr uint8_t kJmpJge = 0x30;
inline constexpr uint8_t kJmpJset = 0x40;
inline constexpr uint8_t kJmpJne = 0x50;
inline constexpr uint8_t kJmpJsgt = 0x60;
inline constexpr uint8_t kJmpJsge = 0x70;
inline constexpr uint8_t kJmpCall = 0x80;
inline constexpr uint8_t kJmpExit = 0x90;
inline constexpr uint8_t kJmpJlt = 0xa0;
inline constexpr uint8_t kJmpJle = 0xb0;
inline constexpr uint8_t kJmpJslt = 0xc0;
inline constexpr uint8_t kJmpJsle = 0xd0;

// Load and store classes: bits 3-4 are the access size, bits 5-7 the mode.
inline constexpr uint8_t kSizeW = 0x00;
inline constexpr uint8_t kSizeH = 0x08;
inline constexpr uint8_t kSizeB = 0x10;
inline constexpr uint8_t kSizeDW = 0x18;
inline constexpr uint8_t kSizeMask = 0x18;

inline constexpr uint8_t kModeImm = 0x00;     // lddw
inline constexpr uint8_t kModeAbs = 0x20;     // legacy packet access
inline constexpr uint8_t kModeInd = 0x40;     // legacy packet access
inline constexpr uint8_t kModeMem = 0x60;
inline constexpr uint8_t kModeMemSx = 0x80;   // sign-extending loads (cpu v4)
inline constexpr uint8_t kModeAtomic = 0xc0;
inline constexpr uint8_t kModeMask = 0xe0;

// The immediate of an atomic instruction names the operation.
inline constexpr int32_t kAtomicFetch = 0x01;
inline constexpr int32_t kAtomicAdd = 0x00;
inline constexpr int32_t kAtomicOr = 0x40;
inline constexpr int32_t kAtomicAnd = 0x50;
inline constexpr int32_t kAtomicXor = 0xa0;
inline constexpr int32_t kAtomicXchg = 0xe0 | kAtomicFetch;
inline constexpr int32_t kAtomicCmpxchg = 0xf0 | kAtomicFetch;

// Source register of `lddw`: what the 64-bit immediate means.
inline constexpr uint8_t kLddwImm64 = 0;        // a plain constant
inline constexpr uint8_t kLddwMapFd = 1;        // a map by file descriptor
inline constexpr uint8_t kLddwMapValue = 2;     // address of a data region + offset (global data)
inline constexpr uint8_t kLddwVariable = 3;     // a kernel variable by BTF id
inline constexpr uint8_t kLddwCode = 4;         // address of a program function
inline constexpr uint8_t kLddwMapIndex = 5;     // a map by index
inline constexpr uint8_t kLddwMapIndexValue = 6;

// Source register of `call`: what the immediate names.
inline constexpr uint8_t kCallHelper = 0;  // helper by static id
inline constexpr uint8_t kCallLocal = 1;   // bpf-to-bpf call, imm is pc-relative
inline constexpr uint8_t kCallKfunc = 2;   // helper by BTF id

// Whole opcodes used by name across the code base.
inline constexpr uint8_t kOpLddw = kClassLd | kModeImm | kSizeDW;            // 0x18
inline constexpr uint8_t kOpCall = kClassJmp | kJmpCall | kSourceK;          // 0x85
inline constexpr uint8_t kOpCallx = kClassJmp | kJmpCall | kSourceX;         // 0x8d
inline constexpr uint8_t kOpExit = kClassJmp | kJmpExit;                     // 0x95
inline constexpr uint8_t kOpJa = kClassJmp | kJmpJa;                         // 0x05
inline constexpr uint8_t kOpGotol = kClassJmp32 | kJmpJa;                    // 0x06

inline constexpr int kNumRegisters = 11;  // r0..r10
inline constexpr int kFrameRegister = 10;

}  // namespace sbpf::isa
