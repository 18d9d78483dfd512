// `sbpf xrp`: BPF-KV databases and lookups through XRP functions, with the
// synchronous resubmission loop (xrp_abi/sync_resubmission.h).
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "frontend/sdk/include/sbpf/bpfkv.h"
#include "tools/bundled_sample.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/load_flags.h"
#include "tools/program_file.h"
#include "xrp_abi/bpfkv_database.h"
#include "xrp_abi/bpfkv_queries.h"
#include "xrp_abi/sync_resubmission.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf xrp build-db DB --keys N [--stride K] [--depth D]\n"
    "       sbpf xrp get DB KEY... [--prog OBJ] [OPTIONS]\n"
    "       sbpf xrp scan DB LOW HIGH [--begin-exclusive] [--end-inclusive] [--sum] [--prog OBJ] [OPTIONS]\n"
    "       sbpf xrp run FILE --prog OBJ [--offset O] [--scratch-in F] [--scratch-out F] [OPTIONS]\n"
    "       sbpf xrp bench [--profile P] [--path PATH] [--depth D[-D2]] [--threads T[-T2]] ... (sbpf xrp bench --help)\n"
    "\n"
    "build-db  writes a BPF-KV database with the keys 0, K, 2K, ... (N of them);\n"
    "          the value of key k is k in decimal, right-aligned in 63 characters.\n"
    "          Nodes hold 31 entries, or as many as make a tree of depth D\n"
    "          (index reads per lookup) with --depth.\n"
    "bench     the XRP paper's lookup experiment on the device model: see\n"
    "          sbpf xrp bench --help.\n"
    "get       looks each KEY up and prints its value or 'not found'. Keys go\n"
    "          32 to a request in BPF-KV's ScatterGatherQuery, each request's\n"
    "          first read at the root (offset 0).\n"
    "scan      prints the keys in [LOW, HIGH) with their values, then their\n"
    "          count, in BPF-KV's RangeQuery: the first request reads the root,\n"
    "          each next one the leaf the function says to go on with, until the\n"
    "          function has emptied the range (at most 32 pairs per request).\n"
    "run       runs any XRP function once on FILE: the first read (512 bytes)\n"
    "          at --offset, then each read it asks for until it sets done; prints\n"
    "          the reads and the final status. Scratch starts as --scratch-in\n"
    "          (at most 4096 bytes, the rest zero) and is written whole to\n"
    "          --scratch-out.\n"
    "\n"
    "get and scan run the bundled samples (samples/xrp/bpfkv_get.c, bpfkv_range.c)\n"
    "unless --prog names another function that speaks the same layouts, such\n"
    "as BPF-KV's own programs; the output is the same whichever runs.\n"
    "\n"
    "  --prog OBJ         the XRP function: a BPF object or its native twin\n"
    "  --section NAME     the program's section in OBJ\n"
    "  --begin-exclusive  scan: leave LOW out\n"
    "  --end-inclusive    scan: take HIGH in\n"
    "  --sum              scan: print only the sum of the values' first 8 bytes\n"
    "                     (little-endian signed 64-bit, wrapping), BPF-KV's\n"
    "                     AGG_SUM; the whole range is one request\n"
    "  --offset O         run: the first read's offset (a multiple of 512, default 0)\n"
    "  --scratch-in F     run: the scratch buffer's first bytes\n"
    "  --scratch-out F    run: where the scratch buffer goes afterwards\n"
    "  --max-reads N      reads allowed per request (default 4096)\n"
    "  --loop-budget N    backward jumps allowed per run of the function\n"
    "                     (default 16777215)\n"
    "  --no-verify        run the function without verifying it first: every access\n"
    "                     is checked and every backward jump counted\n"
    "  --prove            verify with Z3's guard removal (as `sbpf verify --prove`)\n"
    "A function the verifier rejects is not run: its report is printed, exit 1.\n"
    "A function that fails a request, or answers against the query's layout,\n"
    "ends the command with an error, exit 1.\n";

// The XRP function named on the command line, in whichever form it came.
class XrpProgram {
 public:
  XrpProgram(const std::string& path, const std::string& section, const runtime::LoadOptions& options) : path_(path) {
    if (frontend::looks_like_native_twin(read_file(path))) {
      try {
        twin_ = std::make_unique<frontend::NativeTwin>(path, section);
      } catch (const frontend::LoadError& e) {
        throw UsageError(e.what());
      }
      function_ = std::make_unique<xrp::NativeXrp>(reinterpret_cast<xrp::NativeXrp::Entry>(twin_->entry()));
      return;
    }
    isa::Program program = load_program_file(path, section);
    // The command says the program is an XRP function; only a program that
    // says otherwise is refused.
    if (program_type_name(program) == "lambda")
      throw UsageError(path + ": '" + program.name + "' is a λ function, not an XRP function");
    loaded_.emplace(load_or_reject(std::move(program), verifier::xrp_program_type(), options, path));
    function_ = std::make_unique<xrp::BytecodeXrp>(*loaded_);
  }
  // The function keeps a reference to the loaded program here.
  XrpProgram(const XrpProgram&) = delete;
  XrpProgram& operator=(const XrpProgram&) = delete;

  xrp::XrpFunction& function() { return *function_; }

  // Prints why a request failed, like a compiler error when the function
  // aborted; `request` names the query's request that failed, if any.
  void report(const xrp::XrpFailure& failure, std::optional<uint64_t> request = std::nullopt) const {
    std::string in_request = request ? " in request " + std::to_string(*request + 1) : "";
    if (failure.abort && loaded_) {
      std::fputs(runtime::format_abort(loaded_->program(), *failure.abort, path_).c_str(), stderr);
      std::fprintf(stderr, "note: at hop %" PRIu64 "%s\n", failure.hop + 1, in_request.c_str());
    } else {
      std::fprintf(stderr, "%s: error: %s%s\n", path_.c_str(), failure.describe().c_str(), in_request.c_str());
    }
  }

  void report(const xrp::BpfkvQueryFailure& failure) const {
    if (failure.xrp) return report(*failure.xrp, failure.request);
    std::fprintf(stderr, "%s: error: %s\n", path_.c_str(), failure.describe().c_str());
  }

 private:
  std::string path_;
  std::unique_ptr<frontend::NativeTwin> twin_;
  std::optional<runtime::LoadedProgram> loaded_;
  std::unique_ptr<xrp::XrpFunction> function_;
};

uint64_t parse_key(const std::string& text) {
  auto key = parse_number(text);
  if (!key) throw UsageError("a key is an unsigned 64-bit number, not '" + text + "'");
  return *key;
}

// The value as text: BPF-KV's values are printable and NUL-terminated;
// anything else is shown escaped.
std::string show_value(const uint8_t* value) {
  std::string text;
  for (size_t i = 0; i < BPFKV_VALUE_SIZE && value[i] != 0; ++i) {
    char c = static_cast<char>(value[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      text += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", value[i]);
      text += escaped;
    }
  }
  return "\"" + text + "\"";
}

int build_db(const CommandLine& cl) {
  cl.expect_positionals(2, "database path (sbpf xrp build-db DB --keys N)");
  auto keys = cl.get_number("--keys");
  if (!keys) throw UsageError("missing --keys N");
  xrp::BpfkvBuildOptions options{*keys, cl.get_number("--stride").value_or(1)};
  if (options.stride == 0) throw UsageError("--stride must be at least 1");
  if (auto depth = cl.get_number("--depth")) {
    std::optional<uint64_t> fill = xrp::bpfkv_fill_for_depth(options.keys, *depth);
    if (!fill)
      throw UsageError(std::to_string(options.keys) + " keys make no tree of depth " + std::to_string(*depth) +
                       " (with 2 to 31 entries a node)");
    options.node_fill = *fill;
  }
  const std::string& path = cl.positionals()[1];
  try {
    xrp::build_bpfkv_database(path, options);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  std::printf("%s: %" PRIu64 " keys, depth %" PRIu64 ", %ju bytes\n", path.c_str(), options.keys,
              xrp::bpfkv_depth(options.keys, options.node_fill),
              static_cast<uintmax_t>(std::filesystem::file_size(path)));
  return kExitOk;
}

xrp::BlockReader open_database(const std::string& path) {
  try {
    return xrp::file_block_reader(path);
  } catch (const std::runtime_error& e) {
    throw UsageError(std::string("cannot open ") + e.what());
  }
}

// The function --prog names, else the bundled sample `sample`; and the
// per-request read bound.
XrpProgram program_for(const CommandLine& cl, const std::string& sample, const runtime::LoadOptions& options) {
  return XrpProgram(cl.get_or("--prog", bundled_sample(sample)), cl.get_or("--section", ""), options);
}

uint64_t max_reads(const CommandLine& cl) {
  uint64_t reads = cl.get_number("--max-reads").value_or(xrp::kDefaultMaxReads);
  if (reads == 0) throw UsageError("--max-reads must be at least 1");
  return reads;
}

int get(const CommandLine& cl, const runtime::LoadOptions& options) {
  if (cl.positionals().size() < 3) throw UsageError("missing key (sbpf xrp get DB KEY...)");
  std::vector<uint64_t> keys;
  for (size_t i = 2; i < cl.positionals().size(); ++i) keys.push_back(parse_key(cl.positionals()[i]));
  xrp::BlockReader read = open_database(cl.positionals()[1]);
  XrpProgram program = program_for(cl, "xrp/bpfkv_get.o", options);
  xrp::BpfkvGetOutcome outcome = xrp::bpfkv_xrp_get(program.function(), read, keys, max_reads(cl));
  for (size_t i = 0; i < outcome.values.size(); ++i) {
    if (outcome.values[i]) {
      std::printf("%" PRIu64 " %s\n", keys[i], show_value(outcome.values[i]->data()).c_str());
    } else {
      std::printf("%" PRIu64 " not found\n", keys[i]);
    }
  }
  if (!outcome.failure) return kExitOk;
  std::fflush(stdout);
  program.report(*outcome.failure);
  return kExitRejected;
}

int scan(const CommandLine& cl, const runtime::LoadOptions& options) {
  cl.expect_positionals(4, "range (sbpf xrp scan DB LOW HIGH)");
  xrp::BpfkvRange range;
  range.begin = parse_key(cl.positionals()[2]);
  range.end = parse_key(cl.positionals()[3]);
  range.begin_exclusive = cl.has("--begin-exclusive");
  range.end_inclusive = cl.has("--end-inclusive");
  range.sum = cl.has("--sum");
  if (range.begin > range.end)
    throw UsageError("the range's LOW (" + std::to_string(range.begin) + ") is above its HIGH (" +
                     std::to_string(range.end) + ")");
  xrp::BlockReader read = open_database(cl.positionals()[1]);
  XrpProgram program = program_for(cl, "xrp/bpfkv_range.o", options);
  xrp::BpfkvRangeOutcome outcome = xrp::bpfkv_xrp_range(program.function(), read, range, max_reads(cl));
  for (const auto& [key, value] : outcome.pairs) std::printf("%" PRIu64 " %s\n", key, show_value(value.data()).c_str());
  if (!outcome.failure) {
    if (range.sum) {
      std::printf("sum %" PRId64 "\n", outcome.sum);
    } else {
      std::printf("%zu key%s\n", outcome.pairs.size(), outcome.pairs.size() == 1 ? "" : "s");
    }
    return kExitOk;
  }
  std::fflush(stdout);
  program.report(*outcome.failure);
  if (range.sum && outcome.failure->xrp && outcome.failure->xrp->kind == xrp::XrpFailure::Kind::kTooManyReads)
    std::fputs("note: a sum is one request, whatever the range's size: raise --max-reads\n", stderr);
  return kExitRejected;
}

// `sbpf xrp run`: any XRP function, any scratch layout.
int run(const CommandLine& cl, const runtime::LoadOptions& options) {
  cl.expect_positionals(2, "file (sbpf xrp run FILE --prog OBJ)");
  if (!cl.has("--prog")) throw UsageError("missing --prog OBJ: run has no default function");
  const std::string& path = cl.positionals()[1];
  const uint64_t offset = cl.get_number("--offset").value_or(0);
  if (offset % xrp::kBlockBytes != 0)
    throw UsageError("--offset " + std::to_string(offset) + " is not a multiple of " +
                     std::to_string(xrp::kBlockBytes) + ": XRP reads whole blocks");
  std::vector<uint8_t> scratch(xrp::kScratchBytes, 0);
  if (auto in = cl.get("--scratch-in")) {
    std::vector<uint8_t> bytes = read_file(*in);
    if (bytes.size() > scratch.size())
      throw UsageError(*in + " is " + std::to_string(bytes.size()) + " bytes; the scratch buffer is " +
                       std::to_string(xrp::kScratchBytes));
    std::copy(bytes.begin(), bytes.end(), scratch.begin());
  }
  xrp::BlockReader file = open_database(path);
  XrpProgram program(*cl.get("--prog"), cl.get_or("--section", ""), options);
  // Every read the engine makes, as it makes it.
  std::vector<std::pair<uint64_t, uint64_t>> reads;
  xrp::BlockReader logged = [&](uint64_t at, std::span<uint8_t> bytes) {
    reads.emplace_back(at, bytes.size());
    return file(at, bytes);
  };
  xrp::XrpRequest request{.offset = offset, .scratch = scratch, .max_reads = max_reads(cl), .file_size = std::nullopt};
  xrp::XrpOutcome outcome = xrp::run_xrp_request(program.function(), logged, request);
  for (size_t i = 0; i < reads.size(); ++i)
    std::printf("read %zu: %" PRIu64 " bytes at offset %" PRIu64 "\n", i + 1, reads[i].second, reads[i].first);
  // The scratch buffer is worth having after a failure too: it shows how far
  // the function got.
  if (auto out = cl.get("--scratch-out")) write_file(*out, scratch);
  if (outcome.ok()) {
    std::printf("done after %" PRIu64 " read%s\n", outcome.reads, outcome.reads == 1 ? "" : "s");
    return kExitOk;
  }
  std::fflush(stdout);
  program.report(*outcome.failure);
  return kExitRejected;
}

}  // namespace

int xrp_command(const Args& args) {
  if (!args.empty() && args[0] == "bench") return xrp_bench_command(args);
  CommandLine cl(args,
                 {"--keys", "--stride", "--depth", "--prog", "--section", "--max-reads", "--offset", "--scratch-in",
                  "--scratch-out", "--loop-budget"},
                 {"--help", "--no-verify", "--prove", "--begin-exclusive", "--end-inclusive", "--sum"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  if (cl.positionals().empty()) throw UsageError("missing subcommand: build-db, get, scan or run");
  const std::string& sub = cl.positionals()[0];
  if (sub == "build-db") {
    if (cl.has("--prove") || cl.has("--no-verify") || cl.has("--loop-budget"))
      throw UsageError("--loop-budget, --prove and --no-verify apply to get, scan and run");
    return build_db(cl);
  }
  if (cl.has("--keys") || cl.has("--stride") || cl.has("--depth"))
    throw UsageError("--keys, --stride and --depth apply to build-db");
  if (sub != "get" && sub != "scan" && sub != "run")
    throw UsageError("unknown subcommand '" + sub + "': expected build-db, get, scan or run");
  if (sub != "scan" && (cl.has("--begin-exclusive") || cl.has("--end-inclusive") || cl.has("--sum")))
    throw UsageError("--begin-exclusive, --end-inclusive and --sum apply to scan");
  if (sub != "run" && (cl.has("--offset") || cl.has("--scratch-in") || cl.has("--scratch-out")))
    throw UsageError("--offset, --scratch-in and --scratch-out apply to run");
  // The function runs on the JIT where the host has one.
  runtime::LoadOptions defaults;
  defaults.engine = runtime::engine_named("auto");
  const runtime::LoadOptions options = parse_load_options(cl, defaults);
  if (sub == "get") return get(cl, options);
  if (sub == "scan") return scan(cl, options);
  return run(cl, options);
}

}  // namespace sbpf::tools
