// A λ program from its image, loaded the way both sides of λ-IO run it: read
// and verified, on the metered interpreter (whose counts the device model
// turns into time) and, when asked, once more on this host's JIT.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "runtime/lambda_runtime.h"
#include "runtime/loaded_program.h"

namespace sbpf::runtime {

struct LambdaImageProgram {
  std::unique_ptr<LoadedProgram> metered;
  std::unique_ptr<BytecodeLambda> function;         // on `metered`
  std::unique_ptr<LoadedProgram> native;            // null unless asked for (and a JIT exists)
  std::unique_ptr<BytecodeLambda> native_function;  // on `native`
};

struct LoadedLambdaImage {
  std::optional<LambdaImageProgram> program;
  std::string error;  // why not: not an image, not a λ program, or the verifier's reason
};

// `native`: load it on the JIT too, where this host has one.
LoadedLambdaImage load_lambda_image(std::span<const uint8_t> image, bool native);

}  // namespace sbpf::runtime
