#include <cstdio>

#include "isa/diagnostic.h"
#include "isa/disassembler.h"
#include "verifier/report.h"

namespace sbpf::verifier {

namespace {

std::string milliseconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", seconds * 1e3);
  return buf;
}

}  // namespace

std::string text_report(const ReportInput& in, bool verbose) {
  const VerificationResult& r = in.result;
  std::string out;
  if (verbose && !r.trace.empty()) {
    for (size_t pc = 0; pc < in.program.size(); ++pc) {
      if (in.program.is_lddw_tail(pc)) continue;
      out += std::to_string(pc) + ": " + isa::disassemble_instruction(in.program, pc);
      out += r.trace[pc].empty() ? "    ; not reached\n" : "    ; " + r.trace[pc] + "\n";
    }
  }
  for (const Diagnostic& d : r.diagnostics)
    out += isa::format_error_at(in.program, d.pc, in.path, d.message + " [" + rule_name(d.rule) + "]");
  const Statistics& s = r.statistics;
  out += in.path + ": " + in.program.name + " (" + in.type.name + "): ";
  if (r.accepted) {
    out += "verified, " + std::to_string(s.accesses_guarded) + (s.accesses_guarded == 1 ? " guard" : " guards") +
           " and " + std::to_string(s.back_edges_counted) + " counted " +
           (s.back_edges_counted == 1 ? "loop" : "loops");
  } else {
    out += "rejected, " + std::to_string(r.diagnostics.size()) + (r.diagnostics.size() == 1 ? " error" : " errors");
  }
  std::string proven = std::to_string(s.accesses_proven) + " proven";
  if (s.guards_removed) proven += " (" + std::to_string(s.guards_removed) + " by Z3)";
  if (s.prover_timeouts)
    proven += " (Z3 timed out on " + std::to_string(s.prover_timeouts) + (s.prover_timeouts == 1 ? " guard)" : " guards)");
  out += " (" + std::to_string(s.instructions) + " instructions; accesses " + proven + ", " +
         std::to_string(s.accesses_guarded) + " guarded" +
         (s.accesses_unreached ? ", " + std::to_string(s.accesses_unreached) + " unreached" : std::string()) +
         "; backward jumps " +
         std::to_string(s.back_edges_free) + " free, " + std::to_string(s.back_edges_counted) + " counted; " +
         milliseconds(s.seconds) + ")\n";
  return out;
}

}  // namespace sbpf::verifier
