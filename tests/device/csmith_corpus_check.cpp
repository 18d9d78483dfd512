// csmith's programs on the device: the corpus the host made
// (csmith_differential --emit-corpus; tests/csmith/csmith_corpus.h), every
// image verified again here and run on the device's engines, all of them in
// one process (one qemu start for the whole corpus).
//
//   csmith_corpus_check DIR [--blind-every N] [--min-programs N] [--verbose]
//
// Per program, each engine a fresh load of the image, all run in the same
// memory (context, output, heap and stack at the same addresses):
//
//   interpreter (paranoid)   the oracle; it must give what the host's gave
//   jit                      on the device verifier's annotations
//   jit, blinded constants   every Nth seed (--blind-every, default 1: all)
//   interpreter --no-verify  everything checked, every backward jump counted
//   jit --no-verify          the same
//
// The JITs must leave what the interpreter beside them leaves: r0, the
// output buffer, and the abort (kind, pc and message). An image the device
// cannot read or rejects, an engine that does not load, a disagreement or
// an exception is a failure, listed with its seed; a crash names the seed
// it was on.
//
// Exit status: 0 every program agreed, 1 failures (or fewer programs than
// --min-programs), 2 bad usage or a corpus that cannot be read.
#include <algorithm>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "isa/program_image.h"
#include "runtime/heap_arena.h"
#include "runtime/lambda_runtime.h"
#include "runtime/loaded_program.h"
#include "tests/csmith/csmith_corpus.h"
#include "verifier/program_type.h"
#include "verifier/verifier.h"

namespace sbpf::csmith {
namespace {

constexpr const char* kUsage =
    "usage: csmith_corpus_check DIR [--blind-every N] [--min-programs N] [--verbose]\n"
    "\n"
    "Verifies each program image of the corpus DIR (csmith_differential --emit-corpus)\n"
    "and runs it on the interpreter (paranoid) and the JIT, with and without\n"
    "verification, which must agree with each other and with the host.\n"
    "\n"
    "  --blind-every N    also the JIT with blinded constants, for seeds that are a\n"
    "                     multiple of N (default 1: all; 0: none)\n"
    "  --min-programs N   fail unless the corpus holds at least N programs (a guard\n"
    "                     against a corpus that lost its programs)\n"
    "  --verbose          a line per program, not only per failure\n";

struct Settings {
  std::string dir;
  uint64_t blind_every = 1;
  uint64_t min_programs = 0;
  bool verbose = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "csmith_corpus_check: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

uint64_t parse_number(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') usage_error("bad " + what + ": '" + text + "'");
  return value;
}

Settings parse_settings(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--blind-every") {
      s.blind_every = parse_number(value(), arg);
    } else if (arg == "--min-programs") {
      s.min_programs = parse_number(value(), arg);
    } else if (arg == "--verbose") {
      s.verbose = true;
    } else if (arg.rfind("--", 0) == 0 || !s.dir.empty()) {
      usage_error("unknown argument '" + arg + "'");
    } else {
      s.dir = arg;
    }
  }
  if (s.dir.empty()) usage_error("give the corpus directory");
  return s;
}

// A crash takes the process with it: the seed it was on is the one thing
// worth saying, written by the handler from a buffer filled beforehand.
char crash_note[96];
size_t crash_note_bytes = 0;

void on_crash(int signal) {
  if (crash_note_bytes != 0) (void)!::write(STDERR_FILENO, crash_note, crash_note_bytes);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void note_seed(uint64_t seed) {
  const int n =
      std::snprintf(crash_note, sizeof crash_note, "csmith_corpus_check: crashed on seed %" PRIu64 "\n", seed);
  crash_note_bytes = n > 0 ? static_cast<size_t>(n) : 0;
}

// The memory of one λ invocation as the λ runtime gives it (an empty input,
// the host's output capacity), shared by every engine so that even a
// program that computes with addresses gives each the same numbers.
struct SharedMemory {
  runtime::LambdaContext context{};
  std::vector<uint8_t> input;
  std::vector<uint8_t> output = std::vector<uint8_t>(kOutputCapacity);
  runtime::HeapArena heap;
  std::vector<uint8_t> stack = std::vector<uint8_t>(runtime::kMaxFrames * runtime::kStackFrameBytes);
};

struct RunOutcome {
  runtime::ExecutionResult result;
  std::vector<uint8_t> output;
};

RunOutcome run_once(runtime::LoadedProgram& loaded, SharedMemory& m) {
  std::fill(m.output.begin(), m.output.end(), 0);
  m.heap.clear();
  m.context = {reinterpret_cast<uintptr_t>(m.output.data()), reinterpret_cast<uintptr_t>(m.input.data()), 0,
               m.output.size()};
  runtime::Invocation invocation =
      runtime::lambda_invocation(m.context, m.input, m.output, &m.heap, loaded.loop_budget());
  invocation.stack = m.stack;
  RunOutcome outcome{loaded.run(invocation), {}};
  outcome.output = m.output;
  return outcome;
}

std::string describe(const RunOutcome& o) {
  if (o.result.ok()) return "r0 = " + std::to_string(o.result.r0) + ", output " + hex(o.output);
  return std::string(runtime::abort_kind_name(o.result.abort->kind)) + " at pc " +
         std::to_string(o.result.abort->pc) + ": " + o.result.abort->message;
}

bool same(const RunOutcome& a, const RunOutcome& b) {
  if (a.output != b.output || a.result.ok() != b.result.ok()) return false;
  if (a.result.ok()) return a.result.r0 == b.result.r0;
  const runtime::Abort &x = *a.result.abort, &y = *b.result.abort;
  return x.kind == y.kind && x.pc == y.pc && x.message == y.message;
}

// Whether the oracle's run gives what the host's did: the same output (r0
// its length) or an abort of the same kind at the same pc. Messages may
// name addresses, which differ between the two machines.
bool as_expected(const RunOutcome& o, const Expectation& expected) {
  if (expected.output) {
    const std::vector<uint8_t>& want = *expected.output;
    return o.result.ok() && o.result.r0 == want.size() && want.size() <= o.output.size() &&
           std::equal(want.begin(), want.end(), o.output.begin());
  }
  return !o.result.ok() && expected.abort_kind == runtime::abort_kind_name(o.result.abort->kind) &&
         expected.abort_pc == o.result.abort->pc;
}

std::string describe(const Expectation& e) {
  if (e.output) return "r0 = " + std::to_string(e.output->size()) + ", output " + hex(*e.output);
  return e.abort_kind + " at pc " + std::to_string(e.abort_pc) + ": " + e.abort_message;
}

struct ProgramResult {
  enum class Kind { kAgreedOutput, kAgreedAbort, kFailed };
  Kind kind = Kind::kFailed;
  std::string detail;  // kFailed: what went wrong
  size_t instructions = 0;
  bool blinded = false;
};

ProgramResult check_program(const CorpusEntry& entry, const Settings& settings) {
  using Kind = ProgramResult::Kind;
  ProgramResult r;
  std::ifstream in(entry.image_path, std::ios::binary);
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  isa::ProgramImage image;
  try {
    image = isa::read_image(bytes);
  } catch (const isa::ImageError& e) {
    r.detail = std::string("the image does not read: ") + e.what();
    return r;
  }
  r.instructions = image.program.size();
  const std::optional<verifier::ProgramType> type = verifier::program_type_named(image.program_type);
  if (!type) {
    r.detail = "the image's program type '" + image.program_type + "' is unknown";
    return r;
  }

  // Verified once, here: the device trusts no verdict of the host's.
  runtime::LoadOptions options;
  options.loop_budget = image.loop_budget;
  const verifier::VerificationResult verification = verifier::verify(image.program, *type, options.verifier_options());
  if (!verification.accepted) {
    r.detail = "the device's verifier rejects what the host's accepted";
    if (!verification.diagnostics.empty())
      r.detail += ": pc " + std::to_string(verification.diagnostics.front().pc) + ": " +
                  verification.diagnostics.front().message;
    return r;
  }

  runtime::LoadOptions paranoid = options, jit = options, blinded = options, unverified_interp = options,
                       unverified_jit = options;
  paranoid.paranoid = true;
  jit.engine = runtime::EngineKind::kJit;
  blinded.engine = runtime::EngineKind::kJit;
  blinded.blind_constants = true;
  unverified_interp.verify = false;
  unverified_jit.verify = false;
  unverified_jit.engine = runtime::EngineKind::kJit;
  r.blinded = settings.blind_every != 0 && entry.seed % settings.blind_every == 0;

  SharedMemory memory;
  // Each engine a fresh load (fresh global data), over the verification above.
  auto run_on = [&](const std::string& name, const runtime::LoadOptions& o) -> std::optional<RunOutcome> {
    runtime::LoadedProgram loaded = o.verify ? runtime::load(image.program, *type, verification, o)
                                             : runtime::load(image.program, *type, o);
    if (!loaded.ok()) {
      r.detail = name + " did not load: " + loaded.failure()->reason;
      return std::nullopt;
    }
    return run_once(loaded, memory);
  };
  // A JIT against the interpreter beside it; false (and why in r.detail) when they differ.
  auto agrees = [&](const std::string& name, const RunOutcome& oracle, const std::string& oracle_name,
                    const runtime::LoadOptions& o) {
    const std::optional<RunOutcome> outcome = run_on(name, o);
    if (!outcome) return false;
    if (same(*outcome, oracle)) return true;
    r.detail = oracle_name + ": " + describe(oracle) + "; " + name + ": " + describe(*outcome);
    return false;
  };

  const std::optional<RunOutcome> oracle = run_on("the interpreter (paranoid)", paranoid);
  if (!oracle) return r;
  if (!as_expected(*oracle, entry.expected)) {
    r.detail = "the interpreter (paranoid): " + describe(*oracle) + "; the host's: " + describe(entry.expected);
    return r;
  }
  if (!agrees("the jit", *oracle, "the interpreter (paranoid)", jit)) return r;
  if (r.blinded && !agrees("the jit with blinded constants", *oracle, "the interpreter (paranoid)", blinded))
    return r;

  // Without verification every backward jump counts, so a program may run
  // out of budget where the verified engines did not; the two must still
  // agree, and where they end, with the host.
  const std::optional<RunOutcome> unverified = run_on("the interpreter --no-verify", unverified_interp);
  if (!unverified) return r;
  if (unverified->result.ok() && entry.expected.output && !as_expected(*unverified, entry.expected)) {
    r.detail = "the interpreter --no-verify: " + describe(*unverified) + "; the host's: " + describe(entry.expected);
    return r;
  }
  if (!agrees("the jit --no-verify", *unverified, "the interpreter --no-verify", unverified_jit)) return r;

  r.kind = oracle->result.ok() ? Kind::kAgreedOutput : Kind::kAgreedAbort;
  return r;
}

int run(const Settings& settings) {
  std::vector<CorpusEntry> corpus;
  try {
    corpus = read_corpus(settings.dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "csmith_corpus_check: %s\n", e.what());
    return 2;
  }
  for (int signal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) std::signal(signal, on_crash);

  using Kind = ProgramResult::Kind;
  uint64_t agreed = 0, aborts = 0, blinded = 0;
  std::vector<uint64_t> failures;
  for (const CorpusEntry& entry : corpus) {
    note_seed(entry.seed);
    ProgramResult r;
    try {
      r = check_program(entry, settings);
    } catch (const std::exception& e) {
      r.kind = Kind::kFailed;
      r.detail = std::string("threw: ") + e.what();
    }
    blinded += r.blinded && r.kind != Kind::kFailed;
    std::string line = "seed " + std::to_string(entry.seed) + " (" + entry.profile + ", " +
                       std::to_string(r.instructions) + " instructions): ";
    switch (r.kind) {
      case Kind::kAgreedOutput: ++agreed; line += "agreed: " + describe(entry.expected); break;
      case Kind::kAgreedAbort: ++aborts; line += "agreed on the abort: " + describe(entry.expected); break;
      case Kind::kFailed: line += "FAILED: " + r.detail; failures.push_back(entry.seed); break;
    }
    if (settings.verbose || r.kind == Kind::kFailed) std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  crash_note_bytes = 0;

  std::printf("%zu programs: %" PRIu64 " agreed on the output, %" PRIu64 " on an abort (%" PRIu64
              " with blinded constants too); %zu failed\n",
              corpus.size(), agreed, aborts, blinded, failures.size());
  if (!failures.empty()) {
    std::printf("failed seeds:");
    for (uint64_t seed : failures) std::printf(" %" PRIu64, seed);
    std::printf("\n");
  }
  if (corpus.size() < settings.min_programs) {
    std::printf("fewer than %" PRIu64 " programs in %s\n", settings.min_programs, settings.dir.c_str());
    return 1;
  }
  return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace sbpf::csmith

int main(int argc, char** argv) { return sbpf::csmith::run(sbpf::csmith::parse_settings(argc, argv)); }
