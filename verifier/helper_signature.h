// The typed signature of a helper: what the verifier checks at each call and
// what the engines pass through.
#pragma once

#include <cstdint>
#include <string>

namespace sbpf::verifier {

// What a helper expects in r1..r5.
enum class ArgType : uint8_t {
  kNone,          // unused
  kScalar,        // any number (never a pointer: that would hand its address out)
  kReadableMem,   // pointer to memory the helper reads, as many bytes as the kSize argument
  kWritableMem,   // pointer to memory the helper writes, as many bytes as the kSize argument
  // Memory the helper reaches at an offset it computes from other arguments
  // (λ-IO's mem_read source and mem_write destination). The helper checks
  // the range at run time; never the stack, whose frames it cannot tell apart.
  kReadableMemAtOffset,
  kWritableMemAtOffset,
  kSize,          // a byte count for the memory arguments
  kHeapPointer,   // a pointer returned by malloc, or 0
};

enum class ReturnType : uint8_t {
  kScalar,
  kHeapPointerOrNull,  // malloc
  kFirstArgument,      // memcpy and memset return their destination
};

struct HelperSignature {
  std::string name;
  ReturnType ret = ReturnType::kScalar;
  ArgType args[5] = {ArgType::kNone, ArgType::kNone, ArgType::kNone, ArgType::kNone, ArgType::kNone};
};

}  // namespace sbpf::verifier
