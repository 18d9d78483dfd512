// The public entry points, and the assembly of a program from its functions:
// the entry function first, then the callees it (and they) asked for.
#include "tests/program_generator/program_generator.h"

#include <algorithm>

#include "tests/program_generator/function_generator.h"

namespace sbpf::testing::generator {

isa::Program ProgramGenerator::generate() {
  const size_t target = std::max<size_t>(options.target_instructions, 1);
  const bool calls = options.allow_calls && options.max_callees > 0;
  FrameState entry;
  entry.regs[1] = Value::pointer(Kind::kCtx);
  const size_t reserve = calls ? target / 4 : 0;
  FunctionGenerator(*this, entry, -1).generate(target - reserve, reserve);
  // Callees may add callees: the list grows while it is walked.
  for (size_t i = 0; i < callees.size(); ++i) {
    code.bind(callees[i].entry);
    const size_t used = code.size();
    const size_t left = target > used ? target - used : 0;
    const size_t budget = std::max<size_t>(left / (callees.size() - i), 6);
    FunctionGenerator(*this, entry_state(callees[i]), static_cast<int>(i)).generate(budget);
  }
  isa::Program program;
  program.name = "lambda/generated";
  program.context_type = "context";
  program.insns = code.finish();
  isa::validate(program);
  return program;
}

FrameState ProgramGenerator::entry_state(const Callee& callee) {
  FrameState s;
  switch (callee.shape) {
    case CalleeShape::kScalars:
      for (unsigned i = 0; i < callee.scalar_args; ++i) s.regs[1 + i] = Value::scalar();
      break;
    case CalleeShape::kCtx: s.regs[1] = Value::pointer(Kind::kCtx); break;
    case CalleeShape::kInputSpan:
      s.regs[1] = Value::pointer(Kind::kInput);
      s.regs[2] = Value::scalar(Tag::kSizeI);
      break;
    case CalleeShape::kStackBuffer:
      s.regs[1] = Value::pointer(Kind::kCallerBuffer, callee.buffer_bytes);
      if (callee.scalar_args != 0) s.regs[2] = Value::scalar();
      break;
  }
  return s;
}

}  // namespace sbpf::testing::generator

namespace sbpf::testing {

namespace {

isa::Program generate(generator::Choices& choices, const GeneratorOptions& options, GenerationReport* report) {
  generator::ProgramGenerator generator(choices, options);
  isa::Program program = generator.generate();
  if (report != nullptr) *report = std::move(generator.report);
  return program;
}

}  // namespace

isa::Program generate_lambda_program(uint64_t seed, const GeneratorOptions& options, GenerationReport* report) {
  generator::SeededChoices choices(seed);
  return generate(choices, options, report);
}

isa::Program generate_lambda_program(std::span<const uint8_t> choices, const GeneratorOptions& options,
                                     GenerationReport* report) {
  generator::ByteChoices stream(choices);
  return generate(stream, options, report);
}

std::vector<uint8_t> input_bytes(uint64_t seed, size_t size) {
  std::vector<uint8_t> bytes(size);
  uint64_t x = seed * 0x9e3779b97f4a7c15u + 1;
  if (x == 0) x = 1;  // xorshift's one fixed point
  for (auto& b : bytes) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<uint8_t>(x);
  }
  return bytes;
}

uint64_t seed_from(std::span<const uint8_t> bytes) {
  uint64_t seed = 0xcbf29ce484222325u;
  for (uint8_t b : bytes) seed = (seed ^ b) * 0x100000001b3u;
  return seed;
}

}  // namespace sbpf::testing
