// Verification results for people and machines: clang-style text (with the
// per-instruction states under -v), JSON for scripts, SARIF 2.1.0 for CI
// code scanning.
#pragma once

#include <string>

#include "isa/program.h"
#include "verifier/program_type.h"
#include "verifier/verifier.h"

namespace sbpf::verifier {

struct ReportInput {
  const isa::Program& program;
  const ProgramType& type;
  const VerificationResult& result;
  std::string path;  // the object file, for messages without line info
};

// `file:line:col: error: message [rule]`, the source line, the instruction;
// then one summary line. `verbose` adds the state before every instruction
// (the result must have been computed with Options::trace).
std::string text_report(const ReportInput& in, bool verbose);
std::string json_report(const ReportInput& in);
// One SARIF log for several programs (an object may hold many).
std::string sarif_report(const std::vector<ReportInput>& inputs);

}  // namespace sbpf::verifier
