#include "tests/csmith/engine_agreement.h"

#include <cstdio>
#include <exception>
#include <memory>
#include <sstream>
#include <utility>

#include "frontend/elf_loader.h"
#include "isa/program_image.h"
#include "runtime/lambda_runtime.h"
#include "runtime/loaded_program.h"
#include "tests/csmith/csmith_corpus.h"
#include "tests/csmith/native_checksum.h"
#include "verifier/program_type.h"
#include "verifier/verifier.h"
#include "verifier/z3_guard_prover.h"

namespace sbpf::csmith {

namespace {

// A report line holds no newline and no tab of its own.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text;
}

// Why the loader refused an object, as a category to count.
std::string load_rejection(const std::string& message) {
  static const std::pair<const char*, const char*> kKnown[] = {
      {"pointers in global data are not supported", "pointers in global data"},
      {"call to extern function", "a call to an extern function"},
      {"function pointers are not supported", "function pointers"},
      // What clang makes of a path it proved undefined or endless: no exit.
      {"can fall off the end of the program", "code falls off a function's end"},
      {"can fall through from", "code falls off a function's end"},
  };
  for (const auto& [words, category] : kKnown) {
    if (message.find(words) != std::string::npos) return std::string("load: ") + category;
  }
  return "load: other";
}

// An engine to run, on the verification it trusts (none: --no-verify).
struct EngineSetup {
  const char* name;
  runtime::LoadOptions options;
  const verifier::VerificationResult* verification;
};

// One engine's run of the λ function: its output, or why it has none.
struct EngineOutcome {
  std::optional<std::vector<uint8_t>> output;
  std::optional<runtime::Abort> abort;
  std::string failure;
};

EngineOutcome run_engine(const isa::Program& program, const EngineSetup& engine) {
  EngineOutcome outcome;
  try {
    // The front door, on the verification done once for every engine.
    const verifier::ProgramType type = verifier::lambda_program_type();
    runtime::LoadedProgram loaded = engine.verification != nullptr
                                        ? runtime::load(program, type, *engine.verification, engine.options)
                                        : runtime::load(program, type, engine.options);
    if (!loaded.ok()) {
      outcome.failure = "did not load: " + loaded.failure()->reason;
      return outcome;
    }
    runtime::BytecodeLambda function(loaded);
    std::vector<uint8_t> output;
    runtime::LambdaRunOptions options;
    options.output_capacity = kOutputCapacity;
    const runtime::LambdaRunResult result = runtime::run_lambda(function, {}, output, options);
    if (result.ok()) {
      outcome.output = std::move(output);
      return outcome;
    }
    const runtime::LambdaFailure& failure = *result.failure;
    if (failure.abort) {
      outcome.abort = failure.abort;
      outcome.failure = std::string(runtime::abort_kind_name(failure.abort->kind)) + " at pc " +
                        std::to_string(failure.abort->pc) + ": " + failure.abort->message;
    } else {
      outcome.failure = failure.describe();
    }
  } catch (const std::exception& e) {
    outcome.failure = std::string("threw: ") + e.what();
  }
  return outcome;
}

// What kind of wrong an engine's outcome is, the twin having run fine.
std::string bug_category(const EngineOutcome& outcome) {
  if (outcome.output) return "wrong output";
  if (!outcome.abort) return "failed";
  if (outcome.abort->kind == runtime::AbortKind::kVerifierBug) return "paranoid: verifier soundness";
  return std::string("abort: ") + runtime::abort_kind_name(outcome.abort->kind);
}

// The outcome as the device's corpus records it; nullopt for a failure that
// is neither (an error return), which no corpus holds.
std::optional<Expectation> expectation_of(const EngineOutcome& outcome) {
  Expectation expectation;
  if (outcome.output) {
    expectation.output = outcome.output;
  } else if (outcome.abort) {
    expectation.abort_kind = runtime::abort_kind_name(outcome.abort->kind);
    expectation.abort_pc = outcome.abort->pc;
    expectation.abort_message = outcome.abort->message;
  } else {
    return std::nullopt;
  }
  return expectation;
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(path.c_str(), "wb"), fclose);
  return out && std::fwrite(bytes.data(), 1, bytes.size(), out.get()) == bytes.size() && std::fflush(out.get()) == 0;
}

}  // namespace

void check_agreement(const AgreementCheck& check, const ChildWriter& write) {
  auto stage = [&](const std::string& name) { write("stage " + name + "\n"); };
  auto stat = [&](const std::string& name, auto value) {
    std::ostringstream line;
    line << "stat " << name << ' ' << value << '\n';
    write(line.str());
  };
  auto verdict = [&](const std::string& kind, const std::string& reason, const std::string& detail) {
    write("verdict " + kind + "\t" + one_line(reason) + "\t" + one_line(detail) + "\n");
  };

  stage("load");
  isa::Program program;
  try {
    program = frontend::load_elf_program(check.object, "lambda/csmith");
  } catch (const frontend::LoadError& e) {
    verdict("rejected", load_rejection(e.what()), e.what());
    return;
  }
  stat("instructions", program.size());

  stage("verify");
  const verifier::ProgramType type = verifier::lambda_program_type();
  verifier::Options options;
  options.loop_budget = check.loop_budget;
  const verifier::VerificationResult verified = verifier::verify(program, type, options);
  stat("verify_seconds", verified.statistics.seconds);
  if (!verified.accepted) {
    if (verified.diagnostics.empty()) {
      verdict("bug", "verifier: rejects without a diagnostic", "");
      return;
    }
    const verifier::Diagnostic& first = verified.diagnostics.front();
    verdict("rejected", std::string("verifier: ") + verifier::rule_name(first.rule),
            "pc " + std::to_string(first.pc) + ": " + first.message);
    return;
  }
  stat("guards", verified.statistics.accesses_guarded);
  stat("counted_loops", verified.statistics.back_edges_counted);
  if (!check.image.empty()) {
    stage("write image");
    // The type and loop budget it was verified for, as `sbpf verify --emit-image` writes them.
    if (!write_file(check.image, isa::write_image({program, type.name, options.loop_budget}))) {
      verdict("bug", "harness: cannot write the image", check.image);
      return;
    }
  }

  std::optional<verifier::VerificationResult> proved;
  if (check.prove) {
    stage("prove");
    options.prover = verifier::make_z3_guard_prover;
    options.prove_timeout_ms = check.prove_timeout_ms;
    proved = verifier::verify(program, type, options);
    stat("prove_seconds", proved->statistics.seconds);
    if (!proved->accepted) {
      verdict("bug", "verifier: --prove rejects what it accepts without",
              proved->diagnostics.empty() ? "" : proved->diagnostics.front().message);
      return;
    }
    stat("guards_after_prove", proved->statistics.accesses_guarded);
    stat("prover_timeouts", proved->statistics.prover_timeouts);
  }

  if (!check.expected) {
    verdict("verified", "", "");
    return;
  }

  const uint64_t budget = check.loop_budget;
  const runtime::LoadOptions paranoid{
      .loop_budget = budget, .engine = runtime::EngineKind::kInterpreter, .paranoid = true};
  const runtime::LoadOptions jit{.loop_budget = budget, .engine = runtime::EngineKind::kJit};
  const runtime::LoadOptions unverified{.loop_budget = budget, .verify = false, .engine = runtime::EngineKind::kJit};
  std::vector<EngineSetup> engines{
      {"interpreter (paranoid)", paranoid, &verified},
      {"jit", jit, &verified},
      {"jit --no-verify", unverified, nullptr},
  };
  if (proved) {
    engines.push_back({"interpreter (paranoid, prove)", paranoid, &*proved});
    engines.push_back({"jit --prove", jit, &*proved});
  }
  std::string first_bug;  // what went wrong, and where first: the category counted
  std::string bugs;
  std::string out_of_budget;
  for (const EngineSetup& engine : engines) {
    stage(std::string("run ") + engine.name);
    const EngineOutcome outcome = run_engine(program, engine);
    if (&engine == &engines.front()) {
      if (const std::optional<Expectation> oracle = expectation_of(outcome))
        write("oracle " + one_line(format_expectation(*oracle)) + "\n");
    }
    if (outcome.output == check.expected) continue;
    if (outcome.abort && outcome.abort->kind == runtime::AbortKind::kLoopBudget) {
      out_of_budget += (out_of_budget.empty() ? "" : ", ") + std::string(engine.name);
      continue;
    }
    std::string problem = outcome.output ? "wrote " + hex(*outcome.output) + ", the twin " +
                                               hex(*check.expected)
                                         : outcome.failure;
    if (first_bug.empty()) first_bug = bug_category(outcome) + " (" + engine.name + ")";
    bugs += (bugs.empty() ? "" : "; ") + std::string(engine.name) + ": " + problem;
  }
  if (!bugs.empty()) {
    verdict("bug", first_bug, bugs);
  } else if (!out_of_budget.empty()) {
    verdict("budget", "loop budget", out_of_budget);
  } else {
    verdict("agreed", "", "");
  }
}

AgreementReport parse_agreement(const std::string& child_output) {
  AgreementReport report;
  std::istringstream lines(child_output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("stage ", 0) == 0) {
      report.last_stage = line.substr(6);
    } else if (line.rfind("oracle ", 0) == 0) {
      report.oracle = line.substr(7);
    } else if (line.rfind("stat ", 0) == 0) {
      const size_t space = line.find(' ', 5);
      if (space != std::string::npos) report.stats[line.substr(5, space - 5)] = line.substr(space + 1);
    } else if (line.rfind("verdict ", 0) == 0) {
      std::istringstream fields(line.substr(8));
      std::getline(fields, report.kind, '\t');
      std::getline(fields, report.reason, '\t');
      std::getline(fields, report.detail);
    }
  }
  return report;
}

}  // namespace sbpf::csmith
