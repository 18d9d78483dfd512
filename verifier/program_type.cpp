#include "verifier/program_type.h"

#include "isa/machine_limits.h"

namespace sbpf::verifier {

const RegionSpec* ProgramType::region(RegionKind kind) const {
  for (const auto& r : regions)
    if (r.kind == kind) return &r;
  return nullptr;
}

const CtxField* ProgramType::field_at(uint32_t offset) const {
  for (const auto& f : ctx_fields)
    if (f.offset == offset) return &f;
  return nullptr;
}

const HelperSignature* ProgramType::helper(int32_t id) const {
  auto it = helpers.find(id);
  return it == helpers.end() ? nullptr : &it->second;
}

namespace {

using A = ArgType;
using Field = CtxField::Kind;

}  // namespace

ProgramType lambda_program_type() {
  ProgramType t;
  t.name = "lambda";
  t.ctx_size = 32;
  t.ctx_fields = {
      {"buf_o", 0, 8, Field::kPointer, RegionKind::kOutput, false},
      {"buf_i", 8, 8, Field::kPointer, RegionKind::kInput, false},
      {"size_i", 16, 8, Field::kRegionLength, RegionKind::kInput, false},
      {"size_o_cap", 24, 8, Field::kRegionLength, RegionKind::kOutput, false},
  };
  t.regions = {
      {RegionKind::kInput, {0, (kLambdaMaxInputBytes + 7) & ~uint64_t{7}, 8}, false, true},
      {RegionKind::kOutput, {0, kLambdaMaxOutputBytes, 1}, true, true},
      {RegionKind::kHeap, {0, uint64_t{1} << 32, 8}, true, false},
  };
  // λ-IO's helper ids and argument order.
  t.helpers = {
      {156, {"memcpy", ReturnType::kFirstArgument, {A::kWritableMem, A::kReadableMem, A::kSize}}},
      {157, {"malloc", ReturnType::kHeapPointerOrNull, {A::kScalar}}},
      {158, {"free", ReturnType::kScalar, {A::kHeapPointer}}},
      {159, {"mem_read", ReturnType::kScalar, {A::kWritableMem, A::kReadableMemAtOffset, A::kScalar, A::kSize, A::kScalar}}},
      {160, {"mem_write", ReturnType::kScalar, {A::kWritableMemAtOffset, A::kReadableMem, A::kScalar, A::kSize, A::kScalar}}},
      {161, {"memcmp", ReturnType::kScalar, {A::kReadableMem, A::kReadableMem, A::kSize}}},
      {162, {"memset", ReturnType::kFirstArgument, {A::kWritableMem, A::kScalar, A::kSize}}},
  };
  t.entry[0] = {EntryArgument::Kind::kCtx};
  return t;
}

ProgramType xrp_program_type() {
  ProgramType t;
  t.name = "xrp";
  // struct bpf_xrp: data, done, next_addr[fanout], size[fanout], scratch.
  constexpr uint32_t kSlots = 8 * isa::kXrpMaxFanout;
  t.ctx_size = 16 + 2 * kSlots + 8;
  t.ctx_fields = {
      {"data", 0, 8, Field::kPointer, RegionKind::kInput, false},
      {"done", 8, 4, Field::kScalar, RegionKind::kMemory, true},
      {"next_addr", 16, kSlots, Field::kScalar, RegionKind::kMemory, true},
      {"size", 16 + kSlots, kSlots, Field::kScalar, RegionKind::kMemory, true},
      {"scratch", 16 + 2 * kSlots, 8, Field::kPointer, RegionKind::kScratch, false},
  };
  // The block just read: whole blocks, at most a read's worth.
  t.regions = {
      {RegionKind::kInput, {isa::kXrpBlockBytes, isa::kXrpMaxReadBytes, isa::kXrpBlockBytes}, false, false},
      {RegionKind::kScratch, RegionLength::fixed(isa::kXrpScratchBytes), true, true},
  };
  t.entry[0] = {EntryArgument::Kind::kCtx};
  return t;
}

ProgramType memory_program_type() {
  ProgramType t;
  t.name = "memory";
  t.regions = {{RegionKind::kMemory, {0, uint64_t{1} << 32, 1}, true, true}};
  t.entry[0] = {EntryArgument::Kind::kRegionStart, RegionKind::kMemory};
  t.entry[1] = {EntryArgument::Kind::kRegionLength, RegionKind::kMemory};
  return t;
}

std::optional<ProgramType> program_type_named(const std::string& name) {
  if (name == "lambda") return lambda_program_type();
  if (name == "xrp") return xrp_program_type();
  if (name == "memory") return memory_program_type();
  return std::nullopt;
}

std::optional<ProgramType> program_type_for(const isa::Program& program) {
  auto starts = [&](const char* prefix) { return program.name.rfind(prefix, 0) == 0; };
  if (starts("lambda/") || starts("lambda_io/")) return lambda_program_type();
  if (starts("xrp")) return xrp_program_type();
  if (program.context_type == "context") return lambda_program_type();
  if (program.context_type == "bpf_xrp") return xrp_program_type();
  return std::nullopt;
}

}  // namespace sbpf::verifier
