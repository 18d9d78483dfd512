#include "runtime/jit_engine.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "runtime/abort_message.h"
#include "runtime/global_data.h"
#include "runtime/heap_arena.h"
#include "runtime/run_memory.h"

namespace sbpf::runtime {

namespace {

#if defined(__x86_64__)
constexpr std::optional<jit::Arch> kHostArch = jit::Arch::kX86_64;
#elif defined(__aarch64__)
constexpr std::optional<jit::Arch> kHostArch = jit::Arch::kArm64;
#else
constexpr std::optional<jit::Arch> kHostArch = std::nullopt;
#endif

// Native code has no type signature in front of it for UBSan's check of
// calls through function pointers (-fsanitize=function) to read: the call
// into it is exempt.
#if defined(__clang__)
[[clang::no_sanitize("function")]]
#endif
uint64_t call_native(jit::NativeProgram::Entry entry, jit::NativeContext* context) {
  return entry(context);
}

}  // namespace

bool jit_available() { return kHostArch.has_value(); }
std::optional<jit::Arch> host_jit_arch() { return kHostArch; }

// What the runtime's entries need during one run, reached through
// NativeContext::runtime.
struct JitEngine::RunState {
  const JitEngine* engine;
  RunMemory* memory;
  HeapArena* heap;
  std::optional<std::string> helper_failure;

  // Native code keeps only the depth; the stack region follows it when the
  // runtime looks.
  void sync_stack(const jit::NativeContext& context) { memory->set_frames(context.depth + 1); }
};

JitEngine::JitEngine(const isa::Program& program, const HelperRegistry& helpers,
                     const verifier::Annotations* annotations, bool blind_constants, bool count_versioned_trips)
    : program_(program),
      helpers_(helpers),
      annotations_(annotations != nullptr ? *annotations : verifier::Annotations::all_checked(program)),
      verified_(annotations != nullptr) {
  if (!kHostArch) throw UnsupportedProgram("no JIT for this host's architecture; use the interpreter");
  const size_t n = program.size();
  helper_at_.assign(n, nullptr);
  for (size_t pc = 0; pc < n; ++pc)
    if (!program.is_lddw_tail(pc) && program.insns[pc].is_helper_call()) helper_at_[pc] = helpers.find(program.insns[pc].imm);
  jit::CompileOptions options;
  options.blind_constants = blind_constants;
  options.count_versioned_trips = count_versioned_trips;
  options.memory_helpers = helpers.memory_functions();
  sections_ = lay_out_global_data(program);
  for (const auto& section : sections_) options.section_addresses.push_back(reinterpret_cast<uintptr_t>(section.data()));
  try {
    native_ = std::make_unique<jit::NativeProgram>(jit::compile(*kHostArch, program, annotations_, options));
  } catch (const jit::UnsupportedForJit& e) {
    throw UnsupportedProgram(e.what());
  }
  context_.assign((native_->context_bytes() + 7) / 8, 0);
  const auto& sites = native_->guard_sites();
  for (size_t site = 0; site < sites.size(); ++site)
    if (sites[site].helper_argument != 0) helper_caches_.push_back({sites[site].pc, static_cast<uint32_t>(site)});
  std::sort(helper_caches_.begin(), helper_caches_.end());
}

JitEngine::~JitEngine() = default;

jit::HelperOutcome JitEngine::helper_entry(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                           jit::NativeContext* context) {
  RunState& state = *static_cast<RunState*>(context->runtime);
  const JitEngine& engine = *state.engine;
  state.sync_stack(*context);
  const uint32_t pc = context->call_pc & ~jit::kCallxBit;
  const Helper* helper = nullptr;
  if ((context->call_pc & jit::kCallxBit) != 0) {
    const uint64_t id = context->callx_id;
    helper = id <= INT32_MAX ? engine.helpers_.find(static_cast<int32_t>(id)) : nullptr;
    if (helper == nullptr) state.helper_failure = callx_message(engine.program_.insns[pc].callx_register(), id);
  } else {
    helper = engine.helper_at_[pc];
    if (helper == nullptr) state.helper_failure = unknown_helper_message(engine.program_.insns[pc].imm);
  }
  if (helper == nullptr) return {0, 1};
  const uint64_t args[5] = {r1, r2, r3, r4, r5};
  // Nothing may unwind through native frames: an exception becomes the
  // helper's failure.
  uint64_t r0 = 0;
  try {
    r0 = invoke_helper(*helper, state.memory->regions, state.heap, args, state.helper_failure);
  } catch (const std::exception& e) {
    state.helper_failure = helper->signature.name + ": " + e.what();
  }
  if (state.helper_failure) return {0, 1};
  // An inline memory helper came here on a cache miss: its next calls find
  // the regions its arguments hit this time.
  const auto& caches = engine.helper_caches_;
  for (auto it = std::lower_bound(caches.begin(), caches.end(), std::pair<uint32_t, uint32_t>{pc, 0});
       it != caches.end() && it->first == pc; ++it) {
    const uint32_t site = it->second;
    const jit::GuardSite& s = engine.native_->guard_sites()[site];
    const uint64_t address = args[s.helper_argument - 1];
    engine.remember_region(context, site, state.memory->regions.find(address), address, r3, s.write);
  }
  return {r0, 0};
}

uint64_t JitEngine::guard_entry(jit::NativeContext* context, uint64_t address, uint64_t site) {
  RunState& state = *static_cast<RunState*>(context->runtime);
  state.sync_stack(*context);
  const jit::GuardSite& s = state.engine->native_->guard_sites()[site];
  const RegionTable& regions = state.memory->regions;
  // A verified program's guard keeps off the addresses global data holds;
  // an unverified one's checks what the interpreter's would.
  const uint8_t* host = state.engine->verified_ ? regions.translate(address, s.bytes, s.write, s.regions)
                                                : regions.translate(address, s.bytes, s.write);
  if (host == nullptr) return 0;
  const Region* region = regions.find(address);
  if (region != nullptr && (s.regions & region_bit(region->kind)) != 0)
    state.engine->remember_region(context, site, region, address, s.bytes, s.write);
  return 1;
}

// Caches `region` for the next access at `site` when it held this one, of
// `bytes` at `address` (`bytes` 0 for a helper's argument, whose length
// varies), unless it is the stack, whose extent changes with every call.
void JitEngine::remember_region(jit::NativeContext* context, size_t site, const Region* region, uint64_t address,
                                uint64_t bytes, bool write) const {
  // Nor global data that holds addresses: the cache has no room to keep an
  // access off them.
  if (region == nullptr || region->kind == RegionKind::kStack || !region->pointers.empty() ||
      !region->contains(address, bytes) || (write && !region->writable))
    return;
  const uint64_t cached_bytes = native_->guard_sites()[site].bytes;
  auto* cache = reinterpret_cast<jit::GuardCache*>(reinterpret_cast<uint8_t*>(context) + jit::guard_cache_offset(site));
  cache->start = region->start();
  cache->count = region->size - cached_bytes + 1;
}

ExecutionResult JitEngine::run(Invocation& invocation) {
  check_loop_budget(invocation, annotations_.max_loop_budget);
  RunMemory memory(invocation, program_, sections_);
  const RegionTable& regions = memory.regions;

  RunState state{this, &memory, invocation.heap, std::nullopt};
  std::memset(context_.data(), 0, context_.size() * sizeof(uint64_t));
  auto* context = reinterpret_cast<jit::NativeContext*>(context_.data());
  for (int i = 0; i < 5; ++i) context->args[i] = invocation.args[i];
  context->stack_top = reinterpret_cast<uintptr_t>(memory.stack_top());
  context->budget = invocation.loop_budget;
  context->call_helper = &JitEngine::helper_entry;
  context->guard_slow_path = &JitEngine::guard_entry;
  context->memory_functions[static_cast<size_t>(jit::MemoryHelper::kMemmove)] = reinterpret_cast<const void*>(&::memmove);
  context->memory_functions[static_cast<size_t>(jit::MemoryHelper::kMemcmp)] = reinterpret_cast<const void*>(&::memcmp);
  context->memory_functions[static_cast<size_t>(jit::MemoryHelper::kMemset)] = reinterpret_cast<const void*>(&::memset);
  context->runtime = &state;

  ExecutionResult result;
  result.r0 = call_native(native_->entry(), context);
  versioned_runs_.entries += context->versioned_entries;
  versioned_runs_.trips += context->versioned_trips;
  if (context->abort_kind == jit::NativeAbort::kNone) return result;

  const size_t pc = context->abort_pc;
  const isa::Instruction& insn = program_.insns[pc];
  state.sync_stack(*context);
  result.r0 = 0;
  switch (context->abort_kind) {
    case jit::NativeAbort::kBounds: {
      const verifier::AccessAnnotation& access = annotations_.access[pc];
      const RegionSet allowed = access.check == verifier::AccessCheck::kGuarded ? access.regions : kAllRegionKinds;
      result.abort = Abort{AbortKind::kBounds, pc, bad_access_message(insn, context->abort_value, regions, allowed)};
      break;
    }
    case jit::NativeAbort::kMisaligned:
      result.abort = Abort{AbortKind::kMisaligned, pc, misaligned_message(insn.access_bytes(), context->abort_value)};
      break;
    case jit::NativeAbort::kLoopBudget:
      result.abort = Abort{AbortKind::kLoopBudget, pc, loop_budget_message(invocation.loop_budget)};
      break;
    case jit::NativeAbort::kStackOverflow:
      result.abort = Abort{AbortKind::kStackOverflow, pc, stack_overflow_message(context->depth)};
      break;
    case jit::NativeAbort::kHelper:
    case jit::NativeAbort::kNone:
      result.abort = Abort{AbortKind::kHelper, pc, state.helper_failure.value_or("helper failed")};
      break;
  }
  return result;
}

}  // namespace sbpf::runtime
