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
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/program_file.h"
#include "xrp_abi/bpfkv_database.h"
#include "xrp_abi/sync_resubmission.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf xrp build-db DB --keys N [--stride K]\n"
    "       sbpf xrp get DB KEY... [--prog OBJ] [--section NAME] [--no-verify | --prove]\n"
    "       sbpf xrp scan DB LOW HIGH [--prog OBJ] [--section NAME] [--no-verify | --prove]\n"
    "\n"
    "build-db  writes a BPF-KV database with the keys 0, K, 2K, ... (N of them);\n"
    "          the value of key k is k in decimal, right-aligned in 63 characters.\n"
    "get       looks each KEY up with an XRP function and prints its value or\n"
    "          'not found'.\n"
    "scan      prints every key in [LOW, HIGH] with its value, asking the XRP\n"
    "          range function again while it reports more.\n"
    "\n"
    "Each lookup starts with the root block (offset 0, 512 bytes) and resubmits\n"
    "the read the function asks for until it sets done, synchronously.\n"
    "\n"
    "  --prog OBJ       the XRP function: a BPF object or its native twin\n"
    "                   (default: the bundled samples/xrp/bpfkv_get.c or bpfkv_range.c)\n"
    "  --section NAME   the program's section in OBJ\n"
    "  --max-reads N    reads allowed per lookup (default 4096)\n"
    "  --no-verify      run the function without verifying it first: every access\n"
    "                   is checked and every backward jump counted\n"
    "  --prove          verify with Z3's guard removal (as `sbpf verify --prove`)\n"
    "A function the verifier rejects is not run: its report is printed, exit 1.\n";

// Where the samples this build compiled live: next to an installed `sbpf`,
// else in the build tree.
std::string bundled_sample(const std::string& name) {
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "sbpf" / "samples" / name;
    if (std::filesystem::exists(installed, error)) return installed.string();
  }
  return std::string(SBPF_SAMPLES_BUILD_DIR) + "/" + name;
}

// The XRP function named on the command line, in whichever form it came.
class XrpProgram {
 public:
  // `verify`: before running; `prove`: with Z3's guard removal.
  XrpProgram(const std::string& path, const std::string& section, bool verify, bool prove) : path_(path) {
    if (frontend::looks_like_native_twin(read_file(path))) {
      try {
        twin_ = std::make_unique<frontend::NativeTwin>(path, section);
      } catch (const frontend::LoadError& e) {
        throw UsageError(e.what());
      }
      function_ = std::make_unique<xrp::NativeXrp>(reinterpret_cast<xrp::NativeXrp::Entry>(twin_->entry()));
      return;
    }
    program_ = std::make_unique<isa::Program>(load_program_file(path, section));
    // The command says the program is an XRP function; only a program that
    // says otherwise is refused.
    if (program_type_name(*program_) == "lambda")
      throw UsageError(path + ": '" + program_->name + "' is a λ function, not an XRP function");
    if (verify)
      verification_ =
          verify_before_running(*program_, verifier::xrp_program_type(), runtime::kDefaultLoopBudget, prove, path);
    runtime::EngineOptions engine;
    engine.annotations = verify ? &verification_.annotations : nullptr;
    engine.kind = *runtime::engine_named("auto");
    function_ = std::make_unique<xrp::BytecodeXrp>(*program_, runtime::kDefaultLoopBudget, engine);
  }

  // Runs one request; prints the failure and returns false when it fails.
  bool run(const xrp::BlockReader& read, xrp::XrpRequest& request) {
    xrp::XrpOutcome outcome = xrp::run_xrp_request(*function_, read, request);
    if (outcome.ok()) return true;
    const xrp::XrpFailure& failure = *outcome.failure;
    if (failure.abort && program_) {
      std::fputs(format_abort(*program_, *failure.abort, path_).c_str(), stderr);
      std::fprintf(stderr, "note: on the completion of read %" PRIu64 "\n", failure.read + 1);
    } else {
      std::fprintf(stderr, "%s: error: %s\n", path_.c_str(), failure.describe().c_str());
    }
    return false;
  }

 private:
  std::string path_;
  std::unique_ptr<frontend::NativeTwin> twin_;
  std::unique_ptr<isa::Program> program_;
  verifier::VerificationResult verification_;
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
  const std::string& path = cl.positionals()[1];
  try {
    xrp::build_bpfkv_database(path, options);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  std::printf("%s: %" PRIu64 " keys, %ju bytes\n", path.c_str(), options.keys,
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

int get(const CommandLine& cl) {
  if (cl.positionals().size() < 3) throw UsageError("missing key (sbpf xrp get DB KEY...)");
  std::vector<uint64_t> keys;
  for (size_t i = 2; i < cl.positionals().size(); ++i) keys.push_back(parse_key(cl.positionals()[i]));
  xrp::BlockReader read = open_database(cl.positionals()[1]);
  XrpProgram program(cl.get_or("--prog", bundled_sample("xrp/bpfkv_get.o")), cl.get_or("--section", ""),
                     !cl.has("--no-verify"), cl.has("--prove"));
  const uint64_t max_reads = cl.get_number("--max-reads").value_or(xrp::kDefaultMaxReads);
  std::vector<uint8_t> scratch(xrp::kScratchBytes);
  for (uint64_t key : keys) {
    std::fill(scratch.begin(), scratch.end(), 0);
    bpfkv_get_query query{};
    query.key = key;
    std::memcpy(scratch.data(), &query, sizeof query);
    xrp::XrpRequest request{.scratch = scratch, .max_reads = max_reads};
    if (!program.run(read, request)) return kExitRejected;
    std::memcpy(&query, scratch.data(), sizeof query);
    if (query.found == 1) {
      std::printf("%" PRIu64 " %s\n", key, show_value(query.value).c_str());
    } else {
      std::printf("%" PRIu64 " not found\n", key);
    }
  }
  return kExitOk;
}

int scan(const CommandLine& cl) {
  cl.expect_positionals(4, "range (sbpf xrp scan DB LOW HIGH)");
  uint64_t low = parse_key(cl.positionals()[2]);
  const uint64_t high = parse_key(cl.positionals()[3]);
  xrp::BlockReader read = open_database(cl.positionals()[1]);
  XrpProgram program(cl.get_or("--prog", bundled_sample("xrp/bpfkv_range.o")), cl.get_or("--section", ""),
                     !cl.has("--no-verify"), cl.has("--prove"));
  const uint64_t max_reads = cl.get_number("--max-reads").value_or(xrp::kDefaultMaxReads);
  std::vector<uint8_t> scratch(xrp::kScratchBytes);
  auto* query = reinterpret_cast<bpfkv_range_query*>(scratch.data());
  uint64_t total = 0;
  while (low <= high) {
    std::fill(scratch.begin(), scratch.end(), 0);
    query->low = low;
    query->high = high;
    xrp::XrpRequest request{.scratch = scratch, .max_reads = max_reads};
    if (!program.run(read, request)) return kExitRejected;
    if (query->count > BPFKV_RANGE_MAX_RESULTS) {
      std::fprintf(stderr, "error: the range function reports %" PRIu64 " results, more than the %d it has room for\n",
                   static_cast<uint64_t>(query->count), BPFKV_RANGE_MAX_RESULTS);
      return kExitRejected;
    }
    for (uint64_t i = 0; i < query->count; ++i)
      std::printf("%" PRIu64 " %s\n", static_cast<uint64_t>(query->results[i].key),
                  show_value(query->results[i].value).c_str());
    total += query->count;
    if (query->more == 0 || query->count == 0) break;
    const uint64_t last = query->results[query->count - 1].key;
    if (last < low || last == UINT64_MAX) {
      std::fprintf(stderr, "error: the range function went backwards (last key %" PRIu64 ")\n", last);
      return kExitRejected;
    }
    low = last + 1;
  }
  std::printf("%" PRIu64 " key%s\n", total, total == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

int xrp_command(const Args& args) {
  CommandLine cl(args, {"--keys", "--stride", "--prog", "--section", "--max-reads"},
                 {"--help", "--no-verify", "--prove"});
  if (cl.has("--prove") && cl.has("--no-verify")) throw UsageError("--prove and --no-verify contradict each other");
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  if (cl.positionals().empty()) throw UsageError("missing subcommand: build-db, get or scan");
  const std::string& sub = cl.positionals()[0];
  if (sub == "build-db") return build_db(cl);
  if (cl.has("--keys") || cl.has("--stride")) throw UsageError("--keys and --stride apply to build-db");
  if (sub == "get") return get(cl);
  if (sub == "scan") return scan(cl);
  throw UsageError("unknown subcommand '" + sub + "': expected build-db, get or scan");
}

}  // namespace sbpf::tools
