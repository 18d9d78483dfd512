#include "isa/assembler.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "isa/opcodes.h"

namespace sbpf::isa {

namespace {

// ---------------------------------------------------------------------------
// Text helpers.

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Whitespace-separated words.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// Splits off the first word: {word, rest}.
std::pair<std::string_view, std::string_view> first_word(std::string_view s) {
  s = trim(s);
  size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  return {s.substr(0, end), trim(s.substr(end))};
}

// Comma-separated operands, trimmed. An empty text has no operands.
std::vector<std::string_view> operands(std::string_view s) {
  std::vector<std::string_view> out;
  s = trim(s);
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

bool is_label_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_label_char(char c) { return is_label_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '$'; }

bool is_label_name(std::string_view s) {
  return !s.empty() && is_label_start(s.front()) && std::all_of(s.begin(), s.end(), is_label_char);
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// ---------------------------------------------------------------------------
// Numbers: decimal or 0x-hex, with an optional sign. Kept as sign and
// magnitude so each field can apply its own range rule.

struct Number {
  bool negative = false;
  bool overflow = false;  // the magnitude does not fit in 64 bits
  uint64_t magnitude = 0;
};

std::optional<Number> parse_number(std::string_view s) {
  Number n;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    n.negative = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, n.magnitude, base);
  if (ptr != end) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    n.overflow = true;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return n;
}

bool looks_numeric(std::string_view s) {
  return !s.empty() && (s.front() == '+' || s.front() == '-' || (s.front() >= '0' && s.front() <= '9'));
}

// ---------------------------------------------------------------------------
// The mnemonic table. Each entry knows its operand form and the fixed bits of
// its encoding; the source bit and the operands are added while parsing.

enum class Form : uint8_t {
  kAluBinary,  // add %r0, %r1 | add %r0, 1
  kAluUnary,   // neg %r0
  kMovSx,      // movsx832 %r0, %r1
  kByteSwap,   // be16 %r0
  kLoad,       // ldxw %r0, [%r1+2]
  kStoreImm,   // stw [%r1+2], 5
  kStoreReg,   // stxw [%r1+2], %r0
  kLddw,       // lddw %r0, 0x1122334455667788 | lddw %r1, data[0]+16
  kBranch,     // jeq %r1, 5, label
  kJa,         // ja label
  kGotol,      // ja32 label
  kCall,       // call 5 | call local f | call %r2
  kExit,       // exit
};

struct Mnemonic {
  Form form;
  uint8_t opcode;      // without the source bit
  int16_t offset = 0;  // sdiv/smod: 1; movsx: the source width
  int32_t imm = 0;     // byte swaps: the width
};

using MnemonicTable = std::unordered_map<std::string, Mnemonic>;

void add_alu(MnemonicTable& t) {
  struct Op {
    const char* name;
    uint8_t op;
    int16_t offset;
  };
  // sdiv and smod are div and mod with offset 1.
  static constexpr Op kOps[] = {
      {"add", kAluAdd, 0}, {"sub", kAluSub, 0},   {"mul", kAluMul, 0}, {"div", kAluDiv, 0}, {"sdiv", kAluDiv, 1},
      {"mod", kAluMod, 0}, {"smod", kAluMod, 1},  {"or", kAluOr, 0},   {"and", kAluAnd, 0}, {"lsh", kAluLsh, 0},
      {"rsh", kAluRsh, 0}, {"arsh", kAluArsh, 0}, {"xor", kAluXor, 0}, {"mov", kAluMov, 0},
  };
  for (const Op& op : kOps) {
    t[op.name] = {Form::kAluBinary, static_cast<uint8_t>(kClassAlu64 | op.op), op.offset};
    t[std::string(op.name) + "32"] = {Form::kAluBinary, static_cast<uint8_t>(kClassAlu | op.op), op.offset};
  }
  t["neg"] = {Form::kAluUnary, kClassAlu64 | kAluNeg};
  t["neg32"] = {Form::kAluUnary, kClassAlu | kAluNeg};
  t["movsx832"] = {Form::kMovSx, kClassAlu | kAluMov | kSourceX, 8};
  t["movsx1632"] = {Form::kMovSx, kClassAlu | kAluMov | kSourceX, 16};
  t["movsx864"] = {Form::kMovSx, kClassAlu64 | kAluMov | kSourceX, 8};
  t["movsx1664"] = {Form::kMovSx, kClassAlu64 | kAluMov | kSourceX, 16};
  t["movsx3264"] = {Form::kMovSx, kClassAlu64 | kAluMov | kSourceX, 32};
}

void add_byte_swaps(MnemonicTable& t) {
  // `swapN` is the suite's older name for `bswapN`: its tests expect an
  // unconditional swap (rfc9669_swap16 swaps 0x1122 to 0x2211), which only
  // the ALU64 form guarantees on every host.
  struct Family {
    const char* name;
    uint8_t opcode;
  };
  static constexpr Family kFamilies[] = {{"le", kClassAlu | kAluEnd | kSourceK},
                                         {"be", kClassAlu | kAluEnd | kSourceX},
                                         {"bswap", kClassAlu64 | kAluEnd | kSourceK},
                                         {"swap", kClassAlu64 | kAluEnd | kSourceK}};
  for (const Family& f : kFamilies)
    for (int width : {16, 32, 64}) t[f.name + std::to_string(width)] = {Form::kByteSwap, f.opcode, 0, width};
}

void add_memory(MnemonicTable& t) {
  struct Size {
    const char* suffix;
    uint8_t bits;
  };
  static constexpr Size kSizes[] = {{"b", kSizeB}, {"h", kSizeH}, {"w", kSizeW}, {"dw", kSizeDW}};
  for (const Size& s : kSizes) {
    t[std::string("ldx") + s.suffix] = {Form::kLoad, static_cast<uint8_t>(kClassLdx | kModeMem | s.bits)};
    t[std::string("st") + s.suffix] = {Form::kStoreImm, static_cast<uint8_t>(kClassSt | kModeMem | s.bits)};
    t[std::string("stx") + s.suffix] = {Form::kStoreReg, static_cast<uint8_t>(kClassStx | kModeMem | s.bits)};
    if (s.bits != kSizeDW)
      t[std::string("ldxs") + s.suffix] = {Form::kLoad, static_cast<uint8_t>(kClassLdx | kModeMemSx | s.bits)};
  }
  t["lddw"] = {Form::kLddw, kOpLddw};
}

void add_jumps(MnemonicTable& t) {
  struct Op {
    const char* name;
    uint8_t op;
  };
  static constexpr Op kOps[] = {
      {"jeq", kJmpJeq},   {"jgt", kJmpJgt},   {"jge", kJmpJge}, {"jset", kJmpJset}, {"jne", kJmpJne},
      {"jsgt", kJmpJsgt}, {"jsge", kJmpJsge}, {"jlt", kJmpJlt}, {"jle", kJmpJle},   {"jslt", kJmpJslt},
      {"jsle", kJmpJsle},
  };
  for (const Op& op : kOps) {
    t[op.name] = {Form::kBranch, static_cast<uint8_t>(kClassJmp | op.op)};
    t[std::string(op.name) + "32"] = {Form::kBranch, static_cast<uint8_t>(kClassJmp32 | op.op)};
  }
  t["ja"] = {Form::kJa, kOpJa};
  t["ja32"] = {Form::kGotol, kOpGotol};
  t["call"] = {Form::kCall, kOpCall};
  t["exit"] = {Form::kExit, kOpExit};
}

const MnemonicTable& mnemonics() {
  static const MnemonicTable table = [] {
    MnemonicTable t;
    add_alu(t);
    add_byte_swaps(t);
    add_memory(t);
    add_jumps(t);
    return t;
  }();
  return table;
}

// `lock [fetch] OP[32]`: the atomic operations and their immediates.
struct AtomicOp {
  const char* name;
  int32_t imm;
};
constexpr AtomicOp kAtomicOps[] = {{"add", kAtomicAdd}, {"or", kAtomicOr},     {"and", kAtomicAnd},
                                   {"xor", kAtomicXor}, {"xchg", kAtomicXchg}, {"cmpxchg", kAtomicCmpxchg}};

// Pseudo forms of lddw: `lddw %r1, NAME[first imm]+second imm`.
struct LddwForm {
  const char* name;
  uint8_t src;
};
constexpr LddwForm kLddwForms[] = {
    {"map_fd", kLddwMapFd}, {"data", kLddwMapValue},      {"btf_var", kLddwVariable},
    {"code", kLddwCode},    {"map_idx", kLddwMapIndex}, {"map_idx_value", kLddwMapIndexValue},
};

// ---------------------------------------------------------------------------

// Where a label is used; patched once every label is known.
enum class RefKind : uint8_t {
  kBranch,  // 16-bit offset
  kGotol,   // 32-bit imm
  kCall,    // 32-bit imm of a local call
  kCode,    // 32-bit imm of `lddw code[label]`
};

struct LabelRef {
  size_t pc;
  size_t line;
  std::string label;
  RefKind kind;
};

struct MemoryOperand {
  uint8_t base = 0;
  int16_t offset = 0;
};

class Assembler {
 public:
  Assembler(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  Program run() {
    size_t start = 0;
    while (start < text_.size()) {
      size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      ++line_;
      statement(text_.substr(start, end - start));
      start = end + 1;
    }
    if (program_.insns.empty()) {
      line_ = std::max<size_t>(line_, 1);
      fail("no instructions");
    }
    resolve_labels();
    resolve_pointers();
    name_functions();
    check();
    return std::move(program_);
  }

 private:
  std::string_view text_;
  std::string file_;
  size_t line_ = 0;
  Program program_;
  std::unordered_map<std::string, std::pair<size_t, size_t>> labels_;  // name -> {pc, line}
  std::vector<std::string> label_order_;
  std::optional<size_t> first_exit_;
  std::vector<LabelRef> refs_;
  struct PointerRef {
    size_t section, slot, line;
    std::string target;  // empty: null
  };
  std::vector<PointerRef> pointer_refs_;

  [[noreturn]] void fail(const std::string& reason) const { throw AssemblyError(file_, line_, reason); }

  size_t pc() const { return program_.insns.size(); }

  // One line: `label:`, then a directive or an instruction, then a comment.
  void statement(std::string_view raw) {
    std::string_view source = trim(raw);
    std::string_view text = source.substr(0, source.find('#'));
    text = trim(text);
    size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      define_label(trim(text.substr(0, colon)));
      text = trim(text.substr(colon + 1));
    }
    if (text.empty()) return;
    if (text.front() == '.') return directive(text);
    begin_instruction(source);
    instruction(text);
  }

  void define_label(std::string_view name) {
    if (!is_label_name(name)) fail("bad label name " + quoted(name));
    auto [it, inserted] = labels_.try_emplace(std::string(name), pc(), line_);
    if (!inserted)
      fail("duplicate label " + quoted(name) + " (first defined on line " + std::to_string(it->second.second) + ")");
    label_order_.emplace_back(name);
  }

  void begin_instruction(std::string_view source) {
    LineInfo info;
    info.pc = pc();
    info.file = file_;
    info.line = static_cast<uint32_t>(line_);
    info.column = 1;
    info.source = std::string(source);
    program_.lines.push_back(std::move(info));
  }

  void emit(const Instruction& insn) { program_.insns.push_back(insn); }

  // -- operands --------------------------------------------------------------

  void expect_operands(std::string_view mnemonic, const std::vector<std::string_view>& ops, size_t count) const {
    if (ops.size() == count) return;
    fail(quoted(mnemonic) + " takes " + std::to_string(count) + (count == 1 ? " operand" : " operands") + ", found " +
         std::to_string(ops.size()));
  }

  static bool is_register(std::string_view s) { return !s.empty() && s.front() == '%'; }

  uint8_t reg(std::string_view s) const {
    if (s.size() < 3 || s.substr(0, 2) != "%r") fail("expected a register, found " + quoted(s));
    unsigned n = 0;
    std::string_view digits = s.substr(2);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ptr != digits.data() + digits.size() || ec != std::errc() || n >= static_cast<unsigned>(kNumRegisters))
      fail("bad register " + quoted(s) + ": registers are %r0 to %r10");
    return static_cast<uint8_t>(n);
  }

  Number number(std::string_view s, const char* what) const {
    std::optional<Number> n = parse_number(s);
    if (!n) fail("expected " + std::string(what) + ", found " + quoted(s));
    return *n;
  }

  // A field of `bits` bits takes its signed range and, written without a
  // minus sign, any bit pattern up to the unsigned maximum (so `0xffffffff`
  // is -1 in a 32-bit immediate).
  int64_t field(std::string_view s, int bits, const char* what) const {
    Number n = number(s, what);
    const uint64_t unsigned_max = (uint64_t{1} << bits) - 1;
    const uint64_t negative_max = uint64_t{1} << (bits - 1);
    if (n.overflow || n.magnitude > (n.negative ? negative_max : unsigned_max))
      fail(std::string(what) + " " + std::string(s) + " is out of range for a " + std::to_string(bits) +
           "-bit field");
    uint64_t bits_value = n.negative ? (~n.magnitude + 1) & unsigned_max : n.magnitude;
    // Reinterpret the low `bits` bits as a signed value.
    return static_cast<int64_t>(bits_value ^ negative_max) - static_cast<int64_t>(negative_max);
  }

  int32_t imm32(std::string_view s) const { return static_cast<int32_t>(field(s, 32, "immediate")); }
  int16_t offset16(std::string_view s) const { return static_cast<int16_t>(field(s, 16, "offset")); }

  // lddw takes any 64-bit value, signed or unsigned.
  int64_t imm64(std::string_view s) const {
    Number n = number(s, "immediate");
    if (n.overflow || (n.negative && n.magnitude > (uint64_t{1} << 63)))
      fail("immediate " + std::string(s) + " is out of range for a 64-bit field");
    return static_cast<int64_t>(n.negative ? ~n.magnitude + 1 : n.magnitude);
  }

  // `[%rN]`, `[%rN+off]`, `[%rN-off]`; spaces inside the brackets are allowed.
  MemoryOperand memory(std::string_view s) const {
    std::string compact;
    for (char c : s)
      if (!is_space(c)) compact += c;
    std::string_view inner = compact;
    if (inner.size() < 2 || inner.front() != '[' || inner.back() != ']')
      fail("malformed memory operand " + quoted(s) + ": expected [%rN+offset]");
    inner = inner.substr(1, inner.size() - 2);
    size_t sign = inner.find_first_of("+-");
    std::string_view base = inner.substr(0, sign);
    std::string_view off = sign == std::string_view::npos ? std::string_view() : inner.substr(sign);
    if (base.empty() || (!off.empty() && !parse_number(off)))
      fail("malformed memory operand " + quoted(s) + ": expected [%rN+offset]");
    MemoryOperand m;
    m.base = reg(base);
    if (!off.empty()) m.offset = offset16(off);
    return m;
  }

  // A jump or call target: a label, or a signed slot displacement.
  void target(std::string_view s, RefKind kind, Instruction& insn) {
    if (looks_numeric(s)) {
      if (kind == RefKind::kBranch)
        insn.offset = offset16(s);
      else
        insn.imm = imm32(s);
      return;
    }
    if (!is_label_name(s)) fail("expected a label or an offset, found " + quoted(s));
    refs_.push_back({pc(), line_, std::string(s), kind});
  }

  // -- instructions ----------------------------------------------------------

  void instruction(std::string_view text) {
    auto [mnemonic, rest] = first_word(text);
    if (mnemonic == "lock") return atomic(rest);
    auto it = mnemonics().find(std::string(mnemonic));
    if (it == mnemonics().end()) fail("unknown mnemonic " + quoted(mnemonic));
    const Mnemonic& m = it->second;
    if (m.form == Form::kCall) return call(rest);
    std::vector<std::string_view> ops = operands(rest);
    for (std::string_view op : ops)
      if (op.empty()) fail("empty operand in " + quoted(text));
    Instruction insn;
    insn.opcode = m.opcode;
    insn.offset = m.offset;
    insn.imm = m.imm;
    switch (m.form) {
      case Form::kAluBinary:
        expect_operands(mnemonic, ops, 2);
        insn.dst = reg(ops[0]);
        source_operand(ops[1], insn);
        break;
      case Form::kAluUnary:
      case Form::kByteSwap:
        expect_operands(mnemonic, ops, 1);
        insn.dst = reg(ops[0]);
        break;
      case Form::kMovSx:
        expect_operands(mnemonic, ops, 2);
        insn.dst = reg(ops[0]);
        if (!is_register(ops[1])) fail(quoted(mnemonic) + " takes a register source, found " + quoted(ops[1]));
        insn.src = reg(ops[1]);
        break;
      case Form::kLoad: {
        expect_operands(mnemonic, ops, 2);
        insn.dst = reg(ops[0]);
        MemoryOperand mem = memory(ops[1]);
        insn.src = mem.base;
        insn.offset = mem.offset;
        break;
      }
      case Form::kStoreImm:
      case Form::kStoreReg: {
        expect_operands(mnemonic, ops, 2);
        MemoryOperand mem = memory(ops[0]);
        insn.dst = mem.base;
        insn.offset = mem.offset;
        if (m.form == Form::kStoreReg)
          insn.src = reg(ops[1]);
        else
          insn.imm = imm32(ops[1]);
        break;
      }
      case Form::kLddw:
        expect_operands(mnemonic, ops, 2);
        return lddw(reg(ops[0]), ops[1]);
      case Form::kBranch:
        expect_operands(mnemonic, ops, 3);
        insn.dst = reg(ops[0]);
        source_operand(ops[1], insn);
        target(ops[2], RefKind::kBranch, insn);
        break;
      case Form::kJa:
      case Form::kGotol:
        expect_operands(mnemonic, ops, 1);
        target(ops[0], m.form == Form::kJa ? RefKind::kBranch : RefKind::kGotol, insn);
        break;
      case Form::kExit:
        expect_operands(mnemonic, ops, 0);
        if (!first_exit_) first_exit_ = pc();
        break;
      case Form::kCall:
        break;  // handled above
    }
    emit(insn);
  }

  // The second operand of ALU and branch instructions: a register sets the
  // source bit, anything else is a 32-bit immediate.
  void source_operand(std::string_view s, Instruction& insn) const {
    if (is_register(s)) {
      insn.opcode |= kSourceX;
      insn.src = reg(s);
    } else {
      insn.imm = imm32(s);
    }
  }

  // `call 5`, `call helper 5`, `call local f`, `call runtime 7` (a kfunc by
  // BTF id), `call %r2` (callx, register in dst as LLVM encodes it) and
  // `call legacy %r2` (callx with the register in imm, as uBPF encodes it).
  void call(std::string_view rest) {
    std::vector<std::string_view> w = words(rest);
    Instruction insn;
    insn.opcode = kOpCall;
    if (w.size() == 1 && is_register(w[0])) {
      insn.opcode = kOpCallx;
      insn.dst = reg(w[0]);
    } else if (w.size() == 1) {
      insn.imm = imm32(w[0]);
    } else if (w.size() == 2 && w[0] == "helper") {
      insn.imm = imm32(w[1]);
    } else if (w.size() == 2 && w[0] == "runtime") {
      insn.src = kCallKfunc;
      insn.imm = imm32(w[1]);
    } else if (w.size() == 2 && w[0] == "local") {
      insn.src = kCallLocal;
      target(w[1], RefKind::kCall, insn);
    } else if (w.size() == 2 && w[0] == "legacy") {
      insn.opcode = kOpCallx;
      insn.imm = reg(w[1]);
    } else {
      fail("'call' takes a helper id, 'helper ID', 'local LABEL', 'runtime ID' or a register, found " +
           quoted(rest));
    }
    emit(insn);
  }

  // `lock [fetch] OP[32] [%rD+off], %rS`.
  void atomic(std::string_view rest) {
    std::pair<std::string_view, std::string_view> split = first_word(rest);
    bool fetch = split.first == "fetch";
    if (fetch) split = first_word(split.second);
    auto [word, after] = split;
    if (word.empty()) fail(fetch ? "'lock fetch' needs an atomic operation" : "'lock' needs an atomic operation");
    std::string_view op = word;
    uint8_t size = kSizeDW;
    if (op.size() > 2 && op.substr(op.size() - 2) == "32") {
      size = kSizeW;
      op.remove_suffix(2);
    }
    const AtomicOp* found = nullptr;
    for (const AtomicOp& a : kAtomicOps)
      if (op == a.name) found = &a;
    if (!found) fail("unknown atomic operation " + quoted(word));
    std::string mnemonic = std::string("lock ") + (fetch ? "fetch " : "") + std::string(word);
    std::vector<std::string_view> ops = operands(after);
    expect_operands(mnemonic, ops, 2);
    MemoryOperand mem = memory(ops[0]);
    Instruction insn;
    insn.opcode = static_cast<uint8_t>(kClassStx | kModeAtomic | size);
    insn.dst = mem.base;
    insn.offset = mem.offset;
    insn.src = reg(ops[1]);
    insn.imm = found->imm | (fetch ? kAtomicFetch : 0);
    emit(insn);
  }

  // `lddw %rD, VALUE` or a pseudo form `lddw %rD, NAME[A]+B` (see the header).
  void lddw(uint8_t dst, std::string_view value) {
    Instruction head;
    head.opcode = kOpLddw;
    head.dst = dst;
    Instruction tail;
    size_t open = value.find('[');
    if (open == std::string_view::npos) {
      auto v = static_cast<uint64_t>(imm64(value));
      head.imm = static_cast<int32_t>(static_cast<uint32_t>(v));
      tail.imm = static_cast<int32_t>(static_cast<uint32_t>(v >> 32));
    } else {
      pseudo_lddw(value, open, head, tail);
    }
    emit(head);
    emit(tail);
  }

  void pseudo_lddw(std::string_view value, size_t open, Instruction& head, Instruction& tail) {
    size_t close = value.find(']', open);
    if (close == std::string_view::npos) fail("malformed lddw operand " + quoted(value) + ": missing ']'");
    std::string_view name = trim(value.substr(0, open));
    std::string_view first = trim(value.substr(open + 1, close - open - 1));
    std::string_view second = trim(value.substr(close + 1));
    const LddwForm* form = nullptr;
    for (const LddwForm& f : kLddwForms)
      if (name == f.name) form = &f;
    if (!form) fail("unknown lddw form " + quoted(name));
    head.src = form->src;
    if (form->src == kLddwCode)
      target(first, RefKind::kCode, head);
    else
      head.imm = imm32(first);
    if (!second.empty()) {
      if (second.front() != '+' && second.front() != '-')
        fail("malformed lddw operand " + quoted(value) + ": expected +offset after ']'");
      std::string compact;
      for (char c : second)
        if (!is_space(c)) compact += c;
      tail.imm = imm32(compact);
    }
  }

  // -- directives ------------------------------------------------------------

  // `.rodata NAME HEX...`, `.data NAME HEX...`, `.bss NAME SIZE`. Sections are
  // numbered in order of first appearance; naming a section again appends.
  void directive(std::string_view text) {
    std::vector<std::string_view> w = words(text);
    std::string_view kind_name = w[0].substr(1);
    if (kind_name == "pointer") return pointer_directive(w);
    SectionKind kind;
    if (kind_name == "rodata")
      kind = SectionKind::kRodata;
    else if (kind_name == "data")
      kind = SectionKind::kData;
    else if (kind_name == "bss")
      kind = SectionKind::kBss;
    else
      fail("unknown directive " + quoted(w[0]));
    if (w.size() < 2) fail(quoted(w[0]) + " needs a section name");
    DataSection& section = find_or_add_section(w[1], kind);
    if (kind == SectionKind::kBss) {
      if (w.size() != 3) fail("'.bss' takes a name and a size");
      Number n = number(w[2], "a size");
      if (n.negative || n.overflow || n.magnitude > (uint64_t{1} << 32))
        fail("section size " + std::string(w[2]) + " is out of range");
      section.bytes.resize(section.bytes.size() + n.magnitude, 0);
      return;
    }
    for (size_t i = 2; i < w.size(); ++i) append_hex(w[i], section.bytes);
  }

  // `.pointer NAME TARGET+OFFSET`: NAME must exist and end at a multiple of 8.
  void pointer_directive(const std::vector<std::string_view>& w) {
    if (w.size() != 3) fail("'.pointer' takes a section name and TARGET+OFFSET or null");
    size_t index = program_.sections.size();
    for (size_t i = 0; i < program_.sections.size(); ++i)
      if (program_.sections[i].name == w[1]) index = i;
    if (index == program_.sections.size()) fail("'.pointer' names section " + quoted(w[1]) + ", not declared before");
    DataSection& section = program_.sections[index];
    if (section.kind == SectionKind::kBss && w[2] != "null") fail("'.pointer' in a .bss section can only be null");
    if (section.bytes.size() % 8 != 0) fail("'.pointer' at offset " + std::to_string(section.bytes.size()) +
                                            " of " + quoted(w[1]) + ", which is not a multiple of 8");
    DataPointer ptr;
    ptr.at = section.bytes.size();
    std::string target;
    if (w[2] != "null") {
      const size_t plus = w[2].find('+');
      if (plus == std::string_view::npos || plus == 0) fail("'.pointer' target " + quoted(w[2]) + " is not TARGET+OFFSET");
      target = std::string(w[2].substr(0, plus));
      Number n = number(w[2].substr(plus + 1), "an offset");
      if (n.negative || n.overflow || n.magnitude > UINT32_MAX) fail("pointer offset " + quoted(w[2]) + " is out of range");
      ptr.offset = n.magnitude;
    }
    section.bytes.resize(section.bytes.size() + 8, 0);
    section.pointers.push_back(ptr);
    pointer_refs_.push_back({index, section.pointers.size() - 1, line_, target});
  }

  void resolve_pointers() {
    for (const PointerRef& ref : pointer_refs_) {
      if (ref.target.empty()) continue;
      line_ = ref.line;
      DataPointer& ptr = program_.sections[ref.section].pointers[ref.slot];
      for (size_t i = 0; i < program_.sections.size(); ++i)
        if (program_.sections[i].name == ref.target) ptr.target = static_cast<uint32_t>(i);
      if (ptr.target == DataPointer::kNull) fail("'.pointer' target " + quoted(ref.target) + " is not a section");
      if (ptr.offset > program_.sections[ptr.target].bytes.size())
        fail("'.pointer' offset " + std::to_string(ptr.offset) + " is past the end of " + quoted(ref.target));
    }
  }

  DataSection& find_or_add_section(std::string_view name, SectionKind kind) {
    for (DataSection& s : program_.sections) {
      if (s.name != name) continue;
      if (s.kind != kind) fail("section " + quoted(name) + " was declared with another kind");
      return s;
    }
    DataSection s;
    s.name = std::string(name);
    s.kind = kind;
    program_.sections.push_back(std::move(s));
    return program_.sections.back();
  }

  void append_hex(std::string_view group, std::vector<uint8_t>& out) const {
    if (group.size() % 2 != 0) fail("hex bytes " + quoted(group) + " have an odd number of digits");
    for (size_t i = 0; i < group.size(); i += 2) {
      uint8_t byte = 0;
      auto [ptr, ec] = std::from_chars(group.data() + i, group.data() + i + 2, byte, 16);
      if (ptr != group.data() + i + 2 || ec != std::errc()) fail("bad hex bytes " + quoted(group));
      out.push_back(byte);
    }
  }

  // -- after the last line ---------------------------------------------------

  // The suite's assembler defines `exit` at the first exit instruction unless
  // the program has its own `exit:` label; its tests rely on it.
  std::optional<size_t> label_pc(const std::string& name) const {
    auto it = labels_.find(name);
    if (it != labels_.end()) return it->second.first;
    if (name == "exit") return first_exit_;
    return std::nullopt;
  }

  void resolve_labels() {
    for (const LabelRef& ref : refs_) {
      line_ = ref.line;
      std::optional<size_t> target = label_pc(ref.label);
      if (!target) fail("undefined label " + quoted(ref.label));
      int64_t displacement = static_cast<int64_t>(*target) - static_cast<int64_t>(ref.pc) - 1;
      Instruction& insn = program_.insns[ref.pc];
      if (ref.kind == RefKind::kBranch) {
        if (displacement < INT16_MIN || displacement > INT16_MAX)
          fail("jump to " + quoted(ref.label) + " is " + std::to_string(displacement) +
               " slots away, too far for a 16-bit offset");
        insn.offset = static_cast<int16_t>(displacement);
      } else {
        if (displacement < INT32_MIN || displacement > INT32_MAX)
          fail("target " + quoted(ref.label) + " is too far for a 32-bit displacement");
        insn.imm = static_cast<int32_t>(displacement);
      }
    }
  }

  // Labels name the functions they start: call targets first, so that
  // `call local f` names its function `f` even when another label shares
  // the pc. validate() keeps only the names of real function entries.
  void name_functions() {
    for (const LabelRef& ref : refs_)
      if (ref.kind == RefKind::kCall) add_function_name(ref.label);
    for (const std::string& name : label_order_) add_function_name(name);
  }

  void add_function_name(const std::string& name) {
    std::optional<size_t> start = label_pc(name);
    if (!start) return;
    for (const Function& f : program_.functions)
      if (f.start == *start) return;
    Function f;
    f.name = name;
    f.start = *start;
    program_.functions.push_back(std::move(f));
  }

  size_t line_of(size_t pc) const {
    const LineInfo* info = program_.line_for(pc);
    return info ? info->line : line_;
  }

  void check() {
    program_.name = file_;
    try {
      validate(program_);
    } catch (const FormatError& e) {
      throw AssemblyError(file_, e.pc() ? line_of(*e.pc()) : line_, e.reason());
    }
  }
};

}  // namespace

AssemblyError::AssemblyError(std::string file, size_t line, const std::string& reason)
    : std::runtime_error(file + ":" + std::to_string(line) + ": error: " + reason),
      file_(std::move(file)),
      line_(line),
      reason_(reason) {}

Program assemble(std::string_view text, const std::string& file_name) { return Assembler(text, file_name).run(); }

}  // namespace sbpf::isa
