// Verifies each file named on the command line (a BPF ELF object, or sbpf
// assembly ending in .s) as a λ function, and prints one line per program:
// "NAME: accepted, P proven, G guarded" or "NAME: rejected: RULE". With
// --prove first, Z3 removes the guards it can (sbpf::prover).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/elf_loader.h"
#include "isa/assembler.h"
#include "verifier/verifier.h"
#include "verifier/z3_guard_prover.h"

int main(int argc, char** argv) {
  using namespace sbpf;
  verifier::Options options;
  int first = 1;
  if (argc > 1 && std::string(argv[1]) == "--prove") {
    options.prover = verifier::make_z3_guard_prover;
    first = 2;
  }
  for (int i = first; i < argc; ++i) {
    const std::string path = argv[i];
    std::vector<isa::Program> programs;
    if (path.ends_with(".s")) {
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      programs.push_back(isa::assemble(text.str(), path));
      programs.back().name = "store_pointer";
    } else {
      programs = frontend::load_elf(path);
    }
    for (const isa::Program& p : programs) {
      const verifier::VerificationResult r = verifier::verify(p, verifier::lambda_program_type(), options);
      std::string name = p.name.substr(p.name.rfind('/') + 1);
      if (r.accepted)
        std::printf("%s: accepted, %zu proven, %zu guarded\n", name.c_str(), r.statistics.accesses_proven,
                    r.statistics.accesses_guarded);
      else
        std::printf("%s: rejected: %s\n", name.c_str(), verifier::rule_name(r.diagnostics.front().rule));
    }
  }
}
