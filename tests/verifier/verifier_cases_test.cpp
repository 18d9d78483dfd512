// The verifier's behaviour as data: every `*.cases` file in
// tests/verifier/cases/ is a list of small programs in sbpf assembly, each
// with the verdict, the first diagnostic and the annotations the verifier
// must produce. One GoogleTest case per program, named FILE_CASE. Adding a
// case needs no C++: append it to the file of the rule it exercises.
//
//   # comments start with # (outside `--- asm`, also after a value)
//   === uninitialised register read in an add
//   type: lambda            # lambda | xrp | memory (verifier::program_type_named)
//   options: strict         # optional; space-separated: strict, prove, loop-budget=N
//   --- asm
//       mov %r0, 0
//       add %r0, %r3
//       exit
//   --- expect
//   verdict: rejected       # accepted | rejected | invalid
//   rule: uninitialized     # rejected only: verifier::rule_name of the FIRST diagnostic
//   pc: 1                   # optional: pc of the first diagnostic
//   message: r3 is read before it is written   # optional: substring of the first diagnostic
//   guards: 0               # optional: exact statistics.accesses_guarded
//   counted: 0              # optional: exact statistics.back_edges_counted
//   annotations: 3=proven 5=guarded 7=free 9=counted   # optional: per pc
//
// `verdict: invalid` means isa::assemble refuses the text (bad syntax, or a
// program isa::validate rejects, such as a kfunc call); only `message:` (a
// substring of the assembler's error) may follow it. The assembly is
// assembled with line numbers of the case file, so its errors and line info
// point into the case file.
//
// The parser is strict: an unknown key, a repeated key, a missing section or
// a value that does not parse fails the test `FILE_malformed` with file:line,
// so a typo never turns a case into one that checks nothing.
// The format is also described in tests/verifier/cases/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "isa/assembler.h"
#include "verifier/verifier.h"
#if SBPF_WITH_Z3
#include "verifier/z3_guard_prover.h"
#endif

#ifndef SBPF_VERIFIER_CASES_DIR
#error "SBPF_VERIFIER_CASES_DIR must name tests/verifier/cases"
#endif

namespace sbpf::verifier {
namespace {

namespace fs = std::filesystem;

enum class Verdict { kAccepted, kRejected, kInvalid };

struct ExpectedMark {
  size_t pc = 0;
  std::string kind;  // proven | guarded | free | counted
};

struct Case {
  std::string test_name;  // FILE_CASE, for GoogleTest
  std::string file;
  size_t line = 0;        // of the `===` line
  std::string name;
  std::string parse_error;  // set: the file is malformed and this "case" reports it

  std::string type;
  Options options;
  bool needs_prover = false;  // `options: prove` in a build without Z3
  std::string assembly;   // padded with newlines so that its lines are the file's
  Verdict verdict = Verdict::kAccepted;
  std::optional<std::string> rule;
  std::optional<size_t> pc;
  std::optional<std::string> message;
  std::optional<size_t> guards;
  std::optional<size_t> counted;
  std::vector<ExpectedMark> annotations;
};

// GoogleTest prints the parameter with this; keep it short.
void PrintTo(const Case& c, std::ostream* os) {
  if (!c.parse_error.empty()) *os << c.parse_error;
  else *os << c.file << ":" << c.line << ": " << c.name;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

// A `#` at the start of a line or after a blank starts a comment.
std::string strip_comment(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) return trim(s.substr(0, i));
  return trim(s);
}

std::optional<uint64_t> parse_number(std::string_view s) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string identifier(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (ok) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

class ParseError : public std::runtime_error {
 public:
  ParseError(size_t line, const std::string& message) : std::runtime_error(message), line(line) {}
  size_t line;
};

class CaseFileParser {
 public:
  explicit CaseFileParser(fs::path path) : path_(std::move(path)), stem_(identifier(path_.stem().string())) {}

  std::vector<Case> parse() {
    std::ifstream in(path_);
    if (!in) fail(0, "cannot read the file");
    std::string text;
    while (std::getline(in, text)) {
      ++line_;
      handle(text);
    }
    finish_case();
    if (cases_.empty()) fail(line_, "no cases (a case starts with `=== NAME`)");
    return std::move(cases_);
  }

 private:
  enum class Section { kNone, kHeader, kAsm, kExpect };

  [[noreturn]] void fail(size_t line, const std::string& why) const {
    throw ParseError(line, path_.string() + ":" + std::to_string(line) + ": error: " + why);
  }

  void handle(const std::string& raw) {
    if (raw.rfind("===", 0) == 0) {
      finish_case();
      start_case(trim(std::string_view(raw).substr(3)));
      return;
    }
    if (raw.rfind("---", 0) == 0) {
      const std::string what = strip_comment(std::string_view(raw).substr(3));
      if (section_ == Section::kNone) fail(line_, "`--- " + what + "` outside a case");
      if (what == "asm") {
        if (section_ != Section::kHeader) fail(line_, "`--- asm` must follow the case's header, once");
        if (!current_.has_type) fail(line_, "the case has no `type:` line");
        section_ = Section::kAsm;
        current_.c.assembly = std::string(line_, '\n');  // keep the file's line numbers
        return;
      }
      if (what == "expect") {
        if (section_ != Section::kAsm) fail(line_, "`--- expect` must follow `--- asm`, once");
        section_ = Section::kExpect;
        return;
      }
      fail(line_, "unknown section `--- " + what + "` (expected `--- asm` or `--- expect`)");
    }
    if (section_ == Section::kAsm) {
      current_.c.assembly += raw + "\n";
      current_.asm_lines += trim(raw).empty() ? 0 : 1;
      return;
    }
    const std::string text = strip_comment(raw);
    if (text.empty()) return;
    if (section_ == Section::kNone) fail(line_, "text outside a case (a case starts with `=== NAME`)");
    const auto colon = text.find(':');
    if (colon == std::string::npos) fail(line_, "expected `key: value`, found `" + text + "`");
    const std::string key = trim(std::string_view(text).substr(0, colon));
    const std::string value = trim(std::string_view(text).substr(colon + 1));
    if (!current_.keys.insert(key).second) fail(line_, "`" + key + "` given twice in one case");
    if (section_ == Section::kHeader) header(key, value);
    else expect(key, value);
  }

  void start_case(const std::string& name) {
    if (name.empty()) fail(line_, "`===` needs a case name");
    current_ = {};
    current_.c.file = path_.string();
    current_.c.line = line_;
    current_.c.name = name;
    const std::string id = identifier(name);
    if (id.empty()) fail(line_, "case name `" + name + "` has no letters or digits");
    current_.c.test_name = stem_ + "_" + id;
    if (!names_.insert(current_.c.test_name).second)
      fail(line_, "case name `" + name + "` repeats an earlier one in this file (test name " + current_.c.test_name + ")");
    section_ = Section::kHeader;
  }

  void header(const std::string& key, const std::string& value) {
    Case& c = current_.c;
    if (key == "type") {
      if (!program_type_named(value)) fail(line_, "unknown program type `" + value + "` (lambda, xrp or memory)");
      c.type = value;
      current_.has_type = true;
    } else if (key == "options") {
      std::istringstream words(value);
      std::string w;
      while (words >> w) {
        if (w == "strict") {
          c.options.strict = true;
        } else if (w == "prove") {
#if SBPF_WITH_Z3
          c.options.prover = make_z3_guard_prover;
#else
          c.needs_prover = true;
#endif
        } else if (w.rfind("loop-budget=", 0) == 0) {
          const auto n = parse_number(std::string_view(w).substr(12));
          if (!n) fail(line_, "loop-budget needs a number, found `" + w + "`");
          c.options.loop_budget = *n;
        } else {
          fail(line_, "unknown option `" + w + "` (strict, prove, loop-budget=N)");
        }
      }
    } else {
      fail(line_, "unknown header key `" + key + "` (type, options)");
    }
  }

  size_t number(const std::string& key, const std::string& value) {
    const auto n = parse_number(value);
    if (!n) fail(line_, "`" + key + "` needs a number, found `" + value + "`");
    return static_cast<size_t>(*n);
  }

  void expect(const std::string& key, const std::string& value) {
    Case& c = current_.c;
    if (key != "verdict" && !current_.keys.count("verdict"))
      fail(line_, "`verdict:` must come first in `--- expect`");
    if (key == "verdict") {
      if (value == "accepted") c.verdict = Verdict::kAccepted;
      else if (value == "rejected") c.verdict = Verdict::kRejected;
      else if (value == "invalid") c.verdict = Verdict::kInvalid;
      else fail(line_, "verdict must be accepted, rejected or invalid, not `" + value + "`");
      return;
    }
    if (c.verdict == Verdict::kInvalid && key != "message")
      fail(line_, "`" + key + "` makes no sense for `verdict: invalid` (only `message:` does)");
    if (key == "rule") {
      if (c.verdict != Verdict::kRejected) fail(line_, "`rule:` only goes with `verdict: rejected`");
      bool known = false;
      for (int r = 0; r <= static_cast<int>(Rule::kUnboundedLoop); ++r) known |= value == rule_name(static_cast<Rule>(r));
      if (!known) fail(line_, "unknown rule `" + value + "` (see verifier::rule_name)");
      c.rule = value;
    } else if (key == "pc") {
      if (c.verdict != Verdict::kRejected) fail(line_, "`pc:` only goes with `verdict: rejected`");
      c.pc = number(key, value);
    } else if (key == "message") {
      if (c.verdict == Verdict::kAccepted) fail(line_, "`message:` does not go with `verdict: accepted`");
      if (value.empty()) fail(line_, "`message:` needs text");
      c.message = value;
    } else if (key == "guards") {
      c.guards = number(key, value);
    } else if (key == "counted") {
      c.counted = number(key, value);
    } else if (key == "annotations") {
      std::istringstream words(value);
      std::string w;
      std::set<size_t> seen;
      while (words >> w) {
        const auto eq = w.find('=');
        if (eq == std::string::npos) fail(line_, "annotation `" + w + "` is not PC=KIND");
        const auto pc = parse_number(std::string_view(w).substr(0, eq));
        const std::string kind = w.substr(eq + 1);
        if (!pc) fail(line_, "annotation `" + w + "` needs a number before `=`");
        if (kind != "proven" && kind != "guarded" && kind != "unreached" && kind != "free" && kind != "counted")
          fail(line_, "annotation kind `" + kind + "` is not proven, guarded, unreached, free or counted");
        if (!seen.insert(static_cast<size_t>(*pc)).second) fail(line_, "pc " + std::to_string(*pc) + " annotated twice");
        c.annotations.push_back({static_cast<size_t>(*pc), kind});
      }
      if (c.annotations.empty()) fail(line_, "`annotations:` needs at least one PC=KIND");
    } else {
      fail(line_, "unknown expectation `" + key + "` (verdict, rule, pc, message, guards, counted, annotations)");
    }
  }

  void finish_case() {
    if (section_ == Section::kNone) return;
    const size_t at = current_.c.line;
    if (section_ == Section::kHeader) fail(at, "case `" + current_.c.name + "` has no `--- asm` section");
    if (section_ == Section::kAsm) fail(at, "case `" + current_.c.name + "` has no `--- expect` section");
    if (current_.asm_lines == 0) fail(at, "case `" + current_.c.name + "` has no instructions");
    if (!current_.keys.count("verdict")) fail(at, "case `" + current_.c.name + "` has no `verdict:`");
    if (current_.c.verdict == Verdict::kRejected && !current_.c.rule)
      fail(at, "case `" + current_.c.name + "` is rejected but names no `rule:`");
    cases_.push_back(std::move(current_.c));
    section_ = Section::kNone;
  }

  struct Pending {
    Case c;
    bool has_type = false;
    size_t asm_lines = 0;
    std::set<std::string> keys;
  };

  fs::path path_;
  std::string stem_;
  size_t line_ = 0;
  Section section_ = Section::kNone;
  Pending current_;
  std::set<std::string> names_;
  std::vector<Case> cases_;
};

std::vector<Case> load_cases() {
  const fs::path dir = SBPF_VERIFIER_CASES_DIR;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".cases") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Case> all;
  if (files.empty()) {
    Case c;
    c.test_name = "no_case_files";
    c.file = dir.string();
    c.parse_error = dir.string() + ": error: no *.cases files found";
    all.push_back(c);
    return all;
  }
  for (const fs::path& f : files) {
    try {
      for (Case& c : CaseFileParser(f).parse()) all.push_back(std::move(c));
    } catch (const ParseError& e) {
      // The whole file is suspect: one failing test names the problem.
      Case c;
      c.test_name = identifier(f.stem().string()) + "_malformed";
      c.file = f.string();
      c.line = e.line;
      c.parse_error = e.what();
      all.push_back(c);
    }
  }
  return all;
}

// ---- checking one case ----

const char* mark_of(const VerificationResult& r, size_t pc) {
  if (pc < r.annotations.access.size()) {
    switch (r.annotations.access[pc].check) {
      case AccessCheck::kProven: return "proven";
      case AccessCheck::kGuarded: return "guarded";
      case AccessCheck::kUnreached: return "unreached";
      case AccessCheck::kNone: break;
    }
  }
  if (pc < r.annotations.back_edge.size()) {
    switch (r.annotations.back_edge[pc]) {
      case BackEdge::kFree: return "free";
      case BackEdge::kCounted: return "counted";
      case BackEdge::kNone: break;
    }
  }
  return "none";
}

// What the verifier said, in the case format, for copying into a case.
std::string describe(const VerificationResult& r) {
  std::ostringstream out;
  out << "the verifier said:\n  verdict: " << (r.accepted ? "accepted" : "rejected") << "\n";
  for (const Diagnostic& d : r.diagnostics)
    out << "  diagnostic: pc " << d.pc << " [" << rule_name(d.rule) << "] " << d.message << "\n";
  out << "  guards: " << r.statistics.accesses_guarded << "\n  counted: " << r.statistics.back_edges_counted << "\n";
  std::string marks;
  for (size_t pc = 0; pc < r.annotations.access.size(); ++pc)
    if (std::string_view m = mark_of(r, pc); m != "none") marks += " " + std::to_string(pc) + "=" + std::string(m);
  out << "  annotations:" << (marks.empty() ? " (none)" : marks) << "\n";
  return out.str();
}

class VerifierCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(VerifierCaseTest, Holds) {
  const Case& c = GetParam();
  const char* file = c.file.c_str();
  const int line = static_cast<int>(c.line);
  if (!c.parse_error.empty()) {
    ADD_FAILURE_AT(file, line) << c.parse_error;
    return;
  }

  std::optional<isa::Program> program;
  try {
    program = isa::assemble(c.assembly, c.file);
  } catch (const isa::AssemblyError& e) {
    if (c.verdict != Verdict::kInvalid) {
      ADD_FAILURE_AT(file, line) << "case `" << c.name << "`: the assembly does not assemble:\n  " << e.what();
    } else if (c.message && std::string_view(e.what()).find(*c.message) == std::string_view::npos) {
      ADD_FAILURE_AT(file, line) << "case `" << c.name << "`: the assembler's error\n  " << e.what()
                                 << "\ndoes not contain\n  " << *c.message;
    }
    return;
  }
  if (c.verdict == Verdict::kInvalid) {
    ADD_FAILURE_AT(file, line) << "case `" << c.name << "` expects the assembler to refuse it, but it assembled";
    return;
  }

  if (c.needs_prover) GTEST_SKIP() << "this build has no prover (SBPF_WITH_Z3 is off)";
  const ProgramType type = *program_type_named(c.type);
  const VerificationResult r = verify(*program, type, c.options);
  const std::string said = describe(r);
  const std::string where = "case `" + c.name + "`: ";

  const bool want_accepted = c.verdict == Verdict::kAccepted;
  if (r.accepted != want_accepted) {
    ADD_FAILURE_AT(file, line) << where << "expected " << (want_accepted ? "accepted" : "rejected") << "\n" << said;
    return;
  }
  if (!r.accepted) {
    const Diagnostic& first = r.diagnostics.front();
    if (c.rule && *c.rule != rule_name(first.rule))
      ADD_FAILURE_AT(file, line) << where << "expected rule " << *c.rule << ", got " << rule_name(first.rule) << "\n"
                                 << said;
    if (c.pc && *c.pc != first.pc)
      ADD_FAILURE_AT(file, line) << where << "expected the first diagnostic at pc " << *c.pc << ", got pc "
                                 << first.pc << "\n" << said;
    if (c.message && first.message.find(*c.message) == std::string::npos)
      ADD_FAILURE_AT(file, line) << where << "the first diagnostic does not contain\n  " << *c.message << "\n"
                                 << said;
  }
  if (c.guards && *c.guards != r.statistics.accesses_guarded)
    ADD_FAILURE_AT(file, line) << where << "expected " << *c.guards << " guarded accesses, got "
                               << r.statistics.accesses_guarded << "\n" << said;
  if (c.counted && *c.counted != r.statistics.back_edges_counted)
    ADD_FAILURE_AT(file, line) << where << "expected " << *c.counted << " counted backward jumps, got "
                               << r.statistics.back_edges_counted << "\n" << said;
  for (const ExpectedMark& m : c.annotations) {
    if (m.pc >= program->size()) {
      ADD_FAILURE_AT(file, line) << where << "annotation for pc " << m.pc << ", but the program has "
                                 << program->size() << " slots";
      continue;
    }
    const std::string got = mark_of(r, m.pc);
    if (got != m.kind)
      ADD_FAILURE_AT(file, line) << where << "expected pc " << m.pc << " " << m.kind << ", got " << got << "\n"
                                 << said;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, VerifierCaseTest, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.test_name; });

}  // namespace
}  // namespace sbpf::verifier
