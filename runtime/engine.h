// An execution engine runs a program's invocations: the interpreter, or the
// JIT's native code. Callers that only run programs (the λ runtime, the XRP
// engine, the command) pick one by kind and hold it through this interface.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "isa/program.h"
#include "jit/native_program.h"
#include "runtime/execution_result.h"
#include "runtime/helper_registry.h"
#include "verifier/annotations.h"

namespace sbpf::runtime {

struct Invocation;

enum class EngineKind : uint8_t {
  kInterpreter,
  kJit,  // the host architecture's JIT
};

// "interp", "jit", or "auto" (the JIT where the host has one); nullopt for
// another name.
std::optional<EngineKind> engine_named(std::string_view name);
const char* engine_name(EngineKind kind);
// True when this host has a JIT backend; which one, or nullopt.
bool jit_available();
std::optional<jit::Arch> host_jit_arch();

struct EngineOptions {
  // The verifier's annotations, one entry per pc; they must outlive the
  // engine. nullptr: check every access and count every backward jump.
  const verifier::Annotations* annotations = nullptr;
  // Interpreter only: check everything and report what the verifier got
  // wrong (InterpreterOptions::paranoid).
  bool paranoid = false;
  // Interpreter only: count the work done (InterpreterOptions::metered).
  bool metered = false;
  EngineKind kind = EngineKind::kInterpreter;
  // JIT only: hide constants from the native code (jit::CompileOptions).
  bool blind_constants = false;
  // JIT only: count runs of versioned loops' unguarded copies
  // (JitEngine::versioned_loop_runs).
  bool count_versioned_trips = false;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Runs one invocation. Global data persists between runs of one engine.
  // Not reentrant: one thread per engine.
  virtual ExecutionResult run(Invocation& invocation) = 0;
};

// Keeps references to `program` and `helpers`; both must outlive the
// engine. Throws UnsupportedProgram (interpreter.h) for what the engine
// cannot run, std::invalid_argument for options that contradict each other.
std::unique_ptr<Engine> make_engine(const isa::Program& program, const HelperRegistry& helpers,
                                    const EngineOptions& options);

}  // namespace sbpf::runtime
