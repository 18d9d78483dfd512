// Helper calls against their signatures, bpf-to-bpf calls analysed in the
// callee's own frame, and function exits.
#include <algorithm>
#include <utility>

#include "verifier/analyzer.h"

namespace sbpf::verifier {

namespace {

using isa::Instruction;
using DB = DifferenceBounds;

const char* arg_type_name(ArgType t) {
  switch (t) {
    case ArgType::kNone: return "unused";
    case ArgType::kScalar: return "a number";
    case ArgType::kReadableMem:
    case ArgType::kReadableMemAtOffset: return "a pointer to readable memory";
    case ArgType::kWritableMem:
    case ArgType::kWritableMemAtOffset: return "a pointer to writable memory";
    case ArgType::kSize: return "a size";
    case ArgType::kHeapPointer: return "a pointer from malloc, or 0";
  }
  return "?";
}

// Pointers into frames that no longer exist become unusable.
void drop_dangling(Value& v, int stack_region, size_t live_frames) {
  if (v.is_pointer() && (v.regions & (RegionIds{1} << stack_region)) && v.frame >= live_frames) v = Value::uninit();
}

}  // namespace

void Analyzer::helper_call(size_t pc, int32_t id, AbstractState& s) {
  const HelperSignature* sig = type_.helper(id);
  if (sig == nullptr) {
    std::string known;
    for (const auto& [hid, h] : type_.helpers) known += (known.empty() ? "" : ", ") + std::to_string(hid) + " " + h.name;
    error(pc, Rule::kHelperArgument,
          "call to unknown helper " + std::to_string(id) + "; " + type_.name + " programs may call " +
              (known.empty() ? "no helpers" : known));
    for (int r = 0; r <= 5; ++r) set_value(s, r, r == 0 ? Value::scalar(Scalar::top()) : Value::uninit());
    return;
  }
  const std::string name = sig->name;
  // The size argument bounds every memory argument of the call.
  Scalar size = Scalar::constant(0);
  for (int i = 0; i < 5; ++i)
    if (sig->args[i] == ArgType::kSize) {
      const Value v = use(pc, s, i + 1);
      if (!v.is_scalar()) {
        error(pc, Rule::kHelperArgument, name + "'s argument r" + std::to_string(i + 1) + " must be a size, not " +
                                             describe_value(v, regions_));
      } else {
        size = v.num;
      }
    }
  const Value first = s.reg(1);
  for (int i = 0; i < 5; ++i) {
    const ArgType t = sig->args[i];
    const int r = i + 1;
    if (t == ArgType::kNone || t == ArgType::kSize) continue;
    const Value v = use(pc, s, r);
    const std::string arg = name + "'s argument r" + std::to_string(r);
    auto reject = [&](Rule rule, const std::string& why) { error(pc, rule, arg + " " + why); };
    switch (t) {
      case ArgType::kScalar:
        if (v.is_pointer()) reject(Rule::kPointerLeak, "must be a number; passing " + describe_value(v, regions_) + " would hand out its address");
        break;
      case ArgType::kHeapPointer: {
        const RegionIds heap = regions_.id_set(regions_.find(RegionKind::kHeap));
        const bool ok = (v.is_pointer() && v.regions == heap) || (v.is_scalar() && v.num == Scalar::constant(0));
        if (!ok) reject(Rule::kHelperArgument, "must be " + std::string(arg_type_name(t)) + ", not " + describe_value(v, regions_));
        break;
      }
      default: {
        const bool write = t == ArgType::kWritableMem || t == ArgType::kWritableMemAtOffset;
        const bool at_offset = t == ArgType::kReadableMemAtOffset || t == ArgType::kWritableMemAtOffset;
        if (!v.is_pointer() || v.maybe_null) {
          reject(Rule::kHelperArgument, "must be " + std::string(arg_type_name(t)) + ", not " + describe_value(v, regions_));
          break;
        }
        const RegionIds stack = regions_.stack_id();
        const RegionIds ctx = regions_.ctx_id();
        if (v.regions & ctx) {
          reject(Rule::kHelperArgument, "points into the context, which helpers may not touch");
          break;
        }
        if ((v.regions & stack) && (at_offset || v.regions != stack)) {
          reject(Rule::kHelperArgument, "may not point into the stack here: the helper's range there cannot be proven");
          break;
        }
        if (write) {
          for (size_t id = 0; id < regions_.regions.size(); ++id)
            if ((v.regions & (RegionIds{1} << id)) && !regions_.regions[id].writable) {
              reject(Rule::kReadOnly, "points into " + std::string(region_name(regions_.regions[id].kind)) +
                                          ", which is read-only");
              break;
            }
        }
        if (v.regions == stack) {
          // The helper checks other regions at run time; on the stack the
          // whole range must be proven, since its check cannot see frames.
          const __int128 end = static_cast<__int128>(v.num.smax) + static_cast<__int128>(size.umax);
          if (v.num.smin < -kFrameBytes || end > 0) {
            reject(Rule::kHelperArgument, "with size " + describe_value(Value::scalar(size), regions_).substr(7) +
                                              " may reach outside the stack frame (" + describe_value(v, regions_) + ")");
            break;
          }
          if (write) {
            write_stack(pc, s, v, 0, size.umax, nullptr, size.is_const());
          } else {
            check_stack_readable(pc, s, v, 0, size.umax, name.c_str());
          }
        }
      }
    }
  }
  Value ret = Value::scalar(Scalar::top());
  if (sig->ret == ReturnType::kHeapPointerOrNull) {
    const int heap = regions_.find(RegionKind::kHeap);
    if (heap >= 0) {
      ret = Value::pointer(RegionIds{1} << heap, Scalar::top());
      ret.maybe_null = true;
    }
  } else if (sig->ret == ReturnType::kFirstArgument && first.is_init()) {
    ret = first;
  }
  for (int r = 1; r <= 5; ++r) set_value(s, r, Value::uninit());
  set_value(s, 0, ret);
}

void Analyzer::local_call(int context, size_t pc, AbstractState& s, bool check) {
  const Instruction& insn = program_.insns[pc];
  const size_t target = pc + 1 + static_cast<size_t>(static_cast<int64_t>(insn.imm));
  if (s.frames.size() >= static_cast<size_t>(kMaxFrames)) {
    error(pc, Rule::kStackLimit, "call to " + program_.function_at(target).name + " would need stack frame " +
                                     std::to_string(s.frames.size() + 1) + "; the limit is " + std::to_string(kMaxFrames));
    s.reachable = false;  // the call aborts at run time
    return;
  }
  const size_t function = static_cast<size_t>(&program_.function_at(target) - program_.functions.data());

  // The callee sees its arguments (the registers it reads before writing)
  // and the caller frames they reach, directly or through pointers spilled
  // in a reached frame; the callers' other registers and frames are out of
  // its sight. Leaving them out of its entry keeps the entry the same while
  // a caller's loop counter moves, so the callee's analysis is reused; the
  // call site restores them on return.
  const RegisterMask arguments = arguments_[function];
  auto is_argument = [&](int r) { return (arguments >> r) & 1; };
  std::vector<bool> visible(s.frames.size(), false);
  std::vector<size_t> reached;
  auto see = [&](const Value& v) {
    if (v.is_pointer() && (v.regions & regions_.stack_id()) && v.frame < visible.size() && !visible[v.frame]) {
      visible[v.frame] = true;
      reached.push_back(v.frame);
    }
  };
  for (int r = 1; r <= 5; ++r)
    if (is_argument(r)) see(s.reg(r));
  while (!reached.empty()) {
    const size_t f = reached.back();
    reached.pop_back();
    for (const auto& [index, slot] : std::as_const(s.frames[f].slots).entries()) see(slot.spilled);
  }
  AbstractState entry = s;
  Frame callee;
  for (int r = 1; r <= 5; ++r)
    if (is_argument(r)) callee.regs[static_cast<size_t>(r)] = s.reg(r);
  callee.regs[10] = Value::pointer(regions_.stack_id(), Scalar::constant(0), static_cast<uint8_t>(s.frames.size()));
  for (size_t f = 0; f < entry.frames.size(); ++f) {
    entry.frames[f].regs.fill(Value::uninit());
    if (!visible[f]) entry.frames[f].slots.clear();
  }
  entry.frames.push_back(callee);
  for (int r = 0; r <= 10; ++r)
    if (!is_argument(r)) entry.relations.forget(DB::reg(r));
  sync_bounds(entry, 10);

  const int child = child_context(context, pc, function, entry);
  const bool was_checking = checking_;
  AbstractState exit = analyze_function(child, entry, check);
  checking_ = was_checking;
  current_context_ = context;
  if (check) contexts_[static_cast<size_t>(exit_context_)].callers.emplace_back(context, pc);
  // What the callee may have read and written in the callers' frames;
  // this function's own callers see those accesses as this function's.
  const Context& analysed = contexts_[static_cast<size_t>(exit_context_)];
  const std::array<uint64_t, kMaxFrames> writes = analysed.caller_writes;
  const std::array<uint64_t, kMaxFrames> reads = analysed.caller_reads;
  Context& caller = contexts_[static_cast<size_t>(context)];
  for (size_t f = 0; f + 1 < s.frames.size(); ++f) {
    caller.caller_writes[f] |= writes[f];
    caller.caller_reads[f] |= reads[f];
  }
  if (!exit.reachable) {
    s = AbstractState::unreachable();
    return;
  }
  Value r0 = exit.reg(0);
  const DifferenceBounds callee_relations = exit.relations;
  exit.frames.pop_back();
  const size_t live = exit.frames.size();
  drop_dangling(r0, regions_.stack, live);
  for (size_t f = 0; f < live; ++f) {
    exit.frames[f].regs = s.frames[f].regs;
    if (!visible[f]) exit.frames[f].slots = s.frames[f].slots;
    else exit.frames[f].slots.restore_unwritten(s.frames[f].slots, writes[f]);
    // Pointers into the returned frame, spilled in a caller's, die with it
    // (the slots are shared with other states: changed only when needed).
    const auto& slots = std::as_const(exit.frames[f].slots).entries();
    const bool dangling = std::any_of(slots.begin(), slots.end(), [&](const StackSlots::Entry& e) {
      Value v = e.second.spilled;
      drop_dangling(v, regions_.stack, live);
      return !(v == e.second.spilled);
    });
    if (!dangling) continue;
    for (auto& [index, slot] : exit.frames[f].slots.entries()) {
      drop_dangling(slot.spilled, regions_.stack, live);
      if (!slot.spilled.is_init()) slot.forget_value();
    }
  }
  exit.relations = s.relations;
  for (int r = 1; r <= 5; ++r) set_value(exit, r, Value::uninit());
  set_value(exit, 0, r0);
  // r0's relations to region lengths come back from the callee.
  for (int k = 0; k < DB::kMaxLengths; ++k) {
    exit.relations.add(DB::reg(0), DB::length(k), callee_relations.upper(DB::reg(0), DB::length(k)));
    exit.relations.add(DB::length(k), DB::reg(0), callee_relations.upper(DB::length(k), DB::reg(0)));
  }
  s = std::move(exit);
}

void Analyzer::exit(size_t pc, AbstractState& s, AbstractState& exits) {
  if (s.frames.size() == 1) {
    const Value& r0 = s.reg(0);
    if (!r0.is_scalar())
      error(pc, Rule::kReturnValue,
            r0.is_pointer() ? "returns " + describe_value(r0, regions_) + "; the caller would receive a host address"
                            : std::string("r0 is not set before the program exits"));
  }
  exits.join_with(s, regions_.stack);
}

}  // namespace sbpf::verifier
