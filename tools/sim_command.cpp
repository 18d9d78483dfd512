// `sbpf sim lambda-io`: λ-IO's experiment on the device model — the bundled
// λ samples over generated data, through the host, the device, or the
// scheduler's choice per request — printed as a table, CSV or JSON and drawn
// with gnuplot, optionally swept over one parameter of the model.
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "datagen.h"
#include "device_model/device_profile.h"
#include "runtime/lambda_experiment.h"
#include "tools/bundled_sample.h"
#include "tools/command_line.h"
#include "tools/commands.h"
#include "tools/device_profile_option.h"
#include "tools/gnuplot.h"
#include "tools/program_file.h"
#include "tools/progress_bar.h"

namespace sbpf::tools {

namespace {

constexpr const char* kHelp =
    "usage: sbpf sim lambda-io [options]\n"
    "\n"
    "λ-IO's experiment on the device model: each workload (a λ sample over data\n"
    "made by sbpf-datagen) read in --requests requests of --size bytes, on the\n"
    "host (the host λ runtime over a page cache holding --cache-ratio of the\n"
    "data), on the device (λ-read commands to its cores), or in auto mode\n"
    "(λ-IO's scheduler, profiling both sides every --interval requests). Time is\n"
    "the model's: the same options give the same figures.\n"
    "\n"
    "  --profile P       the device (default daisy-csd; `sbpf device profiles`)\n"
    "  --workload W      stats64, stats32, knn, grep, bitmap, filter, extract, or\n"
    "                    all (the default)\n"
    "  --mode M          host, device, auto or all (the default)\n"
    "  --requests N      requests per run (default 200)\n"
    "  --size S          bytes per request (default 2M, λ-IO's)\n"
    "  --cache-ratio C   share of the data in the host's page cache, 0 to 1 (default 0)\n"
    "  --threads T       host threads issuing requests, each its next when its last\n"
    "                    ends (default 1)\n"
    "  --interval N      auto: requests per profiling window (default 200)\n"
    "  --samples K       auto: requests profiled per window (default 5)\n"
    "  --sweep NAME=A:B:STEP\n"
    "                    run once per value of NAME from A to B: cache-ratio,\n"
    "                    device-ps-per-instruction (the device cores' cost) or\n"
    "                    link-mb-per-s (the PCIe link's bandwidth)\n"
    "  --format F        table (the default), csv or json\n"
    "  --plot FILE.png   requests per second per workload and mode, against the\n"
    "                    swept value when there is one, drawn with gnuplot\n"
    "  --seed N          the data's, the cache's and the device's draws (default 1)\n"
    "  --data-dir DIR    keep the generated inputs here and reuse them\n"
    "\n"
    "CSV columns: workload,mode,requests,rps,mean_us,p99_us,link_bytes,device_share\n"
    "(with --sweep, the swept value first). A progress bar shows on a terminal.\n";

const std::vector<std::string> kWorkloads = {"stats64", "stats32", "knn", "grep", "bitmap", "filter", "extract"};
const std::vector<std::string> kSweeps = {"cache-ratio", "device-ps-per-instruction", "link-mb-per-s"};

// The most data a workload's input holds: requests beyond it read it again.
constexpr uint64_t kMaxInputBytes = 32u << 20;

double parse_decimal(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(value) || value < 0)
    throw UsageError(what + " must be a non-negative number, not '" + text + "'");
  return value;
}

struct Sweep {
  std::string name;  // empty: no sweep
  std::vector<double> values;
};

Sweep parse_sweep(const std::optional<std::string>& text) {
  if (!text) return {"", {0}};
  const size_t equals = text->find('=');
  const std::string name = text->substr(0, equals);
  if (equals == std::string::npos || std::find(kSweeps.begin(), kSweeps.end(), name) == kSweeps.end())
    throw UsageError(
        "--sweep takes NAME=A:B:STEP with NAME one of cache-ratio, device-ps-per-instruction, "
        "link-mb-per-s, not '" +
        *text + "'");
  std::vector<std::string> parts;
  std::stringstream range(text->substr(equals + 1));
  for (std::string part; std::getline(range, part, ':');) parts.push_back(part);
  if (parts.size() != 3)
    throw UsageError("--sweep " + name + " needs A:B:STEP, not '" + text->substr(equals + 1) + "'");
  const double from = parse_decimal(parts[0], "--sweep's A");
  const double to = parse_decimal(parts[1], "--sweep's B");
  const double step = parse_decimal(parts[2], "--sweep's STEP");
  if (step <= 0 || to < from) throw UsageError("--sweep needs A ≤ B and a STEP above 0");
  Sweep sweep{name, {}};
  // Counted, not accumulated, so that 0:1:0.1 ends at 1 and not short of it.
  const auto steps = static_cast<uint64_t>(std::floor((to - from) / step + 1e-9));
  if (steps > 1000) throw UsageError("--sweep asks for more than 1,000 runs");
  for (uint64_t i = 0; i <= steps; ++i) sweep.values.push_back(from + static_cast<double>(i) * step);
  if (name == "cache-ratio" && sweep.values.back() > 1) throw UsageError("cache-ratio goes from 0 to 1");
  return sweep;
}

// The input of `workload`: generated once per size and seed into `dir`.
std::string input_for(const std::string& workload, uint64_t bytes, uint64_t seed, const std::filesystem::path& dir) {
  const std::filesystem::path path =
      dir / (workload + "-" + std::to_string(bytes) + "-seed" + std::to_string(seed) + ".bin");
  std::error_code error;
  if (std::filesystem::file_size(path, error) == bytes && !error) return path.string();
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw UsageError("cannot write " + path.string() + ": " + std::strerror(errno));
  int write_error = 0;
  const bool written = dg_generate(dg_find_kind(workload.c_str()), bytes, seed, file, &write_error);
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed)
    throw UsageError("cannot write " + path.string() + ": " + std::strerror(write_error != 0 ? write_error : errno));
  return path.string();
}

struct Row {
  double swept = 0;
  std::string workload;
  runtime::LambdaMode mode;
  runtime::LambdaFigures figures;
};

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string swept_text(const Sweep& sweep, double value) {
  return sweep.name == "cache-ratio" ? fixed(value, 2) : fixed(value, 0);
}

void print(const std::vector<Row>& rows, const Sweep& sweep, const std::string& format) {
  const bool swept = !sweep.name.empty();
  if (format == "csv") {
    std::printf("%sworkload,mode,requests,rps,mean_us,p99_us,link_bytes,device_share\n",
                swept ? (sweep.name + ",").c_str() : "");
    for (const Row& r : rows)
      std::printf("%s%s,%s,%" PRIu64 ",%s,%s,%s,%" PRIu64 ",%s\n",
                  swept ? (swept_text(sweep, r.swept) + ",").c_str() : "", r.workload.c_str(),
                  runtime::mode_name(r.mode), r.figures.requests, fixed(r.figures.requests_per_second, 1).c_str(),
                  fixed(r.figures.mean_ns / 1000, 2).c_str(),
                  fixed(static_cast<double>(r.figures.p99_ns) / 1000, 2).c_str(), r.figures.link_bytes,
                  fixed(r.figures.device_share, 3).c_str());
    return;
  }
  if (format == "json") {
    std::printf("[\n");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf(
          "  {%s\"workload\": \"%s\", \"mode\": \"%s\", \"requests\": %" PRIu64
          ", \"rps\": %s, \"mean_us\": %s, \"p99_us\": %s, \"link_bytes\": %" PRIu64 ", \"device_share\": %s}%s\n",
          swept ? ("\"" + sweep.name + "\": " + swept_text(sweep, r.swept) + ", ").c_str() : "", r.workload.c_str(),
          runtime::mode_name(r.mode), r.figures.requests, fixed(r.figures.requests_per_second, 1).c_str(),
          fixed(r.figures.mean_ns / 1000, 2).c_str(), fixed(static_cast<double>(r.figures.p99_ns) / 1000, 2).c_str(),
          r.figures.link_bytes, fixed(r.figures.device_share, 3).c_str(), i + 1 < rows.size() ? "," : "");
    }
    std::printf("]\n");
    return;
  }
  if (swept) std::printf("%-26s ", sweep.name.c_str());
  std::printf("%-8s %-6s %8s %10s %10s %10s %14s %12s\n", "workload", "mode", "requests", "rps", "mean_us", "p99_us",
              "link_bytes", "device_share");
  for (const Row& r : rows) {
    if (swept) std::printf("%-26s ", swept_text(sweep, r.swept).c_str());
    std::printf("%-8s %-6s %8" PRIu64 " %10s %10s %10s %14" PRIu64 " %12s\n", r.workload.c_str(),
                runtime::mode_name(r.mode), r.figures.requests, fixed(r.figures.requests_per_second, 1).c_str(),
                fixed(r.figures.mean_ns / 1000, 2).c_str(),
                fixed(static_cast<double>(r.figures.p99_ns) / 1000, 2).c_str(), r.figures.link_bytes,
                fixed(r.figures.device_share, 3).c_str());
  }
}

// Without a sweep: requests per second per workload, a bar per mode. With
// one: a panel per workload, requests per second against the swept value,
// a line per mode.
void plot(const std::vector<Row>& rows, const Sweep& sweep, const std::vector<std::string>& workloads,
          const std::vector<runtime::LambdaMode>& modes, const std::string& png, const std::string& profile) {
  draw_with_gnuplot(png, [&](const std::filesystem::path& dir) {
    std::ostringstream script;
    const std::string title = "λ-IO on the device model (" + profile + ")";
    if (sweep.name.empty()) {
      std::ofstream data(dir / "rps.dat");
      for (const std::string& workload : workloads) {
        data << workload;
        for (runtime::LambdaMode mode : modes)
          for (const Row& r : rows)
            if (r.workload == workload && r.mode == mode) data << ' ' << r.figures.requests_per_second;
        data << '\n';
      }
      script << "set terminal pngcairo size 900,500\nset output '" << png << "'\n"
             << "set title '" << title << "'\nset ylabel 'requests per second'\nset grid ytics\n"
             << "set style data histograms\nset style histogram clustered\nset style fill solid 0.8\n"
             << "set key top left\nplot ";
      for (size_t m = 0; m < modes.size(); ++m)
        script << (m ? ", " : "") << "'" << (dir / "rps.dat").string() << "' using " << m + 2
               << (m == 0 ? ":xtic(1)" : "") << " title '" << runtime::mode_name(modes[m]) << "'";
      script << "\n";
      return script.str();
    }
    const size_t columns = std::min<size_t>(workloads.size(), 4);
    const size_t lines = (workloads.size() + columns - 1) / columns;
    script << "set terminal pngcairo size " << 450 * columns << "," << 380 * lines << "\nset output '" << png << "'\n"
           << "set multiplot layout " << lines << "," << columns << " title '" << title << "'\n"
           << "set grid\nset key top left\nset xlabel '" << sweep.name << "'\nset ylabel 'requests per second'\n";
    for (const std::string& workload : workloads) {
      std::string plots;
      for (runtime::LambdaMode mode : modes) {
        const std::string file = (dir / (workload + "-" + runtime::mode_name(mode) + ".dat")).string();
        std::ofstream data(file);
        for (const Row& r : rows)
          if (r.workload == workload && r.mode == mode) data << r.swept << ' ' << r.figures.requests_per_second << '\n';
        plots +=
            (plots.empty() ? "" : ", ") + ("'" + file + "' with linespoints title '" + runtime::mode_name(mode) + "'");
      }
      script << "set title '" << workload << "'\nplot " << plots << "\n";
    }
    script << "unset multiplot\n";
    return script.str();
  });
}

int lambda_io(const Args& args) {
  CommandLine cl(args,
                 {"--profile", "--workload", "--mode", "--requests", "--size", "--cache-ratio", "--threads",
                  "--interval", "--samples", "--sweep", "--format", "--plot", "--seed", "--data-dir"},
                 {"--help"});
  if (cl.has("--help")) {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  cl.expect_positionals(0, "nothing after lambda-io (sbpf sim lambda-io [OPTIONS])");
  const std::string profile_name = cl.get_or("--profile", "daisy-csd");
  const device_model::DeviceProfile base_profile = profile_or_usage_error(profile_name);
  if (base_profile.cores.count == 0)
    throw UsageError("profile " + base_profile.name + " has no device cores to run λ functions on");

  const std::string workload_name = cl.get_or("--workload", "all");
  std::vector<std::string> workloads = {workload_name};
  if (workload_name == "all") {
    workloads = kWorkloads;
  } else if (std::find(kWorkloads.begin(), kWorkloads.end(), workload_name) == kWorkloads.end()) {
    throw UsageError("--workload takes stats64, stats32, knn, grep, bitmap, filter, extract or all, not '" +
                     workload_name + "'");
  }
  const std::string mode_name = cl.get_or("--mode", "all");
  std::vector<runtime::LambdaMode> modes;
  if (mode_name == "all") {
    modes = {runtime::LambdaMode::kHost, runtime::LambdaMode::kDevice, runtime::LambdaMode::kAuto};
  } else if (auto mode = runtime::mode_named(mode_name)) {
    modes = {*mode};
  } else {
    throw UsageError("--mode takes host, device, auto or all, not '" + mode_name + "'");
  }
  runtime::LambdaExperiment experiment;
  experiment.requests = cl.get_number("--requests").value_or(200);
  experiment.request_bytes = cl.get_byte_size("--size").value_or(runtime::kLambdaChunkBytes);
  experiment.threads = static_cast<uint32_t>(cl.get_number("--threads").value_or(1));
  experiment.seed = cl.get_number("--seed").value_or(1);
  experiment.scheduler.interval = static_cast<uint32_t>(cl.get_number("--interval").value_or(200));
  experiment.scheduler.samples = static_cast<uint32_t>(cl.get_number("--samples").value_or(5));
  if (experiment.requests == 0) throw UsageError("--requests must be at least 1");
  if (experiment.request_bytes == 0) throw UsageError("--size must be at least 1 byte");
  if (experiment.threads == 0 || experiment.threads > 1024) throw UsageError("--threads must be 1 to 1024");
  try {
    runtime::LambdaScheduler check(experiment.scheduler);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const double cache_ratio = cl.has("--cache-ratio") ? parse_decimal(*cl.get("--cache-ratio"), "--cache-ratio") : 0;
  if (cache_ratio > 1) throw UsageError("--cache-ratio goes from 0 to 1");
  const Sweep sweep = parse_sweep(cl.get("--sweep"));
  const std::string format = cl.get_choice("--format", {"table", "csv", "json"}, "table");
  const auto png = cl.get("--plot");

  // Inputs: a whole number of requests, at most kMaxInputBytes of them.
  const uint64_t per_input =
      std::max<uint64_t>(std::min(experiment.requests, kMaxInputBytes / experiment.request_bytes), 1);
  const uint64_t input_bytes = per_input * experiment.request_bytes;
  std::filesystem::path data_dir;
  bool temporary = false;
  if (auto dir = cl.get("--data-dir")) {
    data_dir = *dir;
  } else {
    data_dir = std::filesystem::temp_directory_path() / ("sbpf-sim-" + std::to_string(getpid()));
    temporary = true;
  }
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) throw UsageError("cannot make " + data_dir.string() + ": " + error.message());
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ignored;
      if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{temporary ? data_dir : std::filesystem::path()};

  std::vector<Row> rows;
  ProgressBar progress(sweep.values.size() * workloads.size() * modes.size() * experiment.requests, "requests");
  uint64_t finished = 0;
  for (double value : sweep.values) {
    device_model::DeviceProfile profile = base_profile;
    runtime::LambdaExperiment run = experiment;
    run.cached_share = cache_ratio;
    if (sweep.name == "cache-ratio") run.cached_share = value;
    if (sweep.name == "device-ps-per-instruction") profile.cores.ps_per_instruction = std::llround(value);
    if (sweep.name == "link-mb-per-s") profile.link.bytes_per_second = static_cast<uint64_t>(std::llround(value * 1e6));
    if (profile.link.bytes_per_second == 0) throw UsageError("link-mb-per-s must be above 0");
    for (const std::string& workload : workloads) {
      const std::string input = input_for(workload, input_bytes, experiment.seed, data_dir);
      const std::vector<uint8_t> image = read_file(bundled_sample("lambda/" + workload + ".img"));
      for (runtime::LambdaMode mode : modes) {
        run.mode = mode;
        run.progress = [&](uint64_t done) { progress.update(finished + done); };
        Row row{value, workload, mode, runtime::run_lambda_experiment(profile, image, input, run)};
        finished += experiment.requests;
        rows.push_back(std::move(row));
      }
    }
  }
  print(rows, sweep, format);
  if (png) plot(rows, sweep, workloads, modes, *png, base_profile.name);
  return kExitOk;
}

}  // namespace

int sim_command(const Args& args) {
  if (args.empty() || args[0] == "--help") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "lambda-io") return lambda_io(Args(args.begin() + 1, args.end()));
  throw UsageError("unknown experiment '" + args[0] + "' (sbpf sim lambda-io)");
}

}  // namespace sbpf::tools
