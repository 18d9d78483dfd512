#include "runtime/interpreter.h"

#include <atomic>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "runtime/abort_message.h"
#include "runtime/global_data.h"
#include "runtime/heap_arena.h"
#include "runtime/run_memory.h"

namespace sbpf::runtime {

static_assert(std::endian::native == std::endian::little,
              "the interpreter's loads, stores and le/be swaps assume a little-endian host");

using isa::Instruction;

namespace {

// PcPlan::flags. An access that is not proven is checked against the plan's
// regions; a backward jump that is not free counts against the budget.
constexpr uint8_t kProvenAccess = 1;
constexpr uint8_t kFreeBackEdge = 2;

// Division and modulo never fault in BPF: x / 0 = 0, x % 0 = x, and the one
// signed overflow (MIN / -1) wraps to MIN with remainder 0.
template <typename U>
U udiv(U a, U b) { return b == 0 ? 0 : a / b; }
template <typename U>
U umod(U a, U b) { return b == 0 ? a : a % b; }
template <typename U>
U sdiv(U a, U b) {
  using S = std::make_signed_t<U>;
  if (b == 0) return 0;
  if (static_cast<S>(b) == -1) return static_cast<U>(U{0} - a);
  return static_cast<U>(static_cast<S>(a) / static_cast<S>(b));
}
template <typename U>
U smod(U a, U b) {
  using S = std::make_signed_t<U>;
  if (b == 0) return a;
  if (static_cast<S>(b) == -1) return 0;
  return static_cast<U>(static_cast<S>(a) % static_cast<S>(b));
}
template <typename U>
U arsh(U a, U shift) {
  return static_cast<U>(static_cast<std::make_signed_t<U>>(a) >> shift);
}

// Whether an access at `addr` keeps its annotated distance from another
// register (none annotated: it does).
bool within(const verifier::RelativeRange& range, const uint64_t* reg, uint64_t addr) {
  if (range.base == verifier::RelativeRange::kNoBase) return true;
  const auto distance = static_cast<int64_t>(addr - reg[range.base]);
  return distance >= range.low && distance <= range.high;
}

uint64_t byte_swap(uint64_t value, int32_t width) {
  switch (width) {
    case 16: return __builtin_bswap16(static_cast<uint16_t>(value));
    case 32: return __builtin_bswap32(static_cast<uint32_t>(value));
    default: return __builtin_bswap64(value);
  }
}

uint64_t truncate_to(uint64_t value, int32_t width) {
  switch (width) {
    case 16: return static_cast<uint16_t>(value);
    case 32: return static_cast<uint32_t>(value);
    default: return value;
  }
}

// movsx: sign-extend the low `bits` of `value` to 64 bits.
uint64_t sign_extend(uint64_t value, int bits) {
  switch (bits) {
    case 8: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(value)));
    case 16: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(value)));
    case 32: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
    default: return value;
  }
}

template <typename T>
T load_bytes(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void store_bytes(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

// Atomic read-modify-write of a naturally aligned T in program memory.
template <typename T>
void atomic_op(uint8_t* p, int32_t op, uint64_t* src, uint64_t* r0) {
  std::atomic_ref<T> cell(*reinterpret_cast<T*>(p));
  T value = static_cast<T>(*src);
  T old = 0;
  switch (op & ~isa::kAtomicFetch) {
    case isa::kAtomicAdd: old = cell.fetch_add(value); break;
    case isa::kAtomicOr: old = cell.fetch_or(value); break;
    case isa::kAtomicAnd: old = cell.fetch_and(value); break;
    case isa::kAtomicXor: old = cell.fetch_xor(value); break;
    case isa::kAtomicXchg & ~isa::kAtomicFetch: old = cell.exchange(value); break;
    case isa::kAtomicCmpxchg & ~isa::kAtomicFetch: {
      T expected = static_cast<T>(*r0);
      cell.compare_exchange_strong(expected, value);
      *r0 = expected;  // the old value, zero-extended, whether or not it matched
      return;
    }
  }
  if (op & isa::kAtomicFetch) *src = old;
}

// Paranoid mode, an access that passed the check of every region: whether
// it may touch the address slots of global data it touches. Only a proven
// 8-byte load or store of one whole slot may, and one guarded to a slot
// must; the others are kept off them (RegionTable::translate).
template <typename Plan>
bool slot_access_allowed(const RegionTable& regions, const Plan& plan, uint64_t addr, uint64_t len, bool atomic) {
  const Region* r = regions.find(addr);
  const isa::DataPointer* slot = r != nullptr ? r->pointer_in(addr, len) : nullptr;
  const bool whole = slot != nullptr && !atomic && len == 8 && addr - r->start() == slot->at;
  if ((plan.flags & kProvenAccess) == 0 && (plan.regions & kPointerSlotAccess) != 0) return whole;
  if (slot == nullptr) return true;
  return (plan.flags & kProvenAccess) != 0 && whole;
}

// Runs a helper on r1..r5 and puts its result in r0. Kept out of the
// dispatch loop: the helper call has objects with destructors, which an
// indirect goto may not jump over.
[[gnu::noinline]] bool call_helper(const Helper& helper, const RegionTable& regions, HeapArena* heap, uint64_t* reg,
                                   std::optional<std::string>& failure) {
  reg[0] = invoke_helper(helper, regions, heap, &reg[1], failure);
  return !failure;
}

}  // namespace

Interpreter::Interpreter(const isa::Program& program, const HelperRegistry& helpers, InterpreterOptions options)
    : program_(program), helpers_(helpers), paranoid_(options.paranoid), metered_(options.metered) {
  const size_t n = program.size();
  if (options.paranoid && options.annotations == nullptr)
    throw std::invalid_argument("paranoid mode checks annotations; the program has none");
  if (const verifier::Annotations* annotations = options.annotations) {
    if (annotations->access.size() != n || annotations->back_edge.size() != n)
      throw std::invalid_argument("annotations for " + std::to_string(annotations->access.size()) + " accesses and " +
                                  std::to_string(annotations->back_edge.size()) + " jumps, but the program has " +
                                  std::to_string(n) + " slots");
    max_loop_budget_ = annotations->max_loop_budget;
    plans_.resize(n);
    for (size_t pc = 0; pc < n; ++pc) {
      const verifier::AccessAnnotation& access = annotations->access[pc];
      PcPlan& plan = plans_[pc];
      if (access.check == verifier::AccessCheck::kProven) plan.flags |= kProvenAccess;
      // kUnreached (or kNone) on an access means the verifier never reached
      // it: if it runs anyway, check it as if the program were not annotated.
      plan.regions = access.check == verifier::AccessCheck::kGuarded ? access.regions : kAllRegionKinds;
      if (annotations->back_edge[pc] == verifier::BackEdge::kFree) plan.flags |= kFreeBackEdge;
    }
    if (options.paranoid) {
      relative_.resize(n);
      bool any = false;
      for (size_t pc = 0; pc < n; ++pc)
        if (annotations->access[pc].check == verifier::AccessCheck::kGuarded) {
          relative_[pc] = annotations->access[pc].relative;
          any = any || relative_[pc].base != verifier::RelativeRange::kNoBase;
        }
      if (!any) relative_.clear();
    }
  }
  helper_at_.assign(n, nullptr);
  lddw_value_.assign(n, 0);
  sections_ = lay_out_global_data(program);
  for (const isa::DataSection& section : program.sections) has_pointer_slots_ |= !section.pointers.empty();
  for (size_t pc = 0; pc < n; ++pc) {
    if (program.is_lddw_tail(pc)) continue;
    const Instruction& insn = program.insns[pc];
    if (insn.is_helper_call()) helper_at_[pc] = helpers.find(insn.imm);
    if (!insn.is_lddw()) continue;
    switch (insn.src) {
      case isa::kLddwImm64: lddw_value_[pc] = program.lddw_value_at(pc); break;
      case isa::kLddwMapValue: {
        auto& bytes = sections_[static_cast<uint32_t>(insn.imm)];
        lddw_value_[pc] = reinterpret_cast<uintptr_t>(bytes.data()) + static_cast<uint32_t>(program.insns[pc + 1].imm);
        break;
      }
      default:
        throw UnsupportedProgram("pc " + std::to_string(pc) + ": lddw form " + std::to_string(insn.src) +
                                 " (maps, kernel variables, code addresses) needs a kernel; sbpf supports constants "
                                 "and global data");
    }
  }
}

Interpreter::~Interpreter() = default;

ExecutionResult Interpreter::run(Invocation& invocation) {
  return metered_ ? run_with<true>(invocation) : run_with<false>(invocation);
}

template <bool kMetered>
ExecutionResult Interpreter::run_with(Invocation& invocation) {
  check_loop_budget(invocation, max_loop_budget_);
  const Instruction* const code = program_.insns.data();
  RunMemory memory(invocation, program_, sections_);
  RegionTable& regions = memory.regions;
  uint8_t* const stack_top = memory.stack_top();

  uint64_t reg[isa::kNumRegisters] = {};
  for (int i = 0; i < 5; ++i) reg[1 + i] = invocation.args[i];
  reg[10] = reinterpret_cast<uintptr_t>(stack_top);

  struct Frame {
    const Instruction* return_to;
    uint64_t saved[4];  // r6..r9
  };
  Frame frames[kMaxFrames];
  size_t depth = 0;
  uint64_t budget = invocation.loop_budget;
  // Paranoid mode: the times each free backward jump was taken. The
  // verifier bounds each loop nest by the budget, not their sum, so each
  // jump is held to the budget on its own.
  std::vector<uint64_t> free_jumps(paranoid_ ? program_.size() : 0);
  const PcPlan* const plans = plans_.data();
  const bool paranoid = paranoid_;
  const verifier::RelativeRange* const relative = relative_.empty() ? nullptr : relative_.data();
  const bool check_slots = paranoid && has_pointer_slots_;

  ExecutionResult result;
  const Helper* helper = nullptr;  // the one a call or callx is about to run
  std::optional<std::string> helper_failure;
  auto abort = [&](AbortKind kind, const Instruction* at, std::string message) {
    result.abort = Abort{kind, static_cast<size_t>(at - code), std::move(message)};
    return result;
  };

  // Threaded dispatch: every handler ends by jumping straight to the next
  // instruction's handler through this table, indexed by opcode. Opcodes that
  // validation rejects stay on `invalid`.
  static_assert(sizeof(void*) == sizeof(uintptr_t));
  void* table[256];
  for (auto& entry : table) entry = &&invalid;

  const Instruction* ip = code;
#define DISPATCH()                            \
  do {                                        \
    if constexpr (kMetered) ++result.instructions; \
    goto* table[ip->opcode];                  \
  } while (0)
#define NEXT()   \
  do {           \
    ++ip;        \
    DISPATCH();  \
  } while (0)
  // A taken branch with a negative displacement is a back-edge: count it.
#define BRANCH(cond, displacement)                                    \
  do {                                                                \
    if (cond) {                                                       \
      int64_t d_ = (displacement);                                    \
      if (d_ < 0 && budget-- == 0) goto loop_budget_exhausted;        \
      ip += d_ + 1;                                                   \
      DISPATCH();                                                     \
    }                                                                 \
    NEXT();                                                           \
  } while (0)
  // The same for an annotated program: a back-edge of a loop the verifier
  // proved bounded is free, except that paranoid mode counts it apart to
  // catch a wrong proof.
#define ANNOTATED_BRANCH(cond, displacement)                                   \
  do {                                                                         \
    if (cond) {                                                                \
      int64_t d_ = (displacement);                                             \
      if (d_ < 0) {                                                            \
        if ((plans[ip - code].flags & kFreeBackEdge) == 0) {                   \
          if (budget-- == 0) goto loop_budget_exhausted;                       \
        } else if (paranoid && free_jumps[ip - code]++ == invocation.loop_budget) { \
          goto free_loop_over_budget;                                          \
        }                                                                      \
      }                                                                        \
      ip += d_ + 1;                                                            \
      DISPATCH();                                                              \
    }                                                                          \
    NEXT();                                                                    \
  } while (0)
#define SIGNED(x) static_cast<std::make_signed_t<decltype(x)>>(x)

  // ALU: `d` and `s` are the operands at the operation's width; 32-bit
  // results are zero-extended into the 64-bit register.
#define ALU_HANDLERS(name, expr)                                                   \
  name##32_k : {                                                                   \
    [[maybe_unused]] uint32_t d = static_cast<uint32_t>(reg[ip->dst]);             \
    [[maybe_unused]] uint32_t s = static_cast<uint32_t>(ip->imm);                  \
    reg[ip->dst] = static_cast<uint32_t>(expr);                                    \
    NEXT();                                                                        \
  }                                                                                \
  name##32_x : {                                                                   \
    [[maybe_unused]] uint32_t d = static_cast<uint32_t>(reg[ip->dst]);             \
    [[maybe_unused]] uint32_t s = static_cast<uint32_t>(reg[ip->src]);             \
    reg[ip->dst] = static_cast<uint32_t>(expr);                                    \
    NEXT();                                                                        \
  }                                                                                \
  name##64_k : {                                                                   \
    [[maybe_unused]] uint64_t d = reg[ip->dst];                                    \
    [[maybe_unused]] uint64_t s = static_cast<uint64_t>(static_cast<int64_t>(ip->imm)); \
    reg[ip->dst] = (expr);                                                         \
    NEXT();                                                                        \
  }                                                                                \
  name##64_x : {                                                                   \
    [[maybe_unused]] uint64_t d = reg[ip->dst];                                    \
    [[maybe_unused]] uint64_t s = reg[ip->src];                                    \
    reg[ip->dst] = (expr);                                                         \
    NEXT();                                                                        \
  }
#define ALU_TABLE(name, op)                                  \
  table[isa::kClassAlu | isa::kSourceK | (op)] = &&name##32_k;   \
  table[isa::kClassAlu | isa::kSourceX | (op)] = &&name##32_x;   \
  table[isa::kClassAlu64 | isa::kSourceK | (op)] = &&name##64_k; \
  table[isa::kClassAlu64 | isa::kSourceX | (op)] = &&name##64_x;

  // Each jump has two handlers, `name` with BRANCH and `name_annotated` with
  // ANNOTATED_BRANCH: the table picks per run, so an unannotated program
  // pays nothing for annotations.
#define JMP_HANDLER_SET(name, cond, branch, suffix)                                \
  name##32_k##suffix : {                                                           \
    uint32_t d = static_cast<uint32_t>(reg[ip->dst]);                              \
    uint32_t s = static_cast<uint32_t>(ip->imm);                                   \
    branch(cond, ip->offset);                                                      \
  }                                                                                \
  name##32_x##suffix : {                                                           \
    uint32_t d = static_cast<uint32_t>(reg[ip->dst]);                              \
    uint32_t s = static_cast<uint32_t>(reg[ip->src]);                              \
    branch(cond, ip->offset);                                                      \
  }                                                                                \
  name##64_k##suffix : {                                                           \
    uint64_t d = reg[ip->dst];                                                     \
    uint64_t s = static_cast<uint64_t>(static_cast<int64_t>(ip->imm));             \
    branch(cond, ip->offset);                                                      \
  }                                                                                \
  name##64_x##suffix : {                                                           \
    uint64_t d = reg[ip->dst];                                                     \
    uint64_t s = reg[ip->src];                                                     \
    branch(cond, ip->offset);                                                      \
  }
#define JMP_HANDLERS(name, cond)                \
  JMP_HANDLER_SET(name, cond, BRANCH, )         \
  JMP_HANDLER_SET(name, cond, ANNOTATED_BRANCH, _annotated)
#define JMP_TABLE(name, op, suffix)                                      \
  table[isa::kClassJmp32 | isa::kSourceK | (op)] = &&name##32_k##suffix; \
  table[isa::kClassJmp32 | isa::kSourceX | (op)] = &&name##32_x##suffix; \
  table[isa::kClassJmp | isa::kSourceK | (op)] = &&name##64_k##suffix;   \
  table[isa::kClassJmp | isa::kSourceX | (op)] = &&name##64_x##suffix;
#define ALL_JMP_TABLES(suffix)                  \
  JMP_TABLE(jeq, isa::kJmpJeq, suffix)          \
  JMP_TABLE(jgt, isa::kJmpJgt, suffix)          \
  JMP_TABLE(jge, isa::kJmpJge, suffix)          \
  JMP_TABLE(jset, isa::kJmpJset, suffix)        \
  JMP_TABLE(jne, isa::kJmpJne, suffix)          \
  JMP_TABLE(jsgt, isa::kJmpJsgt, suffix)        \
  JMP_TABLE(jsge, isa::kJmpJsge, suffix)        \
  JMP_TABLE(jlt, isa::kJmpJlt, suffix)          \
  JMP_TABLE(jle, isa::kJmpJle, suffix)          \
  JMP_TABLE(jslt, isa::kJmpJslt, suffix)        \
  JMP_TABLE(jsle, isa::kJmpJsle, suffix)        \
  table[isa::kOpJa] = &&ja##suffix;             \
  table[isa::kOpGotol] = &&gotol##suffix;

  // Accesses have two handlers too. `name` checks against every region;
  // `name_annotated` follows the plan: a proven access goes straight to the
  // host address in the register, any other is checked against the regions
  // the verifier said it may touch.
#define TRANSLATE_ANNOTATED(p, addr, len, write)                                  \
  do {                                                                           \
    const PcPlan plan_ = plans[ip - code];                                       \
    if (plan_.flags & kProvenAccess) {                                           \
      (p) = reinterpret_cast<uint8_t*>(addr);                                    \
    } else {                                                                     \
      (p) = regions.translate((addr), (len), (write), plan_.regions);            \
      if ((p) == nullptr) goto bad_access;                                       \
    }                                                                            \
  } while (0)
// Paranoid mode: an access outside its annotated range against another
// register is a verifier bug.
#define CHECK_RELATIVE(addr)                                                      \
  if (relative != nullptr && !within(relative[ip - code], reg, (addr))) goto relative_broken;
// Paranoid mode: the address slots of global data as the annotated handlers
// and the JIT keep them (RegionTable::translate), and a proven access that
// touches one otherwise than whole is a verifier bug.
#define CHECK_POINTER_SLOTS(addr, len, atomic)                                    \
  if (check_slots && !slot_access_allowed(regions, plans[ip - code], (addr), (len), (atomic))) goto slot_touched;
#define LOAD_HANDLER(name, T, extend)                                            \
  name : {                                                                       \
    uint64_t addr = reg[ip->src] + static_cast<int64_t>(ip->offset);             \
    const uint8_t* p = regions.translate(addr, sizeof(T), false);                \
    if (p == nullptr) goto bad_access;                                           \
    CHECK_RELATIVE(addr)                                                         \
    CHECK_POINTER_SLOTS(addr, sizeof(T), false)                                  \
    reg[ip->dst] = extend(load_bytes<T>(p));                                     \
    NEXT();                                                                      \
  }                                                                              \
  name##_annotated : {                                                           \
    uint64_t addr = reg[ip->src] + static_cast<int64_t>(ip->offset);             \
    uint8_t* p;                                                                  \
    TRANSLATE_ANNOTATED(p, addr, sizeof(T), false);                              \
    reg[ip->dst] = extend(load_bytes<T>(p));                                     \
    NEXT();                                                                      \
  }
#define STORE_HANDLER(name, T, value)                                            \
  name : {                                                                       \
    uint64_t addr = reg[ip->dst] + static_cast<int64_t>(ip->offset);             \
    uint8_t* p = regions.translate(addr, sizeof(T), true);                       \
    if (p == nullptr) goto bad_access;                                           \
    CHECK_RELATIVE(addr)                                                         \
    CHECK_POINTER_SLOTS(addr, sizeof(T), false)                                  \
    store_bytes<T>(p, static_cast<T>(value));                                    \
    NEXT();                                                                      \
  }                                                                              \
  name##_annotated : {                                                           \
    uint64_t addr = reg[ip->dst] + static_cast<int64_t>(ip->offset);             \
    uint8_t* p;                                                                  \
    TRANSLATE_ANNOTATED(p, addr, sizeof(T), true);                               \
    store_bytes<T>(p, static_cast<T>(value));                                    \
    NEXT();                                                                      \
  }
// Atomics must be naturally aligned, proven or not: the host's atomic
// instructions need it, and the verifier does not track alignment.
#define ATOMIC_HANDLER(name, T)                                                  \
  name : {                                                                       \
    uint64_t addr = reg[ip->dst] + static_cast<int64_t>(ip->offset);             \
    uint8_t* p = regions.translate(addr, sizeof(T), true);                       \
    if (p == nullptr) goto bad_access;                                           \
    CHECK_RELATIVE(addr)                                                         \
    CHECK_POINTER_SLOTS(addr, sizeof(T), true)                                   \
    if (addr % sizeof(T) != 0) goto misaligned;                                  \
    atomic_op<T>(p, ip->imm, &reg[ip->src], &reg[0]);                            \
    NEXT();                                                                      \
  }                                                                              \
  name##_annotated : {                                                           \
    uint64_t addr = reg[ip->dst] + static_cast<int64_t>(ip->offset);             \
    uint8_t* p;                                                                  \
    TRANSLATE_ANNOTATED(p, addr, sizeof(T), true);                               \
    if (addr % sizeof(T) != 0) goto misaligned;                                  \
    atomic_op<T>(p, ip->imm, &reg[ip->src], &reg[0]);                            \
    NEXT();                                                                      \
  }
#define ACCESS_TABLES(suffix)                                                       \
  table[isa::kClassLdx | isa::kModeMem | isa::kSizeB] = &&ldxb##suffix;             \
  table[isa::kClassLdx | isa::kModeMem | isa::kSizeH] = &&ldxh##suffix;             \
  table[isa::kClassLdx | isa::kModeMem | isa::kSizeW] = &&ldxw##suffix;             \
  table[isa::kClassLdx | isa::kModeMem | isa::kSizeDW] = &&ldxdw##suffix;           \
  table[isa::kClassLdx | isa::kModeMemSx | isa::kSizeB] = &&ldxsb##suffix;          \
  table[isa::kClassLdx | isa::kModeMemSx | isa::kSizeH] = &&ldxsh##suffix;          \
  table[isa::kClassLdx | isa::kModeMemSx | isa::kSizeW] = &&ldxsw##suffix;          \
  table[isa::kClassSt | isa::kModeMem | isa::kSizeB] = &&stb##suffix;               \
  table[isa::kClassSt | isa::kModeMem | isa::kSizeH] = &&sth##suffix;               \
  table[isa::kClassSt | isa::kModeMem | isa::kSizeW] = &&stw##suffix;               \
  table[isa::kClassSt | isa::kModeMem | isa::kSizeDW] = &&stdw##suffix;             \
  table[isa::kClassStx | isa::kModeMem | isa::kSizeB] = &&stxb##suffix;             \
  table[isa::kClassStx | isa::kModeMem | isa::kSizeH] = &&stxh##suffix;             \
  table[isa::kClassStx | isa::kModeMem | isa::kSizeW] = &&stxw##suffix;             \
  table[isa::kClassStx | isa::kModeMem | isa::kSizeDW] = &&stxdw##suffix;           \
  table[isa::kClassStx | isa::kModeAtomic | isa::kSizeW] = &&atomic32##suffix;      \
  table[isa::kClassStx | isa::kModeAtomic | isa::kSizeDW] = &&atomic64##suffix;
#define ZEXT(v) static_cast<uint64_t>(v)
#define SEXT(v) static_cast<uint64_t>(static_cast<int64_t>(SIGNED(v)))

  ALU_TABLE(add, isa::kAluAdd)
  ALU_TABLE(sub, isa::kAluSub)
  ALU_TABLE(mul, isa::kAluMul)
  ALU_TABLE(div, isa::kAluDiv)
  ALU_TABLE(or, isa::kAluOr)
  ALU_TABLE(and, isa::kAluAnd)
  ALU_TABLE(lsh, isa::kAluLsh)
  ALU_TABLE(rsh, isa::kAluRsh)
  ALU_TABLE(mod, isa::kAluMod)
  ALU_TABLE(xor, isa::kAluXor)
  ALU_TABLE(mov, isa::kAluMov)
  ALU_TABLE(arsh, isa::kAluArsh)
  table[isa::kClassAlu | isa::kAluNeg] = &&neg32;
  table[isa::kClassAlu64 | isa::kAluNeg] = &&neg64;
  table[isa::kClassAlu | isa::kSourceK | isa::kAluEnd] = &&to_le;
  table[isa::kClassAlu | isa::kSourceX | isa::kAluEnd] = &&to_be;
  table[isa::kClassAlu64 | isa::kSourceK | isa::kAluEnd] = &&to_be;  // bswap: unconditional, same as `be` here

  // Paranoid mode runs the annotated jumps (to count free back-edges apart)
  // but the plain accesses (to check every one against every region).
  if (plans_.empty()) {
    ALL_JMP_TABLES()
  } else {
    ALL_JMP_TABLES(_annotated)
  }
  table[isa::kOpCall] = &&call;
  table[isa::kOpCallx] = &&callx;
  table[isa::kOpExit] = &&exit;
  table[isa::kOpLddw] = &&lddw;

  if (plans_.empty() || paranoid) {
    ACCESS_TABLES()
  } else {
    ACCESS_TABLES(_annotated)
  }

  DISPATCH();

  ALU_HANDLERS(add, d + s)
  ALU_HANDLERS(sub, d - s)
  ALU_HANDLERS(mul, d * s)
  ALU_HANDLERS(div, ip->offset ? sdiv(d, s) : udiv(d, s))
  ALU_HANDLERS(or, d | s)
  ALU_HANDLERS(and, d & s)
  ALU_HANDLERS(lsh, d << (s & (sizeof(d) * 8 - 1)))
  ALU_HANDLERS(rsh, d >> (s & (sizeof(d) * 8 - 1)))
  ALU_HANDLERS(mod, ip->offset ? smod(d, s) : umod(d, s))
  ALU_HANDLERS(xor, d ^ s)
  ALU_HANDLERS(mov, ip->offset ? static_cast<decltype(d)>(sign_extend(s, ip->offset)) : s)
  ALU_HANDLERS(arsh, arsh(d, static_cast<decltype(d)>(s & (sizeof(d) * 8 - 1))))

neg32:
  reg[ip->dst] = static_cast<uint32_t>(0u - static_cast<uint32_t>(reg[ip->dst]));
  NEXT();
neg64:
  reg[ip->dst] = 0 - reg[ip->dst];
  NEXT();
to_le:
  reg[ip->dst] = truncate_to(reg[ip->dst], ip->imm);
  NEXT();
to_be:
  reg[ip->dst] = byte_swap(reg[ip->dst], ip->imm);
  NEXT();

  JMP_HANDLERS(jeq, d == s)
  JMP_HANDLERS(jgt, d > s)
  JMP_HANDLERS(jge, d >= s)
  JMP_HANDLERS(jset, (d & s) != 0)
  JMP_HANDLERS(jne, d != s)
  JMP_HANDLERS(jsgt, SIGNED(d) > SIGNED(s))
  JMP_HANDLERS(jsge, SIGNED(d) >= SIGNED(s))
  JMP_HANDLERS(jlt, d < s)
  JMP_HANDLERS(jle, d <= s)
  JMP_HANDLERS(jslt, SIGNED(d) < SIGNED(s))
  JMP_HANDLERS(jsle, SIGNED(d) <= SIGNED(s))

ja:
  BRANCH(true, ip->offset);
gotol:
  BRANCH(true, ip->imm);
ja_annotated:
  ANNOTATED_BRANCH(true, ip->offset);
gotol_annotated:
  ANNOTATED_BRANCH(true, ip->imm);

lddw:
  reg[ip->dst] = lddw_value_[static_cast<size_t>(ip - code)];
  ip += 2;
  DISPATCH();

  LOAD_HANDLER(ldxb, uint8_t, ZEXT)
  LOAD_HANDLER(ldxh, uint16_t, ZEXT)
  LOAD_HANDLER(ldxw, uint32_t, ZEXT)
  LOAD_HANDLER(ldxdw, uint64_t, ZEXT)
  LOAD_HANDLER(ldxsb, int8_t, SEXT)
  LOAD_HANDLER(ldxsh, int16_t, SEXT)
  LOAD_HANDLER(ldxsw, int32_t, SEXT)
  STORE_HANDLER(stb, uint8_t, ip->imm)
  STORE_HANDLER(sth, uint16_t, ip->imm)
  STORE_HANDLER(stw, uint32_t, ip->imm)
  STORE_HANDLER(stdw, uint64_t, static_cast<int64_t>(ip->imm))
  STORE_HANDLER(stxb, uint8_t, reg[ip->src])
  STORE_HANDLER(stxh, uint16_t, reg[ip->src])
  STORE_HANDLER(stxw, uint32_t, reg[ip->src])
  STORE_HANDLER(stxdw, uint64_t, reg[ip->src])

  ATOMIC_HANDLER(atomic32, uint32_t)
  ATOMIC_HANDLER(atomic64, uint64_t)

call:
  if (ip->src == isa::kCallLocal) {
    if (depth + 1 >= kMaxFrames) goto stack_overflow;
    frames[depth] = {ip + 1, {reg[6], reg[7], reg[8], reg[9]}};
    ++depth;
    reg[10] -= kStackFrameBytes;
    memory.set_frames(depth + 1);
    ip += ip->imm + 1;
    DISPATCH();
  }
  helper = helper_at_[static_cast<size_t>(ip - code)];
  if (helper == nullptr) goto unknown_helper;
  goto invoke_helper;

callx : {
  // The register holds a helper id: sbpf has no function addresses to call.
  uint64_t id = reg[ip->callx_register()];
  helper = id <= INT32_MAX ? helpers_.find(static_cast<int32_t>(id)) : nullptr;
  if (helper == nullptr)
    return abort(AbortKind::kHelper, ip, callx_message(ip->callx_register(), id));
}
invoke_helper:
  if constexpr (kMetered) {
    if (helper->length_argument) result.helper_bytes += reg[1 + *helper->length_argument];
  }
  if (!call_helper(*helper, regions, invocation.heap, reg, helper_failure)) goto helper_failed;
  NEXT();

exit:
  if (depth == 0) {
    result.r0 = reg[0];
    return result;
  }
  --depth;
  ip = frames[depth].return_to;
  std::memcpy(&reg[6], frames[depth].saved, sizeof frames[depth].saved);
  reg[10] += kStackFrameBytes;
  memory.set_frames(depth + 1);
  DISPATCH();

bad_access : {
  const uint8_t base = ip->cls() == isa::kClassLdx ? ip->src : ip->dst;
  // Only the annotated handlers restrict an access to its plan's regions;
  // paranoid mode checked it against all of them.
  const bool annotated = !plans_.empty();
  const PcPlan plan = annotated ? plans[ip - code] : PcPlan{};
  const bool restricted = annotated && !paranoid;
  std::string why = bad_access_message(*ip, reg[base], regions, restricted ? plan.regions : kAllRegionKinds);
  if (paranoid && (plan.flags & kProvenAccess) != 0)
    return abort(AbortKind::kVerifierBug, ip, "proven access out of bounds: " + why);
  return abort(AbortKind::kBounds, ip, std::move(why));
}
slot_touched : {
  const uint64_t addr = reg[ip->cls() == isa::kClassLdx ? ip->src : ip->dst] + static_cast<int64_t>(ip->offset);
  if ((plans[ip - code].flags & kProvenAccess) != 0)
    return abort(AbortKind::kVerifierBug, ip,
                 "proven access of " + std::to_string(ip->access_bytes()) + " bytes at " + std::to_string(addr) +
                     " touches an address slot of global data otherwise than whole");
  return abort(AbortKind::kBounds, ip, bad_access_message(*ip, reg[ip->cls() == isa::kClassLdx ? ip->src : ip->dst],
                                                          regions, plans[ip - code].regions));
}
relative_broken : {
  const verifier::RelativeRange& r = relative[ip - code];
  const uint64_t addr = reg[ip->cls() == isa::kClassLdx ? ip->src : ip->dst] + static_cast<int64_t>(ip->offset);
  return abort(AbortKind::kVerifierBug, ip,
               "access at r" + std::to_string(r.base) + " + " +
                   std::to_string(static_cast<int64_t>(addr - reg[r.base])) + ", outside the annotated r" +
                   std::to_string(r.base) + " + [" + std::to_string(r.low) + ", " + std::to_string(r.high) + "]");
}
misaligned:
  return abort(AbortKind::kMisaligned, ip,
               misaligned_message(ip->access_bytes(), reg[ip->dst] + static_cast<int64_t>(ip->offset)));
loop_budget_exhausted:
  return abort(AbortKind::kLoopBudget, ip, loop_budget_message(invocation.loop_budget));
free_loop_over_budget:
  return abort(AbortKind::kVerifierBug, ip,
               "loop proven bounded took this backward jump more than " + std::to_string(invocation.loop_budget) +
                   " times");
stack_overflow:
  return abort(AbortKind::kStackOverflow, ip, stack_overflow_message(depth));
helper_failed:
  return abort(AbortKind::kHelper, ip, std::move(*helper_failure));
unknown_helper:
  return abort(AbortKind::kHelper, ip, unknown_helper_message(ip->imm));
invalid:
  // Unreachable for a validated program; kept so a stray opcode cannot jump
  // through an uninitialised table entry.
  return abort(AbortKind::kHelper, ip, "invalid opcode " + std::to_string(ip->opcode) + " reached the interpreter");

#undef DISPATCH
#undef NEXT
#undef BRANCH
#undef ANNOTATED_BRANCH
#undef SIGNED
#undef ALU_HANDLERS
#undef ALU_TABLE
#undef JMP_HANDLER_SET
#undef JMP_HANDLERS
#undef JMP_TABLE
#undef ALL_JMP_TABLES
#undef TRANSLATE_ANNOTATED
#undef ACCESS_TABLES
#undef LOAD_HANDLER
#undef STORE_HANDLER
#undef ATOMIC_HANDLER
#undef ZEXT
#undef SEXT
}

}  // namespace sbpf::runtime
