#include "isa/program.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace sbpf::isa {

namespace {

std::string hex8(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

std::string with_pc(std::optional<size_t> pc, const std::string& message) {
  return pc ? "pc " + std::to_string(*pc) + ": " + message : message;
}

// Rules for one instruction in isolation. Returns the reason it is malformed,
// or an empty string.
class SlotChecker {
 public:
  explicit SlotChecker(const Instruction& insn) : i_(insn) {}

  std::string check() {
    switch (i_.cls()) {
      case kClassLd: return check_ld();
      case kClassLdx: return check_ldx();
      case kClassSt: return check_st();
      case kClassStx: return check_stx();
      case kClassAlu:
      case kClassAlu64: return check_alu();
      default: return check_jmp();
    }
  }

 private:
  const Instruction& i_;

  std::string unknown() const { return "unknown opcode " + hex8(i_.opcode); }
  std::string reg(uint8_t r, const char* which) const {
    if (r > 10) return std::string("bad ") + which + " register r" + std::to_string(r);
    return "";
  }
  std::string writable_dst() const {
    if (i_.dst == kFrameRegister) return "r10 is the read-only frame pointer and cannot be written";
    return reg(i_.dst, "destination");
  }
  std::string must_be_zero(const char* field, int64_t value) const {
    if (value == 0) return "";
    return std::string("unused field ") + field + " is " + std::to_string(value) + ", must be 0 for opcode " +
           hex8(i_.opcode);
  }
  static std::string first(std::initializer_list<std::string> reasons) {
    for (const auto& r : reasons)
      if (!r.empty()) return r;
    return "";
  }

  std::string check_ld() {
    if (i_.mode() == kModeAbs || i_.mode() == kModeInd) {
      if (i_.size() == kSizeDW) return unknown();
      return std::string("legacy packet load (") + (i_.mode() == kModeAbs ? "ld_abs" : "ld_ind") +
             ") is not supported: storage programs have no packet";
    }
    if (i_.opcode != kOpLddw) return unknown();
    if (i_.src > kLddwMapIndexValue) return "lddw with unknown source form " + std::to_string(i_.src);
    return first({writable_dst(), must_be_zero("offset", i_.offset)});
  }

  std::string check_ldx() {
    if (i_.mode() == kModeMemSx) {
      if (i_.size() == kSizeDW) return unknown();
    } else if (i_.mode() != kModeMem) {
      return unknown();
    }
    return first({writable_dst(), reg(i_.src, "source"), must_be_zero("imm", i_.imm)});
  }

  std::string check_st() {
    if (i_.mode() != kModeMem) return unknown();
    return first({reg(i_.dst, "destination"), must_be_zero("src", i_.src)});
  }

  std::string check_stx() {
    if (i_.mode() == kModeMem) {
      return first({reg(i_.dst, "destination"), reg(i_.src, "source"), must_be_zero("imm", i_.imm)});
    }
    if (i_.mode() != kModeAtomic) return unknown();
    if (i_.size() != kSizeW && i_.size() != kSizeDW) return unknown();
    switch (i_.imm) {
      case kAtomicAdd: case kAtomicAdd | kAtomicFetch:
      case kAtomicOr: case kAtomicOr | kAtomicFetch:
      case kAtomicAnd: case kAtomicAnd | kAtomicFetch:
      case kAtomicXor: case kAtomicXor | kAtomicFetch:
      case kAtomicXchg:
      case kAtomicCmpxchg: break;
      default: return "unknown atomic operation " + hex8(static_cast<unsigned>(i_.imm));
    }
    return first({reg(i_.dst, "destination"), reg(i_.src, "source")});
  }

  std::string check_alu() {
    const bool is64 = i_.cls() == kClassAlu64;
    const bool by_reg = i_.source() == kSourceX;
    std::string operands = by_reg ? first({reg(i_.src, "source"), must_be_zero("imm", i_.imm)})
                                  : must_be_zero("src", i_.src);
    switch (i_.op()) {
      case kAluNeg:
        if (by_reg) return unknown();
        return first({writable_dst(), must_be_zero("src", i_.src), must_be_zero("offset", i_.offset),
                      must_be_zero("imm", i_.imm)});
      case kAluEnd:
        if (is64 && by_reg) return unknown();  // bswap has no register form
        if (i_.imm != 16 && i_.imm != 32 && i_.imm != 64)
          return "byte swap width must be 16, 32 or 64, not " + std::to_string(i_.imm);
        return first({writable_dst(), must_be_zero("src", i_.src), must_be_zero("offset", i_.offset)});
      case kAluDiv:
      case kAluMod:
        if (i_.offset != 0 && i_.offset != 1)
          return "division offset must be 0 (unsigned) or 1 (signed), not " + std::to_string(i_.offset);
        return first({writable_dst(), operands});
      case kAluMov:
        if (i_.offset != 0) {
          bool ok = by_reg && (i_.offset == 8 || i_.offset == 16 || (is64 && i_.offset == 32));
          if (!ok) return "movsx offset " + std::to_string(i_.offset) + " is not a valid sign-extension width";
        }
        return first({writable_dst(), operands});
      case kAluAdd: case kAluSub: case kAluMul: case kAluOr: case kAluAnd:
      case kAluLsh: case kAluRsh: case kAluXor: case kAluArsh:
        return first({writable_dst(), operands, must_be_zero("offset", i_.offset)});
      default:
        return unknown();
    }
  }

  std::string check_jmp() {
    const bool is32 = i_.cls() == kClassJmp32;
    const bool by_reg = i_.source() == kSourceX;
    switch (i_.op()) {
      case kJmpJa:
        if (by_reg) return unknown();
        if (is32)  // gotol: 32-bit displacement in imm
          return first({must_be_zero("dst", i_.dst), must_be_zero("src", i_.src), must_be_zero("offset", i_.offset)});
        return first({must_be_zero("dst", i_.dst), must_be_zero("src", i_.src), must_be_zero("imm", i_.imm)});
      case kJmpCall:
        if (is32) return unknown();
        if (by_reg) {
          if (i_.imm != 0 && i_.dst != 0) return "callx names its register in both dst and imm";
          if (i_.imm < 0 || i_.imm > 10 || i_.dst > 10)
            return "bad callx register r" + std::to_string(i_.imm != 0 ? i_.imm : i_.dst);
          return first({must_be_zero("src", i_.src), must_be_zero("offset", i_.offset)});
        }
        if (i_.src == kCallKfunc) return "calls to kernel functions (kfuncs) are not supported";
        if (i_.src > kCallKfunc) return "call with unknown source form " + std::to_string(i_.src);
        return first({must_be_zero("dst", i_.dst), must_be_zero("offset", i_.offset)});
      case kJmpExit:
        if (is32 || by_reg) return unknown();
        return first({must_be_zero("dst", i_.dst), must_be_zero("src", i_.src), must_be_zero("offset", i_.offset),
                      must_be_zero("imm", i_.imm)});
      case kJmpJeq: case kJmpJgt: case kJmpJge: case kJmpJset: case kJmpJne: case kJmpJsgt:
      case kJmpJsge: case kJmpJlt: case kJmpJle: case kJmpJslt: case kJmpJsle:
        if (by_reg) return first({reg(i_.dst, "destination"), reg(i_.src, "source"), must_be_zero("imm", i_.imm)});
        return first({reg(i_.dst, "destination"), must_be_zero("src", i_.src)});
      default:
        return unknown();
    }
  }
};

}  // namespace

FormatError::FormatError(std::optional<size_t> pc, const std::string& message)
    : std::runtime_error(with_pc(pc, message)), pc_(pc), reason_(message) {}


const LineInfo* Program::line_for(size_t pc) const {
  auto it = std::upper_bound(lines.begin(), lines.end(), pc,
                             [](size_t p, const LineInfo& l) { return p < l.pc; });
  if (it == lines.begin()) return nullptr;
  return &*std::prev(it);
}

const Function& Program::function_at(size_t pc) const {
  auto it = std::upper_bound(functions.begin(), functions.end(), pc,
                             [](size_t p, const Function& f) { return p < f.start; });
  return *std::prev(it);
}

const DataPointer* DataSection::pointer_at(uint64_t at) const {
  auto it = std::upper_bound(pointers.begin(), pointers.end(), at,
                             [](uint64_t a, const DataPointer& ptr) { return a < ptr.at; });
  if (it == pointers.begin()) return nullptr;
  --it;
  return at - it->at < 8 ? &*it : nullptr;
}

void validate(Program& p) {
  // A program that fails is not validated(), whatever was marked before.
  struct UnmarkUnlessPassed {
    Program& p;
    bool passed = false;
    ~UnmarkUnlessPassed() {
      if (!passed) p.slot_.clear();
    }
  } unmark{p};
  const size_t n = p.insns.size();
  if (n == 0) throw FormatError(std::nullopt, "program has no instructions");

  // Pass 1: each slot on its own, and where the lddw tails are.
  p.slot_.assign(n, 0);
  for (size_t pc = 0; pc < n; ++pc) {
    const Instruction& insn = p.insns[pc];
    std::string reason = SlotChecker(insn).check();
    if (!reason.empty()) throw FormatError(pc, reason);
    if (!insn.is_lddw()) continue;
    if (pc + 1 >= n) throw FormatError(pc, "lddw is cut in half: its second slot is missing");
    const Instruction& tail = p.insns[pc + 1];
    if (tail.opcode != 0 || tail.dst != 0 || tail.src != 0 || tail.offset != 0)
      throw FormatError(pc + 1, "second slot of lddw must have only an immediate, found opcode " + hex8(tail.opcode));
    if (insn.src == kLddwMapValue) {
      auto index = static_cast<uint32_t>(insn.imm);
      auto offset = static_cast<uint32_t>(tail.imm);
      if (index >= p.sections.size())
        throw FormatError(pc, "lddw refers to data section " + std::to_string(index) + " but the program has " +
                                  std::to_string(p.sections.size()));
      if (offset > p.sections[index].bytes.size())
        throw FormatError(pc, "lddw offset " + std::to_string(offset) + " is past the end of section " +
                                  p.sections[index].name);
    }
    p.slot_[++pc] = Program::kLddwTail;
  }

  // Global data's address slots: in their section, apart, pointing into one.
  for (const DataSection& section : p.sections) {
    uint64_t end = 0;
    for (const DataPointer& ptr : section.pointers) {
      const std::string where = "pointer at " + section.name + "+" + std::to_string(ptr.at);
      if (ptr.at % 8 != 0 || ptr.at < end || ptr.at > section.bytes.size() || section.bytes.size() - ptr.at < 8)
        throw FormatError(std::nullopt, where + " is not an aligned 8-byte slot of its own inside the section");
      if (section.kind == SectionKind::kBss && ptr.target != DataPointer::kNull)
        throw FormatError(std::nullopt, where + ": a .bss section starts out zero, it holds no address");
      if (ptr.target != DataPointer::kNull &&
          (ptr.target >= p.sections.size() || ptr.offset > p.sections[ptr.target].bytes.size()))
        throw FormatError(std::nullopt, where + " points outside the program's data sections");
      end = ptr.at + 8;
    }
  }

  // Pass 2: control flow. Every target is a real instruction; local calls
  // name function entries.
  std::set<size_t> starts{0};
  for (size_t pc = 0; pc < n; ++pc) {
    if (p.is_lddw_tail(pc)) continue;
    const Instruction& insn = p.insns[pc];
    if (insn.is_branch() || insn.opcode == kOpGotol || insn.is_local_call()) {
      int64_t target = insn.is_local_call() ? static_cast<int64_t>(pc) + 1 + insn.imm : insn.jump_target(pc);
      const char* what = insn.is_local_call() ? "call" : "jump";
      if (target < 0 || target >= static_cast<int64_t>(n))
        throw FormatError(pc, std::string(what) + " to pc " + std::to_string(target) + " is outside the program (" +
                                  std::to_string(n) + " slots)");
      if (p.is_lddw_tail(static_cast<size_t>(target)))
        throw FormatError(pc, std::string(what) + " to pc " + std::to_string(target) +
                                  " lands in the middle of an lddw");
      p.slot_[static_cast<size_t>(target)] |= Program::kJumpTarget;
      if (insn.is_local_call()) starts.insert(static_cast<size_t>(target));
    }
  }

  // Keep names that a loader gave; name the rest by their entry pc.
  std::vector<Function> named = std::move(p.functions);
  p.functions.clear();
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    Function f;
    f.start = *it;
    f.end = std::next(it) == starts.end() ? n : *std::next(it);
    auto same = std::find_if(named.begin(), named.end(), [&](const Function& g) { return g.start == f.start; });
    f.name = same != named.end() && !same->name.empty() ? same->name
             : f.start == 0 ? std::string("main")
                            : "func_" + std::to_string(f.start);
    p.functions.push_back(f);
  }

  // Pass 3: no jump leaves its function, and no function runs off its end.
  for (const Function& f : p.functions) {
    for (size_t pc = f.start; pc < f.end; ++pc) {
      const Instruction& insn = p.insns[pc];
      if (p.is_lddw_tail(pc) || !(insn.is_branch() || insn.opcode == kOpGotol)) continue;
      auto target = static_cast<size_t>(insn.jump_target(pc));
      if (target < f.start || target >= f.end)
        throw FormatError(pc, "jump to pc " + std::to_string(target) + " leaves function " + f.name);
    }
    size_t last = p.is_lddw_tail(f.end - 1) ? f.end - 2 : f.end - 1;
    if (!p.insns[last].ends_block_unconditionally())
      throw FormatError(last, f.end == n ? "execution can fall off the end of the program"
                                         : "execution can fall through from " + f.name + " into the next function");
  }
  unmark.passed = true;
}

Program decode(std::span<const uint8_t> bytes, std::string name) {
  if (bytes.size() % kSlotBytes != 0)
    throw FormatError(std::nullopt, "truncated program: " + std::to_string(bytes.size()) +
                                        " bytes is not a whole number of 8-byte instructions");
  Program p;
  p.name = std::move(name);
  p.insns.reserve(bytes.size() / kSlotBytes);
  for (size_t off = 0; off < bytes.size(); off += kSlotBytes) p.insns.push_back(decode_slot(&bytes[off]));
  validate(p);
  return p;
}

std::vector<uint8_t> encode(const Program& program) {
  std::vector<uint8_t> out(program.insns.size() * kSlotBytes);
  for (size_t pc = 0; pc < program.insns.size(); ++pc) encode(program.insns[pc], &out[pc * kSlotBytes]);
  return out;
}

}  // namespace sbpf::isa
