// A decoded, validated BPF program: what every later stage consumes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/instruction.h"

namespace sbpf::isa {

// Malformed input: bytecode that cannot be a program. `pc` names the slot
// when the problem belongs to one instruction.
class FormatError : public std::runtime_error {
 public:
  FormatError(std::optional<size_t> pc, const std::string& message);
  std::optional<size_t> pc() const { return pc_; }
  // The message without the "pc N: " prefix.
  const std::string& reason() const { return reason_; }

 private:
  std::optional<size_t> pc_;
  std::string reason_;
};

// A function of the program: the entry function starts at pc 0, every target
// of a local call starts another. A function ends where the next one starts.
struct Function {
  std::string name;
  size_t start = 0;  // first slot
  size_t end = 0;    // one past the last slot
};

enum class SectionKind : uint8_t { kRodata, kData, kBss };

// An 8-byte slot of global data that holds an address in global data: a
// pointer initializer (`const char *names[] = {"a", "b"}`, a struct that
// points to another global). Addresses exist only where an engine lays the
// data out, so the section's bytes hold zeros there and each engine writes
// the address of its own copy of `target`, plus `offset`, into the slot.
struct DataPointer {
  static constexpr uint32_t kNull = UINT32_MAX;
  uint64_t at = 0;              // the slot's byte offset in its section, a multiple of 8
  uint32_t target = kNull;      // index in Program::sections; kNull: a pointer that starts out null
  uint64_t offset = 0;          // into the target, at most its size (one past its end)
  bool operator==(const DataPointer&) const = default;
};

// Global data. `lddw rX, <section index>, <offset>` (pseudo form
// kLddwMapValue) refers to it: first imm = index in Program::sections,
// second imm = byte offset.
struct DataSection {
  std::string name;
  SectionKind kind = SectionKind::kData;
  std::vector<uint8_t> bytes;  // zeros for .bss
  std::vector<DataPointer> pointers = {};  // sorted by `at`, disjoint, inside `bytes`

  // The slot that covers byte `at`, or nullptr.
  const DataPointer* pointer_at(uint64_t at) const;
};

// Source position of the instruction at `pc` (from BTF line info).
struct LineInfo {
  size_t pc = 0;
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string source;  // the text of that line, when known
};

struct Program {
  std::string name;                   // section or file the code came from
  std::vector<Instruction> insns;     // one per 8-byte slot
  std::vector<Function> functions;    // sorted by start; functions[0] is the entry
  std::vector<DataSection> sections;
  std::vector<LineInfo> lines;        // sorted by pc
  // The struct the entry function's parameter points to, from BTF
  // ("bpf_xrp", "context"); empty when the object does not say. Program
  // types are recognised by it when the section name does not tell.
  std::string context_type;

  size_t size() const { return insns.size(); }
  // True for the second slot of an `lddw`, which is not an instruction.
  bool is_lddw_tail(size_t pc) const { return pc < slot_.size() && (slot_[pc] & kLddwTail) != 0; }
  // Some branch, `gotol` or local call lands at pc (validated programs only:
  // validate() finds them as it checks them).
  bool is_jump_target(size_t pc) const { return pc < slot_.size() && (slot_[pc] & kJumpTarget) != 0; }
  // validate() has run (and passed) on the program.
  bool validated() const { return !slot_.empty(); }
  // The 64-bit constant of the `lddw` at `pc`.
  uint64_t lddw_value_at(size_t pc) const { return lddw_value(insns[pc], insns[pc + 1]); }
  // The line info entry that covers `pc` (the last one at or before it).
  const LineInfo* line_for(size_t pc) const;
  // The function that contains `pc`.
  const Function& function_at(size_t pc) const;

 private:
  friend void validate(Program&);
  enum SlotFlag : uint8_t { kLddwTail = 1, kJumpTarget = 2 };
  // Per slot, SlotFlags; filled by validate(). Bytes, not vector<bool>:
  // every pass over the program asks per slot, and the bit arithmetic shows.
  std::vector<uint8_t> slot_;
};

// Splits raw bytecode into slots and validates it. Throws FormatError.
Program decode(std::span<const uint8_t> bytes, std::string name = "");

// Checks every rule of the encoding and the control flow's shape, and
// computes function boundaries. Throws FormatError naming the pc. Run by
// decode(); loaders that build a Program themselves call it once done.
void validate(Program& program);

// The raw bytes of a program, the inverse of decode().
std::vector<uint8_t> encode(const Program& program);

}  // namespace sbpf::isa
