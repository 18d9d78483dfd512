// The λ API: λ-IO's read and write with a λ function, run on the host or on
// the computational storage device — whichever the request's mode, or the
// scheduler, says — with the device on the model.
//
//   LambdaIo io(profile);
//   uint32_t file = io.open("data.bin");
//   uint32_t stats = *io.load(image).id;          // verified here, then on the device
//   io.read(file, 0, size, stats, out, LambdaMode::kAuto);
//
// A request is cut into chunks as the host λ runtime cuts a run
// (lambda_runtime.h: 2 MiB at multiples of 2 MiB from the request's start),
// each chunk is one invocation with a zeroed output buffer of the same
// capacity on either side, and the outputs are concatenated: the result is
// the same bytes whichever side ran.
//
// Where time comes from. Everything runs in the model's time (now_ns()),
// the host's side measured on the clock instead when asked
// (LambdaIoOptions::host_on_the_clock):
//   host   the request's syscall (crossing, read syscall, file system); the
//          range's uncached pages read from the device (block layer and
//          driver per command, the device's time, the interrupt and
//          wake-up) — pre_ns; the function's metered instructions and
//          helper bytes at the host cores' cost — calc_ns.
//   device the same syscall; the host's dirty pages of the range written
//          back first; one λ-read per chunk, up to one per device core at
//          once (block layer and driver each), waited for as a read is.
// The data is real: the host reads the file with pread, the device reads it
// as its namespace. The host's work is on the requesting thread's core
// (HostCpu: threads beyond the host's cores wait for one).
//
// Consistency between the two sides, as λ-IO keeps it: a device λ-read of a
// range the host holds dirty pages of writes them back first; a device
// λ-write drops the host's cached pages of the range it wrote.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "device_model/device_profile.h"
#include "device_model/event_queue.h"
#include "device_model/host_cpu.h"
#include "device_model/nvme_device.h"
#include "runtime/device_execution_port.h"
#include "runtime/lambda_runtime.h"
#include "runtime/lambda_scheduler.h"
#include "runtime/page_cache.h"

namespace sbpf::runtime {

enum class LambdaMode : uint8_t { kHost, kDevice, kAuto };
const char* mode_name(LambdaMode mode);
std::optional<LambdaMode> mode_named(const std::string& name);

struct LambdaIoOptions {
  uint64_t seed = 1;  // the device's random draws (NAND jitter)
  SchedulerOptions scheduler;
  LambdaRunOptions run;  // chunk size and output capacity, the same on both sides
  // Where the cached share comes from: the kernel's page cache (mincore),
  // or a modelled one with this starting share (deterministic).
  bool modelled_cache = false;
  double cached_share = 0;
  bool steady_cache = false;  // the modelled share stays as drawn (modelled_page_cache)
  // Each auto decision as a JSON line (LambdaScheduler::trace_line).
  std::function<void(const std::string&)> trace;
  // Host threads issuing requests (submit_read/submit_write), each with its
  // own NVMe queue pair, sharing the profile's host cores.
  uint32_t threads = 1;
  // The host side's times from the clock instead of the model: its misses
  // read for real (pread, through the kernel's page cache) and its function
  // run on the host's own engine (the JIT where there is one), both timed,
  // and the model's clock moved by what they took — λ-IO's host on a real
  // file, against the modelled device. Not deterministic; needs the
  // kernel's cache. Writes keep the model's times.
  bool host_on_the_clock = false;
  // What runs the device's programs: null for this process
  // (DeviceExecutionPort), or another (RemoteExecutionPort: the device
  // build in its own process). It must outlive the LambdaIo.
  device_model::ExecutionPort* device_port = nullptr;
};

// One request's outcome.
struct LambdaRequest {
  LambdaRunResult run;                  // chunks, output bytes, the failure if any
  bool profiled = false;                // ran on both sides (auto)
  LambdaSide side = LambdaSide::kHost;  // the side whose result this is (the host's when profiled)
  unsigned cached_percent = 0;          // the range's pages cached on the host when it started
  uint64_t latency_ns = 0;              // model time, start to end
  uint64_t link_bytes = 0;              // bytes over the PCIe link, both directions
  // What each side reported when it ran.
  std::optional<HostMeasurement> host;
  std::optional<uint64_t> device_ns;
};

class LambdaIo {
 public:
  // std::invalid_argument for a profile whose device has no cores, or no
  // threads.
  LambdaIo(device_model::DeviceProfile profile, LambdaIoOptions options = {});
  ~LambdaIo();
  LambdaIo(const LambdaIo&) = delete;
  LambdaIo& operator=(const LambdaIo&) = delete;

  // Opens `path` for requests (it must exist); the device sees it as a
  // namespace of its own. std::system_error when it cannot be opened.
  uint32_t open(const std::string& path);

  // Verifies the image's program on the host, downloads it to the device,
  // which verifies it again, and activates it there.
  struct Loaded {
    std::optional<uint32_t> id;
    std::string error;  // why not: the host's verifier, or the device's
  };
  Loaded load(std::span<const uint8_t> image);

  // λ-read: the function over [offset, offset + count) of `file` (count
  // clipped to the file's end), its output in `out`. `stream` is the
  // scheduler's stream (λ-IO keeps a window per stream). Runs the model
  // until the request ends, on host thread 0.
  LambdaRequest read(uint32_t file, uint64_t offset, uint64_t count, uint32_t lambda, std::vector<uint8_t>& out,
                     LambdaMode mode, uint32_t stream = 0);
  // λ-write: the function over `input`, its output stored in `file` from
  // `offset` (the file grows as needed).
  LambdaRequest write(uint32_t file, uint64_t offset, std::span<const uint8_t> input, uint32_t lambda, LambdaMode mode,
                      uint32_t stream = 0);
  // A plain buffered write: the data goes to the file through the host's
  // cache, whose pages of the range are dirty until written back.
  void write_buffered(uint32_t file, uint64_t offset, std::span<const uint8_t> data);

  // The same requests started on host thread `thread` (below
  // options.threads) at now_ns(), ending — `done` called — as the model's
  // clock runs (run()): many threads' requests in flight at once, sharing
  // the host's cores, the link and the device. `out` and `input` must
  // outlive the request.
  using Done = std::function<void(LambdaRequest&&)>;
  void submit_read(uint32_t thread, uint32_t file, uint64_t offset, uint64_t count, uint32_t lambda,
                   std::vector<uint8_t>& out, LambdaMode mode, uint32_t stream, Done done);
  void submit_write(uint32_t thread, uint32_t file, uint64_t offset, std::span<const uint8_t> input, uint32_t lambda,
                    LambdaMode mode, uint32_t stream, Done done);
  // Runs the model until nothing is left to do.
  void run() { clock_.run(); }

  uint64_t now_ns() const { return clock_.now(); }
  PageCache& page_cache(uint32_t file);
  const LambdaScheduler& scheduler() const { return scheduler_; }
  const device_model::NvmeDevice& device() const { return device_; }

 private:
  struct File;
  struct Lambda;
  struct Request;
  struct Batch;
  struct Thread;
  using Then = std::function<void()>;
  using HostThen = std::function<void(LambdaRunResult, HostMeasurement)>;
  using DeviceThen = std::function<void(LambdaRunResult)>;
  using RequestPtr = std::shared_ptr<Request>;

  File& file(uint32_t id);
  Lambda& lambda(uint32_t id);
  RequestPtr new_request(uint32_t thread, uint32_t file, uint32_t lambda, LambdaMode mode, uint32_t stream,
                         bool is_write, Done done);
  // Runs the model until `request` has ended.
  LambdaRequest wait_for(std::optional<LambdaRequest>& result);

  // The request's path: its system call, the choice of side, the side(s),
  // the end.
  void start(const RequestPtr& request);
  void run_host(const RequestPtr& request, std::vector<uint8_t>& out, HostThen then);
  void run_device(const RequestPtr& request, std::vector<uint8_t>& out, DeviceThen then);
  void finish(const RequestPtr& request);
  void host_read(const RequestPtr& request, std::vector<uint8_t>& out, HostThen then);
  void host_read_on_the_clock(const RequestPtr& request, std::vector<uint8_t>& out, HostThen then);
  void device_read(const RequestPtr& request, std::vector<uint8_t>& out, DeviceThen then);
  void host_write(const RequestPtr& request, HostThen then);
  void device_write(const RequestPtr& request, uint64_t chunk_offset, uint64_t at, LambdaRunResult result,
                    DeviceThen then);

  // Issues `commands` from `thread`, at most `at_once` in flight, each
  // through the block layer and the driver on the thread's core; `prepare`
  // (may be null) fills a command just before it goes, `each` (may be null)
  // sees each completion as it comes; `then` runs when the last has come
  // and the thread has woken. Link bytes are added to `link_bytes`.
  void issue(uint32_t thread, std::vector<device_model::Command> commands, size_t at_once,
             std::function<void(size_t, device_model::Command&)> prepare,
             std::function<void(size_t, const device_model::Completion&)> each,
             std::function<void(std::vector<device_model::Completion>&)> then, uint64_t* link_bytes);
  void issue_more(const std::shared_ptr<Batch>& batch);
  void completed(Thread& thread);
  // `work` of CPU time on `thread`'s core, then `then`.
  void compute(uint32_t thread, uint64_t work, Then then);
  // The host's dirty pages of `range` go to the device, then `then`.
  void write_back(uint32_t thread, File& file, FileRange range, uint64_t* link_bytes, Then then);
  // The host's buffered write of `data`: into the file, the pages dirty.
  void store(File& file, uint64_t offset, std::span<const uint8_t> data);
  LambdaRunResult reproduce_abort(File& file, Lambda& lambda, std::span<const uint8_t> chunk, uint64_t chunk_offset);

  LambdaIoOptions options_;
  device_model::EventQueue clock_;
  device_model::NvmeDevice device_;
  DeviceExecutionPort port_;
  device_model::CorePool host_costs_;  // what the host's runs cost a core
  device_model::HostCpu cpu_;          // the host threads' cores
  LambdaScheduler scheduler_;
  std::vector<std::unique_ptr<Thread>> threads_;
  std::vector<std::unique_ptr<File>> files_;
  std::vector<std::unique_ptr<Lambda>> lambdas_;
  uint64_t next_tag_ = 0;
};

}  // namespace sbpf::runtime
