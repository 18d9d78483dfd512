#include "jit/native_disassembler.h"

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace sbpf::jit {

namespace {

const char* triple(Arch arch) { return arch == Arch::kX86_64 ? "x86_64-pc-linux-gnu" : "aarch64-linux-gnu"; }

struct DisasmDeleter {
  void operator()(void* dc) const { LLVMDisasmDispose(dc); }
};

std::string trimmed(const char* text) {
  std::string s(text);
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  s.erase(0, b);
  for (char& c : s)
    if (c == '\t') c = ' ';
  return s;
}

// Replaces the displacement that starts at `at` in `text` ("0x3e",
// "-0x8", to the end of the text) with `origin` + displacement, as an
// offset into the code; any other operand stays as it is.
std::string displacement_as_target(const std::string& text, size_t at, size_t origin) {
  std::string operand = text.substr(at);
  const bool negative = !operand.empty() && operand[0] == '-';
  if (negative) operand.erase(0, 1);
  if (operand.rfind("0x", 0) != 0 || operand.size() == 2) return text;
  char* end = nullptr;
  const long long magnitude = std::strtoll(operand.c_str() + 2, &end, 16);
  if (*end != 0) return text;
  const long long target = static_cast<long long>(origin) + (negative ? -magnitude : magnitude);
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%04llx", target);
  return text.substr(0, at) + buf;
}

// Without a symbolizer LLVM prints a relative jump's displacement ("jne
// 0x3e"), counted from the jump's end on x86-64 and from the branch itself
// on arm64 ("b.ne #0x10", "cbz x9, #-0x8"); the reader wants where it goes.
std::string with_absolute_target(std::string text, size_t offset, size_t size) {
  const bool relative = text[0] == 'j' || text.rfind("call ", 0) == 0;
  const size_t space = text.rfind(' ');
  if (!relative || space == std::string::npos) return text;
  return displacement_as_target(text, space + 1, offset + size);
}

std::string with_absolute_target_a64(std::string text, size_t offset) {
  const size_t space = text.find(' ');
  const std::string mnemonic = text.substr(0, space);
  const bool branch = mnemonic == "b" || mnemonic == "bl" || mnemonic.rfind("b.", 0) == 0 || mnemonic == "cbz" ||
                      mnemonic == "cbnz" || mnemonic == "tbz" || mnemonic == "tbnz" || mnemonic == "adr";
  const size_t hash = text.rfind('#');
  if (!branch || hash == std::string::npos || hash < space) return text;
  const std::string target = displacement_as_target(text, hash + 1, offset);
  // "#0x10" becomes "0x0040": the '#' goes with the displacement.
  return target == text ? text : target.substr(0, hash) + target.substr(hash + 1);
}

}  // namespace

std::vector<NativeInstruction> disassemble(Arch arch, std::span<const uint8_t> code) {
  static std::once_flag once;
  std::call_once(once, [] {
    // Only the two backends sbpf emits: they are linked in statically, so
    // that a command that never disassembles does not pay for loading all
    // of LLVM.
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86Disassembler();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64Disassembler();
  });
  // arm64 code may use LSE atomics, which LLVM decodes only when told.
  const char* features = arch == Arch::kArm64 ? "+lse" : "";
  std::unique_ptr<void, DisasmDeleter> dc(
      LLVMCreateDisasmCPUFeatures(triple(arch), "", features, nullptr, 0, nullptr, nullptr));
  if (!dc) throw std::runtime_error(std::string("LLVM has no disassembler for ") + triple(arch));
  if (arch == Arch::kX86_64) LLVMSetDisasmOptions(dc.get(), LLVMDisassembler_Option_AsmPrinterVariant);
  LLVMSetDisasmOptions(dc.get(), LLVMDisassembler_Option_PrintImmHex);

  std::vector<NativeInstruction> out;
  std::vector<uint8_t> bytes(code.begin(), code.end());  // LLVM's API takes a mutable pointer
  size_t at = 0;
  char text[256];
  while (at < bytes.size()) {
    const size_t n = LLVMDisasmInstruction(dc.get(), bytes.data() + at, bytes.size() - at, at, text, sizeof text);
    if (n == 0) {
      std::snprintf(text, sizeof text, ".byte 0x%02x", bytes[at]);
      out.push_back({at, 1, text});
      ++at;
      continue;
    }
    out.push_back({at, n,
                   arch == Arch::kX86_64 ? with_absolute_target(trimmed(text), at, n)
                                         : with_absolute_target_a64(trimmed(text), at)});
    at += n;
  }
  return out;
}

}  // namespace sbpf::jit
