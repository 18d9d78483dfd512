#include "runtime/engine.h"

#include <stdexcept>

#include "runtime/interpreter.h"
#include "runtime/jit_engine.h"

namespace sbpf::runtime {

std::optional<EngineKind> engine_named(std::string_view name) {
  if (name == "interp") return EngineKind::kInterpreter;
  if (name == "jit") return EngineKind::kJit;
  if (name == "auto") return jit_available() ? EngineKind::kJit : EngineKind::kInterpreter;
  return std::nullopt;
}

const char* engine_name(EngineKind kind) { return kind == EngineKind::kJit ? "jit" : "interp"; }

std::unique_ptr<Engine> make_engine(const isa::Program& program, const HelperRegistry& helpers,
                                    const EngineOptions& options) {
  if (options.kind == EngineKind::kInterpreter)
    return std::make_unique<Interpreter>(program, helpers,
                                         InterpreterOptions{options.annotations, options.paranoid, options.metered});
  if (options.paranoid)
    throw std::invalid_argument("paranoid mode is the interpreter's; the JIT trusts the annotations");
  if (options.metered) throw std::invalid_argument("metering is the interpreter's; the JIT does not count");
  return std::make_unique<JitEngine>(program, helpers, options.annotations, options.blind_constants,
                                     options.count_versioned_trips);
}

}  // namespace sbpf::runtime
