// Differential testing on real compiler output: csmith's random C programs,
// each compiled by clang to BPF and to its native twin, verified, and run on
// every engine (engine_agreement.h). Each engine must write the checksum the
// twin computes. A program the toolchain refuses is counted by reason; a
// crash, a disagreement, a soundness report from paranoid mode or a guard
// that fires is a bug, listed with its seed.
//
//   csmith_differential --seeds FIRST:LAST [--findings DIR] [--keep] ...
//
// With --emit-corpus DIR it also writes, for each program whose engines
// agreed, its image and what the interpreter gave (csmith_corpus.h): the
// corpus the device build checks its own engines on.
//
// Exit status: 0 no bug, 1 bugs, 2 bad usage or a harness that cannot run.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "frontend/clang_driver.h"
#include "isa/machine_limits.h"
#include "tests/csmith/child_process.h"
#include "tests/csmith/csmith_corpus.h"
#include "tests/csmith/csmith_program.h"
#include "tests/csmith/engine_agreement.h"
#include "tests/csmith/native_checksum.h"

namespace sbpf::csmith {
namespace {

constexpr const char* kUsage =
    "usage: csmith_differential --seeds FIRST:LAST [options]\n"
    "\n"
    "Generates csmith's program for each seed, compiles it to BPF and to its native\n"
    "twin, verifies it (with and without --prove) and runs it on the interpreter in\n"
    "paranoid mode and on the JIT; every engine must write the twin's checksum.\n"
    "\n"
    "  --profile P          pointers (csmith's programs), scalars (programs without\n"
    "                       pointers) or mixed (the default: odd seeds pointers,\n"
    "                       even seeds scalars)\n"
    "  --work DIR           where programs are made (default: a new directory in\n"
    "                       $TMPDIR, removed at the end unless it holds a bug)\n"
    "  --keep               keep every program's files, not only those of bugs\n"
    "  --findings DIR       copy each bug's program and report into DIR\n"
    "  --native-limit MS    run no engine on a program whose twin takes longer\n"
    "                       (default 2000); it is still verified\n"
    "  --check-limit S      time for verifying and running one program (default 900)\n"
    "  --reference-limit MS time for csmith's own -O0 build of a program whose\n"
    "                       engines disagree with its twin (default 20000); one\n"
    "                       that takes longer is taken for endless (undefined)\n"
    "  --prove-timeout MS   Z3's time per guard for --prove (default 1000)\n"
    "  --prove-every N      --prove (and its two engines) only for seeds that are a\n"
    "                       multiple of N (default 1: every seed; 0: none); it costs\n"
    "                       the most\n"
    "  --loop-budget N      backward jumps an invocation may take through loops the\n"
    "                       verifier did not bound (default: λ-IO's); a small one\n"
    "                       makes programs that abort alike on every engine\n"
    "  --emit-corpus DIR    for each program whose engines agree (or run out of loop\n"
    "                       budget alike), write its program image and what the\n"
    "                       interpreter gave into DIR: the device's corpus\n"
    "  --quiet              print bugs and the summary only\n"
    "  --min-agreed P       also fail unless P% of the programs whose twin ends\n"
    "                       agree on every engine (a guard against a toolchain\n"
    "                       that starts rejecting what it accepted)\n"
    "Exit status: 0 no bug, 1 bugs found (or too few agreed), 2 bad usage or the\n"
    "harness cannot run.\n";

constexpr size_t kMaxLineBytes = 2000;

struct Settings {
  uint64_t first_seed = 0;
  uint64_t last_seed = 0;
  std::string work_dir;
  bool work_dir_given = false;
  bool keep = false;
  std::string findings_dir;
  std::chrono::milliseconds native_limit{2000};
  std::chrono::seconds check_limit{900};
  std::chrono::milliseconds reference_limit{20000};
  unsigned prove_timeout_ms = 1000;
  uint64_t prove_every = 1;  // 0: never
  uint64_t loop_budget = isa::kDefaultLoopBudget;
  std::string corpus_dir;
  std::optional<Profile> profile;  // nullopt: both, by turns
  bool quiet = false;
  std::optional<double> min_agreed;  // percent of the programs whose twin ends
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "csmith_differential: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

uint64_t parse_number(const std::string& text, const char* what) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') usage_error(std::string("bad ") + what + ": '" + text + "'");
  return value;
}

Settings parse_settings(int argc, char** argv) {
  Settings s;
  bool seeds_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--seeds") {
      const std::string range = value();
      const size_t colon = range.find(':');
      if (colon == std::string::npos) usage_error("--seeds takes FIRST:LAST");
      s.first_seed = parse_number(range.substr(0, colon), "first seed");
      s.last_seed = parse_number(range.substr(colon + 1), "last seed");
      if (s.last_seed < s.first_seed) usage_error("--seeds: LAST is below FIRST");
      seeds_given = true;
    } else if (arg == "--profile") {
      const std::string name = value();
      if (name == "pointers") s.profile = Profile::kPointers;
      else if (name == "scalars") s.profile = Profile::kScalars;
      else if (name != "mixed") usage_error("--profile is pointers, scalars or mixed");
    } else if (arg == "--work") {
      s.work_dir = value();
      s.work_dir_given = true;
    } else if (arg == "--keep") {
      s.keep = true;
    } else if (arg == "--findings") {
      s.findings_dir = value();
    } else if (arg == "--native-limit") {
      s.native_limit = std::chrono::milliseconds(parse_number(value(), "--native-limit"));
    } else if (arg == "--check-limit") {
      s.check_limit = std::chrono::seconds(parse_number(value(), "--check-limit"));
    } else if (arg == "--reference-limit") {
      s.reference_limit = std::chrono::milliseconds(parse_number(value(), "--reference-limit"));
    } else if (arg == "--prove-timeout") {
      s.prove_timeout_ms = static_cast<unsigned>(parse_number(value(), "--prove-timeout"));
    } else if (arg == "--prove-every") {
      s.prove_every = parse_number(value(), "--prove-every");
    } else if (arg == "--loop-budget") {
      s.loop_budget = parse_number(value(), "--loop-budget");
    } else if (arg == "--emit-corpus") {
      s.corpus_dir = value();
    } else if (arg == "--min-agreed") {
      s.min_agreed = static_cast<double>(parse_number(value(), "--min-agreed"));
    } else if (arg == "--quiet") {
      s.quiet = true;
    } else {
      usage_error("unknown argument '" + arg + "'");
    }
  }
  if (!seeds_given) usage_error("give --seeds FIRST:LAST");
  return s;
}

// What became of one seed's program.
struct ProgramReport {
  enum class Outcome { kAgreed, kVerified, kOutOfBudget, kRejected, kSkipped, kBug };
  uint64_t seed = 0;
  Profile profile = Profile::kPointers;
  Outcome outcome = Outcome::kBug;
  std::string reason;  // the category counted (rejected, skipped, bug)
  std::string detail;
  bool compiled = false;
  bool verified = false;
  bool twin_ended = false;  // the native twin gave its checksum in time
  std::string oracle;       // what the interpreter gave (csmith_corpus.h), if it ran
  std::map<std::string, std::string> stats;
};

std::string first_line(const std::string& text) {
  const size_t start = text.find_first_not_of(" \n");
  if (start == std::string::npos) return "";
  return text.substr(start, text.find('\n', start) - start);
}

// The engines disagree with the twin, or the twin failed: a bug only if the
// program is defined, that is, csmith's own unoptimised build ends and (when
// the twin gave a checksum) agrees with the twin.
void second_opinion(const Settings& settings, const Toolchain& tools, const ProgramFiles& files,
                    const NativeRun& native, ProgramReport& report) {
  const std::optional<uint32_t> reference = reference_checksum(tools, files, settings.reference_limit);
  uint32_t twin = 0;
  for (size_t i = 0; i < native.output.size() && i < 4; ++i) twin |= uint32_t{native.output[i]} << (8 * i);
  if (!reference) {
    report.outcome = ProgramReport::Outcome::kSkipped;
    report.reason = "undefined: does not end unoptimised";
  } else if (native.status == NativeRun::Status::kOk && *reference != twin) {
    report.outcome = ProgramReport::Outcome::kSkipped;
    report.reason = "undefined: csmith's own build disagrees with the twin";
  } else {
    report.detail += " (csmith's own build at -O0 agrees with the twin)";
  }
}

Profile profile_of(const Settings& settings, uint64_t seed) {
  if (settings.profile) return *settings.profile;
  return seed % 2 == 1 ? Profile::kPointers : Profile::kScalars;
}

ProgramReport check_seed(const Settings& settings, const Toolchain& tools, uint64_t seed) {
  using Outcome = ProgramReport::Outcome;
  ProgramReport report;
  report.seed = seed;
  report.profile = profile_of(settings, seed);
  const ProgramFiles files = program_files(settings.work_dir, seed);

  const ChildResult generated = generate_program(tools, seed, report.profile, files);
  if (!generated.succeeded()) {
    report.reason = "harness: csmith failed";
    report.detail = generated.describe() + ": " + first_line(generated.output);
    return report;
  }
  const ChildResult compiled = compile_program(tools, files, false);
  if (!compiled.succeeded()) {
    report.outcome = Outcome::kRejected;
    report.reason = compiled.status == ChildResult::Status::kTimedOut ? "clang: timed out"
                                                                        : clang_rejection(compiled.output);
    report.detail = first_error(compiled.output);
    return report;
  }
  report.compiled = true;
  const ChildResult twin = compile_program(tools, files, true);
  if (!twin.succeeded()) {
    report.reason = "harness: the native twin does not compile";
    report.detail = first_error(twin.output);
    return report;
  }

  const NativeRun native = run_native_twin(files.twin, settings.native_limit);
  report.twin_ended = native.status == NativeRun::Status::kOk;
  AgreementCheck check;
  check.object = files.object;
  check.prove = settings.prove_every != 0 && seed % settings.prove_every == 0;
  if (!settings.corpus_dir.empty()) check.image = files.image;
  check.prove_timeout_ms = settings.prove_timeout_ms;
  check.loop_budget = settings.loop_budget;
  if (native.status == NativeRun::Status::kOk) check.expected = native.output;
  const ChildResult checked =
      run_in_child([&](const ChildWriter& write) { check_agreement(check, write); }, settings.check_limit);
  const AgreementReport agreement = parse_agreement(checked.output);
  report.stats = agreement.stats;
  report.verified = agreement.stats.count("guards") != 0;
  report.reason = agreement.reason;
  report.detail = agreement.detail;
  report.oracle = agreement.oracle;

  if (agreement.kind.empty()) {
    // No verdict: the check crashed or ran out of time in its last stage.
    if (checked.status == ChildResult::Status::kTimedOut) {
      report.outcome = Outcome::kSkipped;
      report.reason = "timed out: " + agreement.last_stage;
    } else {
      report.reason = "crash: " + agreement.last_stage;
      const size_t progress = checked.output.find("stage");
      report.detail = checked.describe() + ": " + checked.output.substr(progress == std::string::npos ? 0 : progress);
    }
  } else if (agreement.kind == "bug") {
    report.outcome = Outcome::kBug;
    if (agreement.reason.rfind("verifier:", 0) != 0 && agreement.reason.rfind("harness:", 0) != 0)
      second_opinion(settings, tools, files, native, report);
  } else if (native.status == NativeRun::Status::kTimedOut) {
    // Most often a program that never ends, which clang may compile to code
    // that has no exit at all: nothing to hold sbpf to.
    report.outcome = Outcome::kSkipped;
    report.reason = "native: over the time limit";
    report.detail.clear();
  } else if (native.status == NativeRun::Status::kFailed) {
    // A defined csmith program's twin always ends well; an endless one's may
    // crash (clang -O2 takes its endless loop for unreachable).
    report.outcome = Outcome::kBug;
    report.reason = "native: the twin failed";
    report.detail = native.detail;
    second_opinion(settings, tools, files, native, report);
  } else if (agreement.kind == "rejected") {
    report.outcome = Outcome::kRejected;
  } else if (agreement.kind == "budget") {
    report.outcome = Outcome::kOutOfBudget;
  } else if (agreement.kind == "agreed") {
    report.outcome = Outcome::kAgreed;
  } else {
    report.outcome = Outcome::kVerified;
  }
  return report;
}

std::string stat_or(const ProgramReport& r, const std::string& name, const char* fallback = "?") {
  const auto it = r.stats.find(name);
  return it == r.stats.end() ? fallback : it->second;
}

void print_report(const ProgramReport& r, bool quiet) {
  using Outcome = ProgramReport::Outcome;
  if (quiet && r.outcome != Outcome::kBug) return;
  std::string line = "seed " + std::to_string(r.seed) + " (" + profile_name(r.profile) + "): ";
  switch (r.outcome) {
    case Outcome::kAgreed:
    case Outcome::kVerified:
    case Outcome::kOutOfBudget:
      line += r.outcome == Outcome::kAgreed ? "agreed" : r.outcome == Outcome::kVerified ? "verified" : "loop budget";
      line += " (" + stat_or(r, "instructions") + " instructions, " + stat_or(r, "guards") + " guards, ";
      if (r.stats.count("guards_after_prove") != 0) line += stat_or(r, "guards_after_prove") + " after --prove, ";
      line += stat_or(r, "counted_loops") + " counted loops)";
      if (r.outcome == Outcome::kOutOfBudget) line += ": " + r.detail;
      break;
    case Outcome::kRejected: line += "rejected: " + r.reason + ": " + r.detail; break;
    case Outcome::kSkipped: line += "skipped: " + r.reason; break;
    case Outcome::kBug: line += "BUG: " + r.reason + ": " + r.detail; break;
  }
  // One line per program, however much a crash printed.
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  if (line.size() > kMaxLineBytes) line = line.substr(0, kMaxLineBytes) + "...";
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void record_finding(const Settings& settings, const ProgramReport& r, const ProgramFiles& files) {
  if (settings.findings_dir.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(settings.findings_dir, error);
  const std::string stem = settings.findings_dir + "/csmith-" + std::to_string(r.seed);
  std::filesystem::copy_file(files.source, stem + ".c", std::filesystem::copy_options::overwrite_existing, error);
  std::ofstream text(stem + ".txt");
  text << "seed " << r.seed << ", csmith";
  for (const std::string& option : csmith_options(r.profile)) text << ' ' << option;
  text << "\n" << r.reason << "\n" << r.detail << "\n";
}

// The program's image and the interpreter's outcome into the device's
// corpus; false (and why, on stderr) when either is missing or cannot be written.
bool add_to_corpus(const std::string& dir, const ProgramReport& r, const ProgramFiles& files) {
  const std::optional<Expectation> expected = parse_expectation(r.oracle);
  if (!expected) {
    std::fprintf(stderr, "csmith_differential: seed %" PRIu64 ": no outcome of the interpreter to record\n", r.seed);
    return false;
  }
  try {
    write_corpus_entry(dir, {r.seed, profile_name(r.profile), *expected, ""}, files.image);
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "csmith_differential: %s\n", e.what());
    return false;
  }
  return true;
}

std::string join_counts(const std::map<std::string, uint64_t>& counts) {
  std::string text;
  for (const auto& [reason, count] : counts)
    text += (text.empty() ? "" : ", ") + reason + " " + std::to_string(count);
  return text;
}

std::string percent(uint64_t part, uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / whole);
  return text;
}

int run(const Settings& given) {
  Settings settings = given;
  Toolchain tools{SBPF_CSMITH_EXECUTABLE, SBPF_CSMITH_INCLUDE_DIR, SBPF_CSMITH_RUNTIME_DIR, ""};
  const frontend::ClangLookup clang = frontend::find_clang();
  if (!clang.path) {
    std::fprintf(stderr, "csmith_differential: no clang found\n");
    return 2;
  }
  tools.clang = *clang.path;

  if (!settings.work_dir_given) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/sbpf-csmith-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("csmith_differential: mkdtemp");
      return 2;
    }
    settings.work_dir = pattern;
  } else {
    std::filesystem::create_directories(settings.work_dir);
  }

  using Outcome = ProgramReport::Outcome;
  uint64_t programs = 0, compiled = 0, verified = 0, agreed = 0, out_of_budget = 0, bugs = 0, harness = 0;
  uint64_t in_corpus = 0;
  uint64_t ending = 0, ending_verified = 0;  // programs whose twin ends in time
  std::map<std::string, uint64_t> rejected, skipped;
  std::vector<std::string> bug_lines;
  for (uint64_t seed = settings.first_seed;; ++seed) {
    const ProgramReport r = check_seed(settings, tools, seed);
    ++programs;
    compiled += r.compiled;
    verified += r.verified;
    ending += r.twin_ended;
    ending_verified += r.twin_ended && r.verified;
    switch (r.outcome) {
      case Outcome::kAgreed: ++agreed; break;
      case Outcome::kVerified: break;
      case Outcome::kOutOfBudget: ++out_of_budget; break;
      case Outcome::kRejected: ++rejected[r.reason]; break;
      case Outcome::kSkipped: ++skipped[r.reason]; break;
      case Outcome::kBug:
        if (r.reason.rfind("harness:", 0) == 0) ++harness;
        else ++bugs;
        bug_lines.push_back("seed " + std::to_string(r.seed) + ": " + r.reason);
        break;
    }
    print_report(r, settings.quiet);
    const ProgramFiles files = program_files(settings.work_dir, seed);
    if (!settings.corpus_dir.empty() && (r.outcome == Outcome::kAgreed || r.outcome == Outcome::kOutOfBudget)) {
      if (!add_to_corpus(settings.corpus_dir, r, files)) {
        ++harness;
        bug_lines.push_back("seed " + std::to_string(r.seed) + ": harness: not added to the corpus");
      } else {
        ++in_corpus;
      }
    }
    if (r.outcome == Outcome::kBug) record_finding(settings, r, files);
    if (!settings.keep && r.outcome != Outcome::kBug) {
      for (const std::string& path : {files.source, files.object, files.twin, files.reference, files.image})
        std::filesystem::remove(path);
    }
    if (seed == settings.last_seed) break;
  }
  std::error_code error;
  if (!settings.work_dir_given) {
    std::filesystem::remove(settings.work_dir + "/platform.info", error);
    if (std::filesystem::is_empty(settings.work_dir, error)) std::filesystem::remove(settings.work_dir, error);
  }

  for (const std::string& line : bug_lines) std::printf("bug: %s\n", line.c_str());
  auto total = [](const std::map<std::string, uint64_t>& counts) {
    uint64_t n = 0;
    for (const auto& [reason, count] : counts) n += count;
    return n;
  };
  std::printf("%" PRIu64 " programs: %" PRIu64 " compiled, %" PRIu64 " verified, %" PRIu64 " agreed, %" PRIu64
              " out of loop budget; rejected %" PRIu64 " (%s); skipped %" PRIu64 " (%s); bugs %" PRIu64
              "; harness errors %" PRIu64 "; accepted (compiled and verified) %s, %s of the %" PRIu64
              " whose twin ends\n",
              programs, compiled, verified, agreed, out_of_budget, total(rejected), join_counts(rejected).c_str(),
              total(skipped), join_counts(skipped).c_str(), bugs, harness, percent(verified, programs).c_str(),
              percent(ending_verified, ending).c_str(), ending);
  if (!settings.corpus_dir.empty())
    std::printf("corpus: %" PRIu64 " programs in %s\n", in_corpus, settings.corpus_dir.c_str());
  if (harness > 0) return 2;
  if (settings.min_agreed && 100.0 * static_cast<double>(agreed) < *settings.min_agreed * static_cast<double>(ending)) {
    std::printf("fewer than %.0f%% of the programs whose twin ends agreed\n", *settings.min_agreed);
    return 1;
  }
  return bugs > 0 ? 1 : 0;
}

}  // namespace
}  // namespace sbpf::csmith

int main(int argc, char** argv) { return sbpf::csmith::run(sbpf::csmith::parse_settings(argc, argv)); }
