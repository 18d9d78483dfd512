// `sbpf xrp bench`: the XRP paper's lookup experiment on the device model
// (xrp_abi/lookup_experiment.h), swept over paths, tree depths and threads,
// printed as a table, CSV or JSON and drawn with gnuplot.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "device_model/device_profile.h"
#include "tools/bundled_sample.h"
#include "tools/command_line.h"
#include "tools/device_profile_option.h"
#include "tools/gnuplot.h"
#include "tools/progress_bar.h"
#include "tools/commands.h"
#include "tools/program_file.h"
#include "xrp_abi/bpfkv_database.h"
#include "xrp_abi/lookup_experiment.h"
#include "xrp_abi/sync_resubmission.h"

namespace sbpf::tools {
namespace {

constexpr const char* kHelp =
    "usage: sbpf xrp bench [--profile P] [--path PATH] [--depth D[-D2]] [--threads T[-T2]]\n"
    "                      [--requests N] [--keys N] [--seed S] [--format table|csv|json]\n"
    "                      [--plot FILE.png] [--db-dir DIR] [--prog OBJ] [--section NAME]\n"
    "\n"
    "Looks random keys up in BPF-KV databases on the device model, as the XRP\n"
    "paper's experiment does, for every path, depth and thread count asked for.\n"
    "Each depth gets its own database (index reads per lookup = depth), built\n"
    "with partly filled nodes in DIR or reused from there. Each thread looks one\n"
    "key up at a time; every answer is checked. Time is the model's: the same\n"
    "arguments print the same figures, byte for byte.\n"
    "\n"
    "  --profile P      a shipped device profile or a JSON file (default p5800x)\n"
    "  --path PATH      read, uring, spdk, xrp or all (default all)\n"
    "  --depth D[-D2]   tree depths (default 1-6)\n"
    "  --threads T[-T2] host threads (default 1)\n"
    "  --requests N     lookups per configuration (default 10000)\n"
    "  --keys N         keys per database, at most 31^depth (default 100000)\n"
    "  --seed S         the keys drawn and the device's randomness (default 1)\n"
    "  --format F       table (default), csv or json\n"
    "  --plot FILE.png  also draws mean latency against depth and throughput\n"
    "                   against threads, with gnuplot\n"
    "  --db-dir DIR     where the databases live (default: the system's temporary\n"
    "                   directory)\n"
    "  --prog OBJ       the lookup function (default: the bundled bpfkv_get sample);\n"
    "                   it runs on a metered interpreter, costed per instruction\n"
    "A progress bar shows on a terminal for runs longer than a second.\n";

struct Range {
  uint64_t first;
  uint64_t last;
};

// "N" or "N-M", first ≤ last, within [low, high].
Range parse_range(const CommandLine& cl, const std::string& option, Range fallback, uint64_t low, uint64_t high) {
  const std::optional<std::string> text = cl.get(option);
  if (!text) return fallback;
  const size_t dash = text->find('-');
  const std::optional<uint64_t> first = parse_number(text->substr(0, dash));
  const std::optional<uint64_t> last = dash == std::string::npos ? first : parse_number(text->substr(dash + 1));
  if (!first || !last || *first > *last || *first < low || *last > high)
    throw UsageError(option + " takes N or N-M with " + std::to_string(low) + " ≤ N ≤ M ≤ " + std::to_string(high) +
                     ", not '" + *text + "'");
  return {*first, *last};
}

struct Row {
  xrp::IoPath path;
  uint64_t depth;
  uint32_t threads;
  xrp::LookupFigures figures;
};

// Microseconds with three decimals, from integer nanoseconds: no rounding
// that could differ between machines.
std::string micros(uint64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
  return text;
}

std::string kops(const xrp::LookupFigures& figures) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", figures.kops());
  return text;
}

void print_rows(const std::vector<Row>& rows, const std::string& format) {
  if (format == "csv") {
    std::printf("path,depth,threads,requests,mean_us,p50_us,p99_us,p999_us,kops\n");
    for (const Row& r : rows)
      std::printf("%s,%" PRIu64 ",%u,%" PRIu64 ",%s,%s,%s,%s,%s\n", xrp::io_path_name(r.path), r.depth, r.threads,
                  r.figures.requests, micros(r.figures.mean_ns).c_str(), micros(r.figures.p50_ns).c_str(),
                  micros(r.figures.p99_ns).c_str(), micros(r.figures.p999_ns).c_str(), kops(r.figures).c_str());
    return;
  }
  if (format == "json") {
    std::printf("[\n");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf("  {\"path\": \"%s\", \"depth\": %" PRIu64 ", \"threads\": %u, \"requests\": %" PRIu64
                  ", \"mean_us\": %s, \"p50_us\": %s, \"p99_us\": %s, \"p999_us\": %s, \"kops\": %s}%s\n",
                  xrp::io_path_name(r.path), r.depth, r.threads, r.figures.requests, micros(r.figures.mean_ns).c_str(),
                  micros(r.figures.p50_ns).c_str(), micros(r.figures.p99_ns).c_str(),
                  micros(r.figures.p999_ns).c_str(), kops(r.figures).c_str(), i + 1 < rows.size() ? "," : "");
    }
    std::printf("]\n");
    return;
  }
  std::printf("%-6s %5s %7s %8s %10s %10s %10s %10s %10s\n", "path", "depth", "threads", "requests", "mean_us",
              "p50_us", "p99_us", "p999_us", "kops");
  for (const Row& r : rows)
    std::printf("%-6s %5" PRIu64 " %7u %8" PRIu64 " %10s %10s %10s %10s %10s\n", xrp::io_path_name(r.path), r.depth,
                r.threads, r.figures.requests, micros(r.figures.mean_ns).c_str(), micros(r.figures.p50_ns).c_str(),
                micros(r.figures.p99_ns).c_str(), micros(r.figures.p999_ns).c_str(), kops(r.figures).c_str());
}

// Mean latency against depth (at the fewest threads) and throughput against
// threads (at the deepest tree), one line per path: the panels whose axis
// the run swept, or the latency one when it swept neither.
void plot(const std::vector<Row>& rows, const std::string& png, const std::string& profile, const Range& depths,
          const Range& thread_counts) {
  const uint32_t threads = static_cast<uint32_t>(thread_counts.first);
  const uint64_t depth = depths.last;
  const bool by_threads = thread_counts.last > thread_counts.first;
  const bool by_depth = depths.last > depths.first || !by_threads;
  draw_with_gnuplot(png, [&](const std::filesystem::path& dir) {
    std::string latency_plots;
    std::string throughput_plots;
    for (xrp::IoPath path : xrp::kAllIoPaths) {
      const std::string name = xrp::io_path_name(path);
      std::ofstream latency(dir / (name + "-latency.dat"));
      std::ofstream throughput(dir / (name + "-throughput.dat"));
      bool any_latency = false;
      bool any_throughput = false;
      for (const Row& r : rows) {
        if (r.path != path) continue;
        if (r.threads == threads) {
          latency << r.depth << ' ' << micros(r.figures.mean_ns) << '\n';
          any_latency = true;
        }
        if (r.depth == depth) {
          throughput << r.threads << ' ' << kops(r.figures) << '\n';
          any_throughput = true;
        }
      }
      auto add = [&](std::string& plots, const std::string& file) {
        plots +=
            (plots.empty() ? "" : ", ") + ("'" + (dir / file).string() + "' with linespoints title '" + name + "'");
      };
      if (any_latency) add(latency_plots, name + "-latency.dat");
      if (any_throughput) add(throughput_plots, name + "-throughput.dat");
    }
    std::ostringstream script;
    const int panels = (by_depth ? 1 : 0) + (by_threads ? 1 : 0);
    script << "set terminal pngcairo size " << 600 * panels << ",500\n"
           << "set output '" << png << "'\n"
           << "set multiplot layout 1," << panels << " title 'BPF-KV lookups on the device model (" << profile << ")'\n"
           << "set grid\nset key top left\nset offsets 0.5, 0.5, 0, 0\n";
    if (by_depth)
      script << "set xlabel 'index reads per lookup (tree depth)'\nset ylabel 'mean latency (us)'\n"
             << "set title '" << threads << " thread(s)'\n"
             << "plot " << latency_plots << "\n";
    if (by_threads)
      script << "set xlabel 'threads'\nset ylabel 'throughput (k lookups/s)'\n"
             << "set title 'depth " << depth << "'\n"
             << "plot " << throughput_plots << "\n";
    script << "unset multiplot\n";
    return script.str();
  });
}

}  // namespace

int xrp_bench_command(const Args& args) {
  CommandLine cl(args,
                 {"--profile", "--path", "--depth", "--threads", "--requests", "--keys", "--seed", "--format", "--plot",
                  "--db-dir", "--prog", "--section"},
                 {"--help"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(1, "nothing after bench (sbpf xrp bench [OPTIONS])");
  const std::string profile_name = cl.get_or("--profile", "p5800x");
  const device_model::DeviceProfile profile = profile_or_usage_error(profile_name);
  const std::string path_name = cl.get_or("--path", "all");
  std::vector<xrp::IoPath> paths;
  if (path_name == "all") {
    paths.assign(std::begin(xrp::kAllIoPaths), std::end(xrp::kAllIoPaths));
  } else if (auto path = xrp::io_path_named(path_name)) {
    paths.push_back(*path);
  } else {
    throw UsageError("--path is read, uring, spdk, xrp or all, not '" + path_name + "'");
  }
  const Range depths = parse_range(cl, "--depth", {1, 6}, 1, 12);
  const Range threads = parse_range(cl, "--threads", {1, 1}, 1, 1024);
  const uint64_t requests = cl.get_number("--requests").value_or(10000);
  if (requests == 0) throw UsageError("--requests must be at least 1");
  const uint64_t wanted_keys = cl.get_number("--keys").value_or(100000);
  if (wanted_keys == 0) throw UsageError("--keys must be at least 1");
  const uint64_t seed = cl.get_number("--seed").value_or(1);
  const std::string format = cl.get_choice("--format", {"table", "csv", "json"}, "table");
  const std::filesystem::path db_dir = cl.get_or("--db-dir", std::filesystem::temp_directory_path().string());
  if (!std::filesystem::is_directory(db_dir)) throw UsageError("--db-dir " + db_dir.string() + ": not a directory");

  const std::string prog = cl.get_or("--prog", bundled_sample("xrp/bpfkv_get.o"));
  isa::Program program = load_program_file(prog, cl.get_or("--section", ""));
  runtime::LoadOptions options;
  options.engine = runtime::EngineKind::kInterpreter;
  options.metered = true;
  runtime::LoadedProgram loaded = load_or_reject(std::move(program), verifier::xrp_program_type(), options, prog);
  xrp::BytecodeXrp function(loaded);

  // One database per depth: as many keys as asked for, or as that depth holds.
  std::vector<xrp::LookupDatabase> databases;
  for (uint64_t depth = depths.first; depth <= depths.last; ++depth) {
    // A tree of depth d holds at most 31^d keys (stop multiplying once past what was asked).
    uint64_t most = 1;
    for (uint64_t d = 0; d < depth && most < wanted_keys; ++d) most *= 31;
    const uint64_t keys = std::min(wanted_keys, most);
    std::optional<uint64_t> fill = xrp::bpfkv_fill_for_depth(keys, depth);
    if (!fill)
      throw UsageError(std::to_string(keys) + " keys make no tree of depth " + std::to_string(depth) +
                       " (with 2 to 31 entries a node)");
    const std::filesystem::path db =
        db_dir / ("sbpf-bpfkv-" + std::to_string(keys) + "-keys-" + std::to_string(*fill) + "-fill.db");
    if (!std::filesystem::exists(db)) {
      try {
        xrp::build_bpfkv_database(db.string(), {keys, 1, *fill});
      } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
      }
    }
    databases.push_back({db.string(), keys, 1});
  }

  const uint64_t configurations = paths.size() * (depths.last - depths.first + 1) * (threads.last - threads.first + 1);
  ProgressBar progress(configurations * requests, "lookups");
  uint64_t finished = 0;
  std::vector<Row> rows;
  for (xrp::IoPath path : paths) {
    for (uint64_t depth = depths.first; depth <= depths.last; ++depth) {
      for (uint64_t t = threads.first; t <= threads.last; ++t) {
        xrp::LookupExperiment experiment{path, static_cast<uint32_t>(t), requests, seed};
        xrp::LookupFigures figures = xrp::run_lookup_experiment(
            profile, databases[depth - depths.first], function, experiment,
            [&](uint64_t done) { progress.update(finished + done); });
        finished += requests;
        if (figures.wrong_answers != 0) {
          std::fprintf(stderr, "sbpf xrp bench: error: %s, depth %" PRIu64 ", %" PRIu64 " threads: %" PRIu64
                       " wrong answers; the first: %s\n",
                       xrp::io_path_name(path), depth, t, figures.wrong_answers, figures.first_problem.c_str());
          return kExitRejected;
        }
        rows.push_back({path, depth, static_cast<uint32_t>(t), figures});
      }
    }
  }
  print_rows(rows, format);
  if (auto png = cl.get("--plot")) plot(rows, *png, profile.name, depths, threads);
  return kExitOk;
}

}  // namespace sbpf::tools
