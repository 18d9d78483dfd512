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
  // The types of global data's address slots are assumed by one analysis
  // and checked against its stores; until they hold, they grow and the
  // program is analysed again (data_pointers.h). Offsets widen from the
  // third round, region sets and "or null" only grow: this ends long before
  // the limit, which is there only to say so if it did not.
  constexpr int kMaxRounds = 64;
  const RegionTable regions = build_region_table(program, type);
  DataPointerTypes types = initial_data_pointers(program, regions);
  for (int round = 1;; ++round) {
    Analyzer analyzer(program, type, options, types);
    VerificationResult result = analyzer.run();
    if (!settle_data_pointers(types, analyzer.data_pointer_stores(), round, regions.stack)) return result;
    if (round == kMaxRounds) {
      result.accepted = false;
      result.diagnostics.insert(result.diagnostics.begin(),
                                {0, Rule::kMalformed, "what global data's address slots may hold did not settle"});
      return result;
    }
  }
}

}  // namespace sbpf::verifier
