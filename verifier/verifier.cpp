#include "verifier/verifier.h"

#include "verifier/analyzer.h"

namespace sbpf::verifier {

const char* rule_name(Rule rule) {
  switch (rule) {
    case Rule::kMalformed: return "malformed";
    case Rule::kUninitialized: return "uninitialized";
    case Rule::kScalarDereference: return "scalar-dereference";
    case Rule::kOutOfBounds: return "out-of-bounds";
    case Rule::kReadOnly: return "read-only";
    case Rule::kPointerLeak: return "pointer-leak";
    case Rule::kHelperArgument: return "helper-argument";
    case Rule::kReturnValue: return "return-value";
    case Rule::kStackLimit: return "stack-limit";
    case Rule::kUnboundedLoop: return "unbounded-loop";
  }
  return "?";
}

VerificationResult verify(const isa::Program& program, const ProgramType& type, const Options& options) {
  return Analyzer(program, type, options).run();
}

}  // namespace sbpf::verifier
