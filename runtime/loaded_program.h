// The front door of the runtime: one load pipeline for every caller.
//
//   load(program, type, options) -> LoadedProgram
//
// verifies the program for its type and loop budget (with the prover when
// one is given), then builds the engine the options ask for on the
// verifier's annotations. What comes back owns all of it: the program, the
// verification, the helpers, the engine and the budget that every one of
// its invocations gets. The sbpf commands, the λ runtime, the XRP engine,
// the benchmarks and the differential tests load programs here; none puts
// the stages together itself.
//
// A program the verifier rejects, or one the engine cannot run, is not an
// exception: the LoadedProgram says why (failure()) and keeps the program
// and the verifier's diagnostics for the caller to report as it prints.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "isa/machine_limits.h"
#include "isa/program.h"
#include "jit/native_program.h"
#include "runtime/engine.h"
#include "runtime/execution_result.h"
#include "runtime/helper_registry.h"
#include "runtime/invocation.h"
#include "verifier/program_type.h"
#include "verifier/verifier.h"

namespace sbpf::runtime {

struct LoadOptions {
  // Backward jumps one invocation may take through loops the verifier did
  // not bound; the verifier proves against the same number.
  uint64_t loop_budget = isa::kDefaultLoopBudget;
  // false: no verification, so every access is checked and every backward
  // jump counted at run time (`--no-verify`).
  bool verify = true;
  // `--prove`: the prover that removes the guards it can (for example
  // verifier::make_z3_guard_prover); null: keep them. Each query gets
  // prove_timeout_ms.
  verifier::MakeGuardProver prover = nullptr;
  unsigned prove_timeout_ms = 1000;
  // The engine to build; nullopt: none (the caller only wants the verified
  // program, as `sbpf jit --dump` does before compiling code to show).
  std::optional<EngineKind> engine = EngineKind::kInterpreter;
  // The JIT's target; nullopt: this host's. A program loaded for another
  // architecture than the host's fails with kUnsupported.
  std::optional<jit::Arch> arch = std::nullopt;
  // The interpreter checks everything anyway and reports where the verifier
  // was wrong (InterpreterOptions::paranoid); needs verification.
  bool paranoid = false;
  // The interpreter counts the instructions and helper bytes of each run
  // (ExecutionResult::instructions), which the device model costs.
  bool metered = false;
  // The JIT hides the program's constants from the code (jit::CompileOptions).
  bool blind_constants = false;
  // The JIT counts runs of versioned loops' unguarded copies
  // (JitEngine::versioned_loop_runs).
  bool count_versioned_trips = false;
  // The helpers the program may call; nullopt: helpers_for(type).
  std::optional<HelperRegistry> helpers = std::nullopt;

  // What the verifier is asked, from the options above.
  verifier::Options verifier_options() const;
};

// λ-IO's helpers (lambda_io_helpers.h) for λ and memory programs; none for
// XRP functions, which the kernel's hook gives none either.
HelperRegistry helpers_for(const verifier::ProgramType& type);

// Why a program did not load.
struct LoadFailure {
  enum class Kind : uint8_t {
    kRejected,     // by the verifier: verification() holds the diagnostics
    kUnsupported,  // the engine cannot run it (maps, no JIT for this host…)
    kBudget,       // a loop budget above what an earlier verification proved for
  };
  Kind kind = Kind::kRejected;
  std::string reason;  // one line, without the program's source location
};

class LoadedProgram {
 public:
  LoadedProgram(LoadedProgram&&) noexcept;
  LoadedProgram& operator=(LoadedProgram&&) noexcept;
  ~LoadedProgram();

  // Verified (unless asked not to) and, when one was asked for, an engine built.
  bool ok() const;
  const std::optional<LoadFailure>& failure() const;

  const isa::Program& program() const;
  const verifier::ProgramType& type() const;
  // The verifier's result, rejected or accepted; nullptr when loaded
  // without verification.
  const verifier::VerificationResult* verification() const;
  // What the engine trusts: the verifier's annotations, or nullptr (every
  // access checked, every backward jump counted).
  const verifier::Annotations* annotations() const;
  const HelperRegistry& helpers() const;
  uint64_t loop_budget() const;

  // The engine (ok(), and an engine asked for); it lives as long as this.
  Engine& engine();
  // The kind asked for; nullopt when loaded without an engine.
  std::optional<EngineKind> engine_kind() const;

  // Runs one invocation with the program's loop budget: the one place the
  // budget of an invocation is set. Global data persists between runs; one
  // thread at a time.
  ExecutionResult run(Invocation& invocation);

  struct State;  // opaque: defined by the pipeline (loaded_program.cpp)
  explicit LoadedProgram(std::unique_ptr<State> state);

 private:
  // Stable addresses: the engine keeps references to the program, the
  // helpers and the annotations.
  std::unique_ptr<State> state_;
};

// Verifies `program` as `type` and builds the engine. Throws only for
// options that contradict each other (std::invalid_argument: paranoid
// without verification or on the JIT).
LoadedProgram load(isa::Program program, const verifier::ProgramType& type, const LoadOptions& options = {});

// The same for a program verified already, by verifier::verify with this
// type and options.verifier_options(): several engines over one
// verification, as the differential tests and the benchmarks compare them.
// options.verify and options.prover are not consulted.
LoadedProgram load(isa::Program program, const verifier::ProgramType& type, verifier::VerificationResult verification,
                   const LoadOptions& options);

}  // namespace sbpf::runtime
