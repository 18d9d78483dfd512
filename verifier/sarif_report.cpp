#include <nlohmann/json.hpp>

#include "verifier/report.h"

namespace sbpf::verifier {

namespace {

const char* rule_description(Rule rule) {
  switch (rule) {
    case Rule::kMalformed: return "The code cannot be analysed: unreachable code, a kernel-only form, a call too deep.";
    case Rule::kUninitialized: return "A register or stack byte is read before it is written.";
    case Rule::kScalarDereference: return "A number (or a possibly-null pointer) is used as a pointer.";
    case Rule::kOutOfBounds: return "A memory access is out of bounds, or cannot be guarded.";
    case Rule::kReadOnly: return "A write to a read-only region or context field.";
    case Rule::kPointerLeak: return "A host address could reach the caller or become a number.";
    case Rule::kHelperArgument: return "A helper call does not match the helper's signature.";
    case Rule::kReturnValue: return "The program does not return a number.";
    case Rule::kStackLimit: return "The stack frame or the call depth exceeds its limit.";
    case Rule::kUnboundedLoop: return "A loop is not proven to end within the budget (--strict).";
  }
  return "";
}

}  // namespace

std::string sarif_report(const std::vector<ReportInput>& inputs) {
  nlohmann::json rules = nlohmann::json::array();
  for (int r = 0; r <= static_cast<int>(Rule::kUnboundedLoop); ++r) {
    const Rule rule = static_cast<Rule>(r);
    rules.push_back({{"id", rule_name(rule)}, {"shortDescription", {{"text", rule_description(rule)}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const ReportInput& in : inputs) {
    for (const Diagnostic& d : in.result.diagnostics) {
      nlohmann::json physical = {{"artifactLocation", {{"uri", in.path}}}};
      if (const isa::LineInfo* line = in.program.line_for(d.pc)) {
        physical["artifactLocation"]["uri"] = line->file;
        physical["region"] = {{"startLine", line->line}, {"startColumn", std::max<uint32_t>(line->column, 1)}};
      }
      results.push_back({{"ruleId", rule_name(d.rule)},
                         {"ruleIndex", static_cast<int>(d.rule)},
                         {"level", "error"},
                         {"message", {{"text", d.message}}},
                         {"locations", nlohmann::json::array({{{"physicalLocation", physical}}})},
                         {"properties", {{"section", in.program.name}, {"pc", d.pc}}}});
    }
  }
  nlohmann::json log = {
      {"version", "2.1.0"},
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"runs", nlohmann::json::array({{{"tool", {{"driver", {{"name", "sbpf verify"}, {"rules", rules}}}}},
                                       {"results", results}}})}};
  return log.dump(2) + "\n";
}

}  // namespace sbpf::verifier
