#include "runtime/loaded_program.h"

#include <stdexcept>
#include <utility>

#include "runtime/interpreter.h"
#include "runtime/lambda_io_helpers.h"

namespace sbpf::runtime {

verifier::Options LoadOptions::verifier_options() const {
  verifier::Options options;
  options.loop_budget = loop_budget;
  options.prover = prover;
  options.prove_timeout_ms = prove_timeout_ms;
  return options;
}

HelperRegistry helpers_for(const verifier::ProgramType& type) {
  HelperRegistry helpers;
  if (type.name != "xrp") add_lambda_io_helpers(helpers);
  return helpers;
}

struct LoadedProgram::State {
  isa::Program program;
  verifier::ProgramType type;
  std::optional<verifier::VerificationResult> verification;
  HelperRegistry helpers;
  uint64_t loop_budget = isa::kDefaultLoopBudget;
  std::optional<EngineKind> engine_kind;
  std::unique_ptr<Engine> engine;
  std::optional<LoadFailure> failure;
};

LoadedProgram::LoadedProgram(std::unique_ptr<State> state) : state_(std::move(state)) {}
LoadedProgram::LoadedProgram(LoadedProgram&&) noexcept = default;
LoadedProgram& LoadedProgram::operator=(LoadedProgram&&) noexcept = default;
LoadedProgram::~LoadedProgram() = default;

bool LoadedProgram::ok() const { return !state_->failure; }
const std::optional<LoadFailure>& LoadedProgram::failure() const { return state_->failure; }
const isa::Program& LoadedProgram::program() const { return state_->program; }
const verifier::ProgramType& LoadedProgram::type() const { return state_->type; }
const HelperRegistry& LoadedProgram::helpers() const { return state_->helpers; }
uint64_t LoadedProgram::loop_budget() const { return state_->loop_budget; }
std::optional<EngineKind> LoadedProgram::engine_kind() const { return state_->engine_kind; }

const verifier::VerificationResult* LoadedProgram::verification() const {
  return state_->verification ? &*state_->verification : nullptr;
}

const verifier::Annotations* LoadedProgram::annotations() const {
  return state_->verification && state_->verification->accepted ? &state_->verification->annotations : nullptr;
}

Engine& LoadedProgram::engine() {
  if (!state_->engine)
    throw std::logic_error(state_->failure ? "the program did not load: " + state_->failure->reason
                                           : std::string("the program was loaded without an engine"));
  return *state_->engine;
}

ExecutionResult LoadedProgram::run(Invocation& invocation) {
  Engine& e = engine();
  invocation.loop_budget = state_->loop_budget;
  return e.run(invocation);
}

namespace {

std::unique_ptr<LoadedProgram::State> start(isa::Program&& program, const verifier::ProgramType& type,
                                            const LoadOptions& options) {
  if (options.paranoid && options.engine == EngineKind::kJit)
    throw std::invalid_argument("paranoid mode is the interpreter's; the JIT trusts the annotations");
  if (options.metered && options.engine == EngineKind::kJit)
    throw std::invalid_argument("metering is the interpreter's; the JIT does not count");
  auto state = std::make_unique<LoadedProgram::State>();
  state->program = std::move(program);
  state->type = type;
  state->helpers = options.helpers ? *options.helpers : helpers_for(type);
  state->loop_budget = options.loop_budget;
  state->engine_kind = options.engine;
  return state;
}

// The verifier's verdict as one line: its first diagnostic.
std::string rejection_reason(const isa::Program& program, const verifier::VerificationResult& result) {
  std::string reason = (program.name.empty() ? std::string("the program") : program.name) + " failed verification";
  if (!result.diagnostics.empty()) {
    const verifier::Diagnostic& d = result.diagnostics.front();
    reason += ": pc " + std::to_string(d.pc) + ": " + d.message + " [" + verifier::rule_name(d.rule) + "]";
  }
  return reason;
}

// The last stage: the engine, on whatever the verification left.
void build_engine(LoadedProgram::State& state, const LoadOptions& options) {
  if (state.verification && !state.verification->accepted) {
    state.failure = LoadFailure{LoadFailure::Kind::kRejected, rejection_reason(state.program, *state.verification)};
    return;
  }
  const verifier::Annotations* annotations =
      state.verification ? &state.verification->annotations : nullptr;
  if (annotations != nullptr && state.loop_budget > annotations->max_loop_budget) {
    state.failure = LoadFailure{LoadFailure::Kind::kBudget,
                                "a loop budget of " + std::to_string(state.loop_budget) +
                                    " is more than the verification proved the program safe for (" +
                                    std::to_string(annotations->max_loop_budget) + ")"};
    return;
  }
  if (!options.engine) return;
  if (*options.engine == EngineKind::kJit && options.arch && options.arch != host_jit_arch()) {
    state.failure = LoadFailure{LoadFailure::Kind::kUnsupported,
                                std::string("this host cannot run ") + jit::arch_name(*options.arch) + " code"};
    return;
  }
  EngineOptions engine;
  engine.kind = *options.engine;
  engine.annotations = annotations;
  engine.paranoid = options.paranoid;
  engine.metered = options.metered;
  engine.blind_constants = options.blind_constants;
  engine.count_versioned_trips = options.count_versioned_trips;
  try {
    state.engine = make_engine(state.program, state.helpers, engine);
  } catch (const UnsupportedProgram& e) {
    state.failure = LoadFailure{LoadFailure::Kind::kUnsupported, e.what()};
  }
}

}  // namespace

LoadedProgram load(isa::Program program, const verifier::ProgramType& type, const LoadOptions& options) {
  if (options.paranoid && !options.verify)
    throw std::invalid_argument("paranoid mode checks the verifier's annotations: it needs verification");
  std::unique_ptr<LoadedProgram::State> state = start(std::move(program), type, options);
  if (options.verify) state->verification = verifier::verify(state->program, type, options.verifier_options());
  build_engine(*state, options);
  return LoadedProgram(std::move(state));
}

LoadedProgram load(isa::Program program, const verifier::ProgramType& type, verifier::VerificationResult verification,
                   const LoadOptions& options) {
  std::unique_ptr<LoadedProgram::State> state = start(std::move(program), type, options);
  state->verification = std::move(verification);
  build_engine(*state, options);
  return LoadedProgram(std::move(state));
}

}  // namespace sbpf::runtime
