#include "runtime/lambda_image.h"

#include "isa/program_image.h"
#include "verifier/program_type.h"

namespace sbpf::runtime {

LoadedLambdaImage load_lambda_image(std::span<const uint8_t> bytes, bool native) {
  isa::ProgramImage image;
  try {
    image = isa::read_image(bytes);
  } catch (const isa::ImageError& error) {
    return {std::nullopt, std::string("not a program image: ") + error.what()};
  }
  if (image.program_type != "lambda") return {std::nullopt, "a " + image.program_type + " program is not a λ function"};
  LoadOptions options;
  options.loop_budget = image.loop_budget;
  options.engine = EngineKind::kInterpreter;
  options.metered = true;
  const verifier::ProgramType type = *verifier::program_type_named("lambda");
  LambdaImageProgram program;
  program.metered = std::make_unique<LoadedProgram>(load(image.program, type, options));
  if (!program.metered->ok()) return {std::nullopt, program.metered->failure()->reason};
  program.function = std::make_unique<BytecodeLambda>(*program.metered);
  if (native && jit_available()) {
    options.engine = EngineKind::kJit;
    options.metered = false;
    program.native = std::make_unique<LoadedProgram>(load(std::move(image.program), type, options));
    if (!program.native->ok()) return {std::nullopt, program.native->failure()->reason};
    program.native_function = std::make_unique<BytecodeLambda>(*program.native);
  }
  return {std::move(program), ""};
}

}  // namespace sbpf::runtime
