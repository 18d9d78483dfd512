#include <nlohmann/json.hpp>

#include "isa/disassembler.h"
#include "verifier/report.h"

namespace sbpf::verifier {

namespace {

nlohmann::json region_list(RegionSet set) {
  nlohmann::json out = nlohmann::json::array();
  for (int k = 0; k < kNumRegionKinds; ++k)
    if (set & (1u << k)) out.push_back(region_name(static_cast<RegionKind>(k)));
  return out;
}

}  // namespace

std::string json_report(const ReportInput& in) {
  const VerificationResult& r = in.result;
  const Statistics& s = r.statistics;
  nlohmann::json j;
  j["file"] = in.path;
  j["section"] = in.program.name;
  j["program_type"] = in.type.name;
  j["accepted"] = r.accepted;
  j["statistics"] = {{"instructions", s.instructions},
                     {"accesses_proven", s.accesses_proven},
                     {"accesses_guarded", s.accesses_guarded},
                     {"accesses_unreached", s.accesses_unreached},
                     {"guards_removed", s.guards_removed},
                     {"prover_timeouts", s.prover_timeouts},
                     {"back_edges_free", s.back_edges_free},
                     {"back_edges_counted", s.back_edges_counted},
                     {"states_visited", s.states_visited},
                     {"seconds", s.seconds}};
  nlohmann::json diagnostics = nlohmann::json::array();
  for (const Diagnostic& d : r.diagnostics) {
    nlohmann::json e = {{"pc", d.pc},
                        {"rule", rule_name(d.rule)},
                        {"message", d.message},
                        {"instruction", isa::disassemble_instruction(in.program, d.pc)}};
    if (const isa::LineInfo* line = in.program.line_for(d.pc)) {
      e["file"] = line->file;
      e["line"] = line->line;
      e["column"] = line->column;
    }
    diagnostics.push_back(e);
  }
  j["diagnostics"] = diagnostics;
  nlohmann::json accesses = nlohmann::json::array(), back_edges = nlohmann::json::array();
  for (size_t pc = 0; pc < r.annotations.access.size(); ++pc) {
    const AccessAnnotation& a = r.annotations.access[pc];
    if (a.check != AccessCheck::kNone)
      accesses.push_back({{"pc", pc},
                          {"check", a.check == AccessCheck::kProven    ? "proven"
                                    : a.check == AccessCheck::kGuarded ? "guarded"
                                                                       : "unreached"},
                          {"regions", region_list(a.regions)},
                          {"size", a.size}});
    const BackEdge e = r.annotations.back_edge[pc];
    if (e != BackEdge::kNone) back_edges.push_back({{"pc", pc}, {"kind", e == BackEdge::kFree ? "free" : "counted"}});
  }
  j["annotations"] = {{"accesses", accesses}, {"back_edges", back_edges}};
  return j.dump(2) + "\n";
}

}  // namespace sbpf::verifier
