// `sbpf xrp`: BPF-KV databases and lookups through XRP functions, on a real
// file through io_uring (xrp_abi/uring_xrp_queue.h).
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "frontend/sdk/include/sbpf/bpfkv.h"
#include "tools/bundled_sample.h"
#include "tools/command_line.h"
#include "tools/device_profile_option.h"
#include "tools/commands.h"
#include "tools/load_flags.h"
#include "tools/program_file.h"
#include "xrp_abi/bpfkv_database.h"
#include "device_model/device_profile.h"
#include "xrp_abi/bpfkv_queries.h"
#include "xrp_abi/model_host.h"
#include "xrp_abi/sync_resubmission.h"
#include "xrp_abi/uring_xrp_queue.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf xrp build-db DB --keys N [--stride K] [--depth D]\n"
    "       sbpf xrp get DB KEY... [--prog OBJ] [OPTIONS]\n"
    "       sbpf xrp get DB --random N [--seed S] [--in-flight K] [--prog OBJ] [OPTIONS]\n"
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
    "          With --random N: N lookups of random keys between 0 and the\n"
    "          largest key, one key per request, K requests in flight through\n"
    "          io_uring; then the same lookups with a pread per hop on 1 thread\n"
    "          and on K threads; every answer is checked against the reference\n"
    "          lookup, and the lookups per second of each are printed.\n"
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
    "  --device file      where the reads go: the file itself, through io_uring with\n"
    "                     O_DIRECT (the default); get and scan also take\n"
    "                     `model[:PROFILE]`: the file on the device model (default\n"
    "                     p5800x), resubmitted at the modelled completions\n"
    "  --random N         get: N random lookups, timed (see above)\n"
    "  --seed S           get --random: the keys' seed (default 1)\n"
    "  --in-flight K      get --random: requests in flight at once (default 32)\n"
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
    "A request whose file changes under it (its version, from fstat, moves on)\n"
    "fails as stale and runs again with ordinary reads; the answer is always\n"
    "that of one version of the file.\n"
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

// Where a command's reads go: --device, parsed in this one place.
struct DeviceChoice {
  enum class Kind { kFile, kModel };
  Kind kind = Kind::kFile;
  std::string profile;  // kModel: the profile named after `model:`, if any
};

DeviceChoice device_choice(const CommandLine& cl) {
  const std::string text = cl.get_or("--device", "file");
  if (text == "file") return {};
  if (text == "model") return {DeviceChoice::Kind::kModel, ""};
  if (text.starts_with("model:") && text.size() > 6) return {DeviceChoice::Kind::kModel, text.substr(6)};
  throw UsageError("--device expects file, model or model:PROFILE, not '" + text + "'");
}

// The file's io_uring queue: the backend `--device file` names.
std::unique_ptr<xrp::UringXrpQueue> open_file_queue(const std::string& path, size_t in_flight) {
  try {
    return std::make_unique<xrp::UringXrpQueue>(path, xrp::UringXrpOptions{.capacity = in_flight});
  } catch (const std::system_error& e) {
    throw UsageError(std::string("cannot open ") + e.what());
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

// `--device file` only: get --random times what the real file does.
std::unique_ptr<xrp::UringXrpQueue> open_database(const CommandLine& cl, size_t in_flight = 1) {
  const DeviceChoice device = device_choice(cl);
  if (device.kind == DeviceChoice::Kind::kModel)
    throw UsageError("get --random times the real file; on the device model, sbpf xrp bench runs the experiment");
  return open_file_queue(cl.positionals()[1], in_flight);
}

// The database put on a fresh device model (namespace 1, in one extent),
// its requests taking XRP's path from one host thread.
class ModelDrive {
 public:
  ModelDrive(const device_model::DeviceProfile& profile, const std::string& path)
      : device_(profile, clock_, 1),
        file_(xrp::attach_whole_file(device_, 1, path)),
        host_(device_, file_, {.path = xrp::IoPath::kXrp}) {}
  xrp::XrpQueue& queue() { return host_.thread(0); }

 private:
  device_model::EventQueue clock_;
  device_model::NvmeDevice device_;
  xrp::ModelFile file_;
  xrp::ModelHost host_;
};

// Where get, scan and run send their requests: --device's backend, and what
// keeps it open.
struct Backend {
  std::unique_ptr<xrp::UringXrpQueue> file;
  std::unique_ptr<ModelDrive> model;
  xrp::XrpQueue* queue = nullptr;  // the one of the two that is open
  xrp::XrpRunner runner;
};

Backend open_backend(const CommandLine& cl) {
  const DeviceChoice device = device_choice(cl);
  const std::string& path = cl.positionals()[1];
  Backend backend;
  if (device.kind == DeviceChoice::Kind::kFile) {
    backend.file = open_file_queue(path, 1);
    backend.queue = backend.file.get();
    // Each request through the queue, and by pread again when it went stale.
    backend.runner = [queue = backend.file.get()](xrp::XrpFunction& function, const xrp::XrpRequest& request) {
      return xrp::run_xrp_with_fallback(*queue, function, request).outcome;
    };
    return backend;
  }
  device_model::DeviceProfile profile = profile_or_usage_error(device.profile.empty() ? "p5800x" : device.profile);
  try {
    backend.model = std::make_unique<ModelDrive>(std::move(profile), path);
  } catch (const std::system_error& e) {
    throw UsageError(std::string("cannot open ") + e.what());
  }
  backend.queue = &backend.model->queue();
  backend.runner = xrp::queue_runner(*backend.queue);
  return backend;
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

int random_get(const CommandLine& cl, const runtime::LoadOptions& options);

int get(const CommandLine& cl, const runtime::LoadOptions& options) {
  if (cl.has("--random")) return random_get(cl, options);
  if (cl.has("--seed") || cl.has("--in-flight")) throw UsageError("--seed and --in-flight apply to get --random");
  if (cl.positionals().size() < 3) throw UsageError("missing key (sbpf xrp get DB KEY...)");
  std::vector<uint64_t> keys;
  for (size_t i = 2; i < cl.positionals().size(); ++i) keys.push_back(parse_key(cl.positionals()[i]));
  Backend backend = open_backend(cl);
  XrpProgram program = program_for(cl, "xrp/bpfkv_get.o", options);
  xrp::BpfkvGetOutcome outcome = xrp::bpfkv_xrp_get(program.function(), backend.runner, keys, max_reads(cl));
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

// `sbpf xrp get DB --random N`: section 4 of XRP's claim on a real file.
// The same keys go through these paths, in the same run, with the same
// function: io_uring with resubmission from the completion loop, K requests
// in flight; a loop that preads each hop (O_DIRECT like the queue) on one
// thread, which is what a single-threaded BPF-KV without XRP does; and the
// same loop on K threads, the same concurrency as XRP's. Every answer is
// checked against the reference lookup.
struct TimedPath {
  std::vector<std::optional<xrp::BpfkvValue>> answers;
  double seconds = 0;
  uint64_t reads = 0;
  uint64_t fell_back = 0;
  uint64_t latency_ns = 0;  // summed
};

// One key per request, BPF-KV's ScatterGatherQuery with n_keys 1.
void set_query(std::span<uint8_t> scratch, uint64_t key) { xrp::bpfkv_get_scratch({&key, 1}, scratch); }

std::optional<xrp::BpfkvValue> query_answer(std::span<const uint8_t> scratch) {
  return xrp::bpfkv_get_answers(scratch, 1)[0];
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A lookup whose request failed for a reason other than a stale file: the
// function's own failure, which the command reports.
struct FailedLookup {
  uint64_t key;
  xrp::XrpFailure failure;
};

TimedPath run_through_queue(xrp::UringXrpQueue& queue, xrp::XrpFunction& function, const std::vector<uint64_t>& keys,
                            uint64_t max_reads) {
  const size_t depth = queue.capacity();
  std::vector<std::vector<uint8_t>> scratch(depth, std::vector<uint8_t>(xrp::kScratchBytes));
  std::vector<size_t> key_of(depth);  // the key index each scratch buffer serves
  std::vector<uint32_t> free_buffers;
  for (size_t i = depth; i-- > 0;) free_buffers.push_back(static_cast<uint32_t>(i));
  TimedPath path;
  path.answers.resize(keys.size());
  size_t next = 0;
  const auto start = std::chrono::steady_clock::now();
  while (next < keys.size() || queue.in_flight() != 0) {
    while (next < keys.size() && !free_buffers.empty()) {
      const uint32_t b = free_buffers.back();
      set_query(scratch[b], keys[next]);
      xrp::XrpSubmission submission;
      submission.function = &function;
      submission.request = {.offset = 0, .scratch = scratch[b], .max_reads = max_reads, .file_size = std::nullopt};
      submission.user_data = b;
      if (!queue.submit(submission)) break;
      free_buffers.pop_back();
      key_of[b] = next++;
    }
    for (xrp::XrpCompletion& done : queue.wait(1)) {
      const uint32_t b = static_cast<uint32_t>(done.user_data);
      const size_t k = key_of[b];
      path.reads += done.outcome.reads;
      path.latency_ns += done.latency_ns;
      if (!done.outcome.ok() && done.outcome.failure->kind == xrp::XrpFailure::Kind::kStale) {
        // The file changed under the request: again by pread, from the start.
        ++path.fell_back;
        set_query(scratch[b], keys[k]);
        xrp::XrpRequest again{.offset = 0, .scratch = scratch[b], .max_reads = max_reads, .file_size = std::nullopt};
        done.outcome = xrp::run_xrp_by_pread(queue.file(), function, again);
        path.reads += done.outcome.reads;
      }
      if (!done.outcome.ok()) throw FailedLookup{keys[k], *done.outcome.failure};
      path.answers[k] = query_answer(scratch[b]);
      free_buffers.push_back(b);
    }
  }
  path.seconds = seconds_since(start);
  return path;
}

// The pread path on `workers.size()` threads, each with its own copy of the
// function (a loaded program runs on one thread at a time) and its own
// descriptor, taking the next key as it finishes one.
struct PreadWorker {
  std::unique_ptr<XrpProgram> program;
  std::unique_ptr<xrp::DirectFile> file;
};

TimedPath run_by_pread(std::vector<PreadWorker>& workers, const std::vector<uint64_t>& keys, uint64_t max_reads) {
  TimedPath path;
  path.answers.resize(keys.size());
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> reads{0};
  std::mutex failure_lock;
  std::optional<FailedLookup> failed;
  std::exception_ptr error;
  auto work = [&](PreadWorker& worker) {
    try {
      std::vector<uint8_t> scratch(xrp::kScratchBytes);
      const xrp::BlockReader read = xrp::direct_block_reader(*worker.file);
      for (size_t k = next++; k < keys.size(); k = next++) {
        set_query(scratch, keys[k]);
        xrp::XrpRequest request{.offset = 0, .scratch = scratch, .max_reads = max_reads, .file_size = std::nullopt};
        xrp::XrpOutcome outcome = xrp::run_xrp_request(worker.program->function(), read, request);
        reads += outcome.reads;
        if (!outcome.ok()) {
          std::lock_guard lock(failure_lock);
          if (!failed) failed = FailedLookup{keys[k], *outcome.failure};
          next = keys.size();
          return;
        }
        path.answers[k] = query_answer(scratch);
      }
    } catch (...) {
      std::lock_guard lock(failure_lock);
      if (!error) error = std::current_exception();
      next = keys.size();
    }
  };
  const auto start = std::chrono::steady_clock::now();
  if (workers.size() == 1) {
    work(workers.front());
  } else {
    std::vector<std::thread> threads;
    for (PreadWorker& worker : workers) threads.emplace_back(work, std::ref(worker));
    for (std::thread& thread : threads) thread.join();
  }
  path.seconds = seconds_since(start);
  if (error) std::rethrow_exception(error);
  if (failed) throw *failed;
  path.reads = reads;
  return path;
}

int random_get(const CommandLine& cl, const runtime::LoadOptions& options) {
  if (cl.positionals().size() != 2)
    throw UsageError("get --random takes no keys: it draws them (sbpf xrp get DB --random N)");
  const uint64_t count = *cl.get_number("--random");
  if (count == 0) throw UsageError("--random must be at least 1");
  const uint64_t seed = cl.get_number("--seed").value_or(1);
  const uint64_t in_flight = cl.get_number("--in-flight").value_or(32);
  if (in_flight == 0 || in_flight > 4096) throw UsageError("--in-flight must be between 1 and 4096");
  const std::string& path = cl.positionals()[1];
  auto queue = open_database(cl, in_flight);
  std::optional<uint64_t> largest;
  try {
    largest = xrp::bpfkv_reference_largest_key(path);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  if (!largest) throw UsageError(path + ": the database holds no keys to look up");
  XrpProgram program = program_for(cl, "xrp/bpfkv_get.o", options);
  const uint64_t reads_allowed = max_reads(cl);

  std::mt19937_64 random(seed);
  std::uniform_int_distribution<uint64_t> any_key(0, *largest);
  std::vector<uint64_t> keys(count);
  for (uint64_t& key : keys) key = any_key(random);

  // The pread path on one thread, then on as many as XRP has requests in
  // flight: the first is what XRP saves per hop, the second what it saves
  // at the same concurrency.
  std::vector<PreadWorker> workers(in_flight);
  for (PreadWorker& worker : workers) {
    worker.program = std::make_unique<XrpProgram>(cl.get_or("--prog", bundled_sample("xrp/bpfkv_get.o")),
                                                  cl.get_or("--section", ""), options);
    worker.file = std::make_unique<xrp::DirectFile>(path);
  }
  std::vector<PreadWorker> one_worker;
  one_worker.push_back(std::move(workers.back()));
  workers.pop_back();
  TimedPath xrp_path;
  TimedPath pread_path;
  std::optional<TimedPath> threaded_path;
  try {
    xrp_path = run_through_queue(*queue, program.function(), keys, reads_allowed);
    pread_path = run_by_pread(one_worker, keys, reads_allowed);
    if (in_flight > 1) {
      workers.push_back(std::move(one_worker.front()));
      threaded_path = run_by_pread(workers, keys, reads_allowed);
    }
  } catch (const FailedLookup& failed) {
    std::fflush(stdout);
    program.report(failed.failure);
    std::fprintf(stderr, "note: looking up key %" PRIu64 "\n", failed.key);
    return kExitRejected;
  } catch (const std::system_error& e) {
    throw UsageError(std::string("cannot read ") + e.what());
  }

  uint64_t found = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::optional<xrp::BpfkvValue> expected = xrp::bpfkv_reference_get(path, keys[i]);
    for (const TimedPath* timed : {&xrp_path, &pread_path, threaded_path ? &*threaded_path : &pread_path}) {
      if (timed->answers[i] == expected) continue;
      const char* which = timed == &xrp_path ? "io_uring XRP" : "pread";
      std::fprintf(stderr, "%s: error: key %" PRIu64 ": the %s lookup answered %s, the reference %s\n", path.c_str(),
                   keys[i], which, timed->answers[i] ? show_value(timed->answers[i]->data()).c_str() : "not found",
                   expected ? show_value(expected->data()).c_str() : "not found");
      return kExitRejected;
    }
    if (expected) ++found;
  }

  auto rate = [count](const TimedPath& timed) { return static_cast<double>(count) / timed.seconds; };
  std::printf("%s: %" PRIu64 " random lookups (seed %" PRIu64 ") of keys 0 to %" PRIu64
              ", one key per request; %" PRIu64 " found\n",
              path.c_str(), count, seed, *largest, found);
  std::printf("reads: %s\n", queue->file().direct() ? "O_DIRECT"
                                                     : ("buffered: " + queue->file().buffered_reason()).c_str());
  std::printf("xrp   (io_uring, %" PRIu64 " in flight, resubmitted from the completion loop): %.3f s, %.0f lookups/s, "
              "mean latency %.1f us, %.2f reads/lookup, %" PRIu64 " fell back to pread\n",
              in_flight, xrp_path.seconds, rate(xrp_path),
              static_cast<double>(xrp_path.latency_ns) / 1000.0 / static_cast<double>(count),
              static_cast<double>(xrp_path.reads) / static_cast<double>(count), xrp_path.fell_back);
  std::printf("pread (1 thread, a pread per hop): %.3f s, %.0f lookups/s, mean latency %.1f us\n", pread_path.seconds,
              rate(pread_path), pread_path.seconds * 1e6 / static_cast<double>(count));
  if (threaded_path)
    std::printf("pread (%" PRIu64 " threads, a pread per hop): %.3f s, %.0f lookups/s\n", in_flight,
                threaded_path->seconds, rate(*threaded_path));
  std::printf("xrp / pread: %.2fx against 1 thread", rate(xrp_path) / rate(pread_path));
  if (threaded_path) std::printf(", %.2fx against %" PRIu64 " threads", rate(xrp_path) / rate(*threaded_path), in_flight);
  std::printf("; every answer agrees with the reference lookup\n");
  return kExitOk;
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
  Backend backend = open_backend(cl);
  XrpProgram program = program_for(cl, "xrp/bpfkv_range.o", options);
  xrp::BpfkvRangeOutcome outcome = xrp::bpfkv_xrp_range(program.function(), backend.runner, range, max_reads(cl));
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
  Backend backend = open_backend(cl);
  XrpProgram program(*cl.get("--prog"), cl.get_or("--section", ""), options);
  // Every read the engine makes, as it makes it.
  std::vector<std::pair<uint64_t, uint64_t>> reads;
  backend.queue->set_read_observer(
      [&](uint64_t, const xrp::BlockRead& read) { reads.emplace_back(read.offset, read.size); });
  xrp::XrpRequest request{.offset = offset, .scratch = scratch, .max_reads = max_reads(cl), .file_size = std::nullopt};
  // The model's files do not change under it: only the real file falls back.
  xrp::FallbackOutcome ran = backend.file ? xrp::run_xrp_with_fallback(*backend.file, program.function(), request)
                                          : xrp::FallbackOutcome{backend.runner(program.function(), request), false, std::nullopt};
  const xrp::XrpOutcome& outcome = ran.outcome;
  if (ran.fell_back) {
    // The reads listed would be the stale run's: the one that counts was
    // done by pread, unobserved.
    reads.clear();
    std::fprintf(stderr, "note: %s; the request ran again with ordinary reads\n", ran.stale->describe().c_str());
  }
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
                  "--scratch-out", "--loop-budget", "--device", "--random", "--seed", "--in-flight"},
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
    if (cl.has("--device")) throw UsageError("--device applies to get, scan and run");
    return build_db(cl);
  }
  if (cl.has("--keys") || cl.has("--stride") || cl.has("--depth"))
    throw UsageError("--keys, --stride and --depth apply to build-db");
  if (sub != "get" && sub != "scan" && sub != "run")
    throw UsageError("unknown subcommand '" + sub + "': expected build-db, get, scan or run");
  if (sub != "scan" && (cl.has("--begin-exclusive") || cl.has("--end-inclusive") || cl.has("--sum")))
    throw UsageError("--begin-exclusive, --end-inclusive and --sum apply to scan");
  if (sub != "get" && (cl.has("--random") || cl.has("--seed") || cl.has("--in-flight")))
    throw UsageError("--random, --seed and --in-flight apply to get");
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
