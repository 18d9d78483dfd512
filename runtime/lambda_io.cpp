#include "runtime/lambda_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <system_error>

#include "device_model/lambda_command_format.h"

namespace sbpf::runtime {

namespace dm = device_model;

namespace {

// The largest read or write the host sends as one command (Linux's default
// max_sectors_kb): page-cache misses and write-backs are cut to it.
constexpr uint64_t kMaxTransferBytes = 128 << 10;
// λ-write destinations are described in extents of at most this much
// (λ-IO's 24-bit length, rounded down to a power of two).
constexpr uint64_t kWriteExtentBytes = 8 << 20;

uint64_t blocks_for(uint64_t bytes, uint32_t lba_size) { return (bytes + lba_size - 1) / lba_size; }

// Reads or writes of the page runs `runs` of the file that is `space`, cut
// to the host's largest transfer; their buffers are attached when issued.
std::vector<dm::Command> block_commands(dm::Opcode opcode, uint32_t namespace_id, const dm::NamespaceFile& space,
                                        const std::vector<FileRange>& runs) {
  const uint32_t lba = space.lba_size();
  std::vector<dm::Command> commands;
  for (const FileRange& run : runs) {
    for (uint64_t at = run.offset; at < run.offset + run.bytes && at < space.size_bytes(); at += kMaxTransferBytes) {
      const uint64_t bytes = std::min({kMaxTransferBytes, run.offset + run.bytes - at, space.size_bytes() - at});
      dm::Command command;
      command.opcode = opcode;
      command.namespace_id = namespace_id;
      command.start_lba = at / lba;
      command.block_count = static_cast<uint32_t>(blocks_for(bytes, lba));
      commands.push_back(command);
    }
  }
  return commands;
}

void pread_all(int fd, const std::string& path, uint64_t offset, std::span<uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), path);
    if (n == 0) {  // past the end: the file shrank underneath
      std::fill(bytes.begin() + static_cast<ptrdiff_t>(done), bytes.end(), 0);
      return;
    }
    done += static_cast<size_t>(n);
  }
}

void pwrite_all(int fd, const std::string& path, uint64_t offset, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), path);
    done += static_cast<size_t>(n);
  }
}

// A λ function that adds up what its runs did, for the host's calc time.
class CountingLambda : public LambdaFunction {
 public:
  explicit CountingLambda(LambdaFunction& function) : function_(function) {}
  ExecutionResult invoke(LambdaContext& context, std::span<const uint8_t> input, std::span<uint8_t> output) override {
    ExecutionResult result = function_.invoke(context, input, output);
    instructions += result.instructions;
    helper_bytes += result.helper_bytes;
    return result;
  }
  uint64_t instructions = 0;
  uint64_t helper_bytes = 0;

 private:
  LambdaFunction& function_;
};

// The data a command moved over the link, once it completed.
uint64_t link_bytes_of(const dm::Command& command, const dm::Completion& completion) {
  if (completion.status != dm::Status::success) return 0;
  switch (command.opcode) {
    case dm::Opcode::read:
    case dm::Opcode::write:
    case dm::Opcode::program_download:
      return command.data.size();
    case dm::Opcode::lambda_read: {
      const dm::LambdaReplyHeader header = dm::decode_reply_header(command.data.first<dm::kLambdaReplyHeaderBytes>());
      const uint64_t capacity = command.data.size() - dm::kLambdaReplyHeaderBytes;
      const bool sent = header.size_o >= 0 && static_cast<uint64_t>(header.size_o) <= capacity;
      return dm::kLambdaReplyHeaderBytes + (sent ? static_cast<uint64_t>(header.size_o) : 0);
    }
    case dm::Opcode::lambda_write:
      return command.data.size() + dm::kLambdaReplyHeaderBytes;
    default:
      return 0;
  }
}

bool same_outcome(const LambdaRunResult& a, const LambdaRunResult& b) {
  if (a.ok() != b.ok() || a.chunks != b.chunks || a.output_bytes != b.output_bytes) return false;
  return a.ok() || (a.failure->kind == b.failure->kind && a.failure->chunk_offset == b.failure->chunk_offset);
}

}  // namespace

const char* mode_name(LambdaMode mode) {
  switch (mode) {
    case LambdaMode::kHost:
      return "host";
    case LambdaMode::kDevice:
      return "device";
    case LambdaMode::kAuto:
      return "auto";
  }
  return "?";
}

std::optional<LambdaMode> mode_named(const std::string& name) {
  for (LambdaMode mode : {LambdaMode::kHost, LambdaMode::kDevice, LambdaMode::kAuto})
    if (name == mode_name(mode)) return mode;
  return std::nullopt;
}

struct LambdaIo::File {
  std::string path;
  int fd = -1;
  uint32_t namespace_id = 0;
  std::unique_ptr<PageCache> cache;
  // The file's size as its file system keeps it. The device stores whole
  // blocks, so a write-back of the last block pads the file underneath; the
  // padding comes off again (trim()).
  uint64_t logical_size = 0;

  ~File() {
    if (fd >= 0) ::close(fd);
  }
  uint64_t size_on_disk() const {
    struct stat st;
    if (::fstat(fd, &st) != 0) throw std::system_error(errno, std::generic_category(), path);
    return static_cast<uint64_t>(st.st_size);
  }
  void trim() const {
    if (size_on_disk() > logical_size && ::ftruncate(fd, static_cast<off_t>(logical_size)) != 0)
      throw std::system_error(errno, std::generic_category(), path);
  }
};

struct LambdaIo::Lambda {
  // On the host's metered interpreter, and on its JIT for times on the clock.
  LambdaImageProgram program;
  uint32_t device_slot = 0;
};

// A host thread: its queue pair, and which batch each command in flight
// belongs to.
struct LambdaIo::Thread {
  dm::QueuePair* queue = nullptr;
  std::map<uint64_t, std::pair<std::shared_ptr<Batch>, size_t>> in_flight;  // by tag
};

struct LambdaIo::Batch {
  uint32_t thread = 0;
  std::vector<dm::Command> commands;
  std::vector<dm::Completion> completions;
  size_t at_once = 1, next = 0, in_flight = 0, finished = 0;
  std::function<void(size_t, dm::Command&)> prepare;
  std::function<void(size_t, const dm::Completion&)> each;
  std::function<void(std::vector<dm::Completion>&)> then;
  uint64_t* link_bytes = nullptr;
};

struct LambdaIo::Request {
  uint32_t thread = 0;
  uint32_t stream = 0;
  bool is_write = false;
  LambdaMode mode = LambdaMode::kHost;
  File* file = nullptr;
  Lambda* lambda = nullptr;
  FileRange range;                      // read: the file's; write: where the output goes from
  std::vector<uint8_t>* out = nullptr;  // read: the caller's
  std::span<const uint8_t> input;       // write: the caller's
  std::vector<uint8_t> device_output;   // a profiled read's second result
  dm::Nanoseconds started = 0;
  LambdaRequest result;
  Done done;
};

LambdaIo::LambdaIo(dm::DeviceProfile profile, LambdaIoOptions options)
    : options_(std::move(options)),
      device_(std::move(profile), clock_, options_.seed),
      host_costs_(device_.profile().host.cores),
      cpu_(device_.profile().host.cores.count, device_.profile().host.scheduler, options_.threads,
           dm::HostCpu::Waiting::sleeps),
      scheduler_(options_.scheduler) {
  if (device_.profile().cores.count == 0)
    throw std::invalid_argument("profile " + device_.profile().name + " has no device cores to run λ functions on");
  if (options_.host_on_the_clock && options_.modelled_cache)
    throw std::invalid_argument("host times from the clock need the kernel's page cache, not a modelled one");
  device_.set_execution_port(options_.device_port != nullptr ? options_.device_port : &port_);
  for (uint32_t t = 0; t < options_.threads; ++t) {
    auto thread = std::make_unique<Thread>();
    thread->queue = &device_.create_queue_pair(1024, dm::CompletionMode::interrupt);
    Thread* raw = thread.get();
    thread->queue->on_completion([this, raw](dm::QueuePair&) { completed(*raw); });
    threads_.push_back(std::move(thread));
  }
}

LambdaIo::~LambdaIo() = default;

uint32_t LambdaIo::open(const std::string& path) {
  auto file = std::make_unique<File>();
  file->path = path;
  file->fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (file->fd < 0 && (errno == EACCES || errno == EROFS)) file->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd < 0) throw std::system_error(errno, std::generic_category(), path);
  const auto id = static_cast<uint32_t>(files_.size());
  file->namespace_id = id + 1;
  device_.attach_namespace(file->namespace_id, dm::NamespaceFile::open_existing(path));
  file->logical_size = file->size_on_disk();
  file->cache = options_.modelled_cache ? modelled_page_cache(file->logical_size, options_.cached_share,
                                                              options_.seed + id, options_.steady_cache)
                                        : kernel_page_cache(path);
  files_.push_back(std::move(file));
  return id;
}

LambdaIo::File& LambdaIo::file(uint32_t id) {
  if (id >= files_.size()) throw std::out_of_range("no file " + std::to_string(id));
  return *files_[id];
}

LambdaIo::Lambda& LambdaIo::lambda(uint32_t id) {
  if (id >= lambdas_.size()) throw std::out_of_range("no λ function " + std::to_string(id));
  return *lambdas_[id];
}

PageCache& LambdaIo::page_cache(uint32_t id) { return *file(id).cache; }

LambdaIo::Loaded LambdaIo::load(std::span<const uint8_t> image_bytes) {
  LoadedLambdaImage host = load_lambda_image(image_bytes, options_.host_on_the_clock);
  if (!host.program) return {std::nullopt, host.error};
  auto loaded = std::make_unique<Lambda>(Lambda{std::move(*host.program), 0});

  // Download, then activate, from thread 0, one after the other.
  const auto id = static_cast<uint32_t>(lambdas_.size());
  std::vector<uint8_t> bytes(image_bytes.begin(), image_bytes.end());
  std::optional<dm::Completion> downloaded, activated;
  std::vector<dm::Command> download(1);
  download[0].opcode = dm::Opcode::program_download;
  download[0].program_id = id;
  download[0].data = bytes;
  issue(
      0, download, 1, nullptr, nullptr, [&](std::vector<dm::Completion>& done) { downloaded = done.front(); }, nullptr);
  while (!downloaded && clock_.step()) {
  }
  if (downloaded->status != dm::Status::success)
    return {std::nullopt, "the device refused it (" + dm::status_name(downloaded->status) + "): " + downloaded->detail};
  std::vector<dm::Command> activate(1);
  activate[0].opcode = dm::Opcode::program_activate;
  activate[0].program_id = id;
  issue(
      0, activate, 1, nullptr, nullptr, [&](std::vector<dm::Completion>& done) { activated = done.front(); }, nullptr);
  while (!activated && clock_.step()) {
  }
  if (activated->status != dm::Status::success)
    return {std::nullopt, "the device did not activate it (" + dm::status_name(activated->status) + ")"};
  loaded->device_slot = id;
  lambdas_.push_back(std::move(loaded));
  return {id, ""};
}

// --- commands and CPU time ---

void LambdaIo::compute(uint32_t thread, uint64_t work, Then then) {
  clock_.schedule_at(cpu_.run(thread, clock_.now(), work), std::move(then), "host thread computes");
}

void LambdaIo::issue(uint32_t thread, std::vector<dm::Command> commands, size_t at_once,
                     std::function<void(size_t, dm::Command&)> prepare,
                     std::function<void(size_t, const dm::Completion&)> each,
                     std::function<void(std::vector<dm::Completion>&)> then, uint64_t* link_bytes) {
  auto batch = std::make_shared<Batch>();
  batch->thread = thread;
  batch->completions.resize(commands.size());
  batch->commands = std::move(commands);
  batch->at_once = std::max<size_t>(at_once, 1);
  batch->prepare = std::move(prepare);
  batch->each = std::move(each);
  batch->then = std::move(then);
  batch->link_bytes = link_bytes;
  if (batch->commands.empty()) {
    batch->then(batch->completions);
    return;
  }
  issue_more(batch);
}

void LambdaIo::issue_more(const std::shared_ptr<Batch>& batch) {
  // The thread issues each command through the block layer and the driver
  // on its core, one after the other.
  const dm::Nanoseconds per_command =
      device_.profile().host.layers.block_layer_ns + device_.profile().host.layers.driver_ns;
  while (batch->next < batch->commands.size() && batch->in_flight < batch->at_once) {
    const size_t index = batch->next++;
    ++batch->in_flight;
    const dm::Nanoseconds issued = cpu_.run(batch->thread, clock_.now(), per_command);
    clock_.schedule_at(
        issued,
        [this, batch, index] {
          dm::Command& command = batch->commands[index];
          if (batch->prepare) batch->prepare(index, command);
          const uint64_t tag = next_tag_++;
          command.command_id = static_cast<uint16_t>(tag);
          command.tag = tag;
          Thread& thread = *threads_[batch->thread];
          thread.in_flight.emplace(tag, std::make_pair(batch, index));
          if (!thread.queue->submit(command)) throw std::logic_error("a host thread's queue pair is full");
          thread.queue->ring_submission_doorbell();
        },
        "host issues a command");
  }
}

void LambdaIo::completed(Thread& thread) {
  for (const dm::Completion& completion : thread.queue->reap()) {
    auto it = thread.in_flight.find(completion.tag);
    if (it == thread.in_flight.end()) throw std::logic_error("a completion for no command");
    auto [batch, index] = std::move(it->second);
    thread.in_flight.erase(it);
    batch->completions[index] = completion;
    if (batch->link_bytes != nullptr) *batch->link_bytes += link_bytes_of(batch->commands[index], completion);
    if (batch->each) batch->each(index, completion);
    --batch->in_flight;
    ++batch->finished;
    if (batch->finished == batch->commands.size()) {
      // The thread sleeping on the batch wakes.
      clock_.schedule_at(
          device_.interrupts().thread_resumes(clock_.now(), dm::CompletionMode::interrupt),
          [batch] { batch->then(batch->completions); }, "host thread wakes");
    } else {
      issue_more(batch);
    }
  }
}

void LambdaIo::write_back(uint32_t thread, File& f, FileRange range, uint64_t* link_bytes, Then then) {
  const std::vector<FileRange> runs = f.cache->dirty(range);
  if (runs.empty()) {
    then();
    return;
  }
  const dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
  const uint32_t lba = space.lba_size();
  std::vector<dm::Command> commands = block_commands(dm::Opcode::write, f.namespace_id, space, runs);
  // The pages' data is read from the file as each write goes, into a buffer
  // the batch keeps.
  auto buffers = std::make_shared<std::vector<std::vector<uint8_t>>>(commands.size());
  f.cache->cleaned(range);
  issue(
      thread, std::move(commands), SIZE_MAX,
      [&f, buffers, lba](size_t index, dm::Command& command) {
        (*buffers)[index].resize(static_cast<size_t>(command.block_count) * lba);
        pread_all(f.fd, f.path, command.start_lba * lba, (*buffers)[index]);
        command.data = (*buffers)[index];
      },
      nullptr,
      [&f, buffers, then = std::move(then)](std::vector<dm::Completion>& done) {
        for (const dm::Completion& completion : done)
          if (completion.status != dm::Status::success)
            throw std::runtime_error("writing back " + f.path + ": " + dm::status_name(completion.status));
        f.trim();
        then();
      },
      link_bytes);
}

void LambdaIo::store(File& f, uint64_t offset, std::span<const uint8_t> data) {
  pwrite_all(f.fd, f.path, offset, data);
  f.logical_size = std::max(f.logical_size, offset + data.size());
  dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
  space.grow(std::max(space.block_count(), blocks_for(offset + data.size(), space.lba_size())));
  f.cache->wrote({offset, data.size()});
}

void LambdaIo::write_buffered(uint32_t id, uint64_t offset, std::span<const uint8_t> data) {
  store(file(id), offset, data);
}

// --- requests ---

LambdaIo::RequestPtr LambdaIo::new_request(uint32_t thread, uint32_t file_id, uint32_t lambda_id, LambdaMode mode,
                                           uint32_t stream, bool is_write, Done done) {
  if (thread >= threads_.size()) throw std::out_of_range("no host thread " + std::to_string(thread));
  auto request = std::make_shared<Request>();
  request->thread = thread;
  request->stream = stream;
  request->is_write = is_write;
  request->mode = mode;
  request->file = &file(file_id);
  request->lambda = &lambda(lambda_id);
  request->started = clock_.now();
  request->done = std::move(done);
  return request;
}

void LambdaIo::submit_read(uint32_t thread, uint32_t file_id, uint64_t offset, uint64_t count, uint32_t lambda_id,
                           std::vector<uint8_t>& out, LambdaMode mode, uint32_t stream, Done done) {
  RequestPtr request = new_request(thread, file_id, lambda_id, mode, stream, false, std::move(done));
  const uint64_t size = request->file->logical_size;
  request->range = {std::min(offset, size), std::min(count, size - std::min(offset, size))};
  request->out = &out;
  request->result.cached_percent = request->file->cache->residency(request->range).percent();
  start(request);
}

void LambdaIo::submit_write(uint32_t thread, uint32_t file_id, uint64_t offset, std::span<const uint8_t> input,
                            uint32_t lambda_id, LambdaMode mode, uint32_t stream, Done done) {
  RequestPtr request = new_request(thread, file_id, lambda_id, mode, stream, true, std::move(done));
  request->range = {offset, 0};
  request->input = input;
  start(request);
}

LambdaRequest LambdaIo::wait_for(std::optional<LambdaRequest>& result) {
  while (!result && clock_.step()) {
  }
  if (!result) throw std::logic_error("the device model stopped with a λ request unfinished");
  return std::move(*result);
}

LambdaRequest LambdaIo::read(uint32_t file_id, uint64_t offset, uint64_t count, uint32_t lambda_id,
                             std::vector<uint8_t>& out, LambdaMode mode, uint32_t stream) {
  std::optional<LambdaRequest> result;
  submit_read(0, file_id, offset, count, lambda_id, out, mode, stream,
              [&result](LambdaRequest&& done) { result = std::move(done); });
  return wait_for(result);
}

LambdaRequest LambdaIo::write(uint32_t file_id, uint64_t offset, std::span<const uint8_t> input, uint32_t lambda_id,
                              LambdaMode mode, uint32_t stream) {
  std::optional<LambdaRequest> result;
  submit_write(0, file_id, offset, input, lambda_id, mode, stream,
               [&result](LambdaRequest&& done) { result = std::move(done); });
  return wait_for(result);
}

void LambdaIo::start(const RequestPtr& request) {
  // The request's system call, whichever side serves it.
  const dm::HostStackCosts& layers = device_.profile().host.layers;
  compute(request->thread, layers.crossing_ns + layers.syscall_ns + layers.file_system_ns, [this, request] {
    LambdaRequest& result = request->result;
    result.side = request->mode == LambdaMode::kDevice ? LambdaSide::kDevice : LambdaSide::kHost;
    if (request->mode == LambdaMode::kAuto) {
      const LambdaScheduler::Decision decision =
          scheduler_.decide(request->stream, result.cached_percent, request->is_write);
      if (options_.trace) options_.trace(LambdaScheduler::trace_line(request->stream, result.cached_percent, decision));
      result.profiled = decision.profile;
      result.side = decision.profile ? LambdaSide::kHost : decision.side;
    }
    // A write has no output for the caller; its sides leave this untouched.
    std::vector<uint8_t>& out = request->out != nullptr ? *request->out : request->device_output;
    if (!result.profiled) {
      if (result.side == LambdaSide::kHost) {
        run_host(request, out, [this, request](LambdaRunResult, HostMeasurement) { finish(request); });
      } else {
        run_device(request, out, [this, request](LambdaRunResult) { finish(request); });
      }
      return;
    }
    // Both sides, the host first (λ-IO's order); the host's result stands,
    // and the device's must be the same.
    run_host(request, out, [this, request](LambdaRunResult, HostMeasurement) {
      run_device(request, request->device_output, [this, request](LambdaRunResult device_result) {
        LambdaRequest& r = request->result;
        const bool same =
            same_outcome(r.run, device_result) && (request->out == nullptr || request->device_output == *request->out);
        if (!same)
          throw std::logic_error("the host and the device disagree on a λ " +
                                 std::string(request->is_write ? "write" : "read") + " of " + request->file->path);
        scheduler_.report(request->stream, *r.host, *r.device_ns, request->is_write);
        finish(request);
      });
    });
  });
}

void LambdaIo::run_host(const RequestPtr& request, std::vector<uint8_t>& out, HostThen then) {
  HostThen measured = [request, then = std::move(then)](LambdaRunResult run, HostMeasurement m) {
    m.cached_percent = request->result.cached_percent;
    request->result.host = m;
    request->result.run = run;  // the host runs first when both do
    then(std::move(run), m);
  };
  if (request->is_write) {
    host_write(request, std::move(measured));
  } else {
    host_read(request, out, std::move(measured));
  }
}

void LambdaIo::run_device(const RequestPtr& request, std::vector<uint8_t>& out, DeviceThen then) {
  const dm::Nanoseconds began = clock_.now();
  DeviceThen timed = [this, request, began, then = std::move(then)](LambdaRunResult run) {
    request->result.device_ns = clock_.now() - began;
    if (!request->result.profiled) request->result.run = run;
    then(std::move(run));
  };
  if (request->is_write) {
    device_write(request, 0, request->range.offset, LambdaRunResult{}, std::move(timed));
  } else {
    device_read(request, out, std::move(timed));
  }
}

void LambdaIo::finish(const RequestPtr& request) {
  request->result.latency_ns = clock_.now() - request->started;
  request->done(std::move(request->result));
}

void LambdaIo::host_read_on_the_clock(const RequestPtr& request, std::vector<uint8_t>& out, HostThen then) {
  // pre: the range's missing pages read for real, which brings them into
  // the kernel's cache; calc: the function on the host's own engine. Both
  // timed, and the thread's time on the model is what they took.
  using Clock = std::chrono::steady_clock;
  File& f = *request->file;
  const FileRange range = request->range;
  HostMeasurement measured;
  const auto pre_start = Clock::now();
  std::vector<uint8_t> page_run;
  for (const FileRange& run : f.cache->missing(range)) {
    const uint64_t bytes = std::min(run.bytes, f.logical_size - std::min(run.offset, f.logical_size));
    page_run.resize(bytes);
    pread_all(f.fd, f.path, run.offset, page_run);
    request->result.link_bytes += bytes;
  }
  const auto calc_start = Clock::now();
  Lambda& l = *request->lambda;
  out.clear();
  LambdaRunResult result = run_lambda(
      l.program.native_function ? *l.program.native_function : *l.program.function, range.bytes,
      [&](uint64_t offset, std::span<uint8_t> chunk) { pread_all(f.fd, f.path, range.offset + offset, chunk); },
      [&](std::span<const uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }, options_.run);
  const auto end = Clock::now();
  auto ns = [](Clock::duration d) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  };
  measured.pre_ns = ns(calc_start - pre_start);
  measured.calc_ns = ns(end - calc_start);
  compute(
      request->thread, measured.pre_ns + measured.calc_ns,
      [result = std::move(result), measured, then = std::move(then)]() mutable { then(std::move(result), measured); });
}

void LambdaIo::host_read(const RequestPtr& request, std::vector<uint8_t>& out, HostThen then) {
  if (options_.host_on_the_clock) {
    host_read_on_the_clock(request, out, std::move(then));
    return;
  }
  // pre: the range's missing pages come in from the device, all at once.
  File& f = *request->file;
  const FileRange range = request->range;
  const dm::Nanoseconds start = clock_.now();
  const dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
  const uint32_t lba = space.lba_size();
  std::vector<dm::Command> commands = block_commands(dm::Opcode::read, f.namespace_id, space, f.cache->missing(range));
  auto buffers = std::make_shared<std::vector<std::vector<uint8_t>>>(commands.size());
  issue(
      request->thread, std::move(commands), SIZE_MAX,
      [buffers, lba](size_t index, dm::Command& command) {
        (*buffers)[index].resize(static_cast<size_t>(command.block_count) * lba);
        command.data = (*buffers)[index];
      },
      nullptr,
      [this, request, &out, start, buffers, then = std::move(then)](std::vector<dm::Completion>&) mutable {
        buffers->clear();
        File& f = *request->file;
        f.cache->loaded(request->range);
        HostMeasurement measured;
        measured.pre_ns = clock_.now() - start;
        // calc: the function over the cached pages, on the thread's core.
        CountingLambda counting(*request->lambda->program.function);
        out.clear();
        LambdaRunResult result = run_lambda(
            counting, request->range.bytes,
            [&](uint64_t offset, std::span<uint8_t> chunk) {
              pread_all(f.fd, f.path, request->range.offset + offset, chunk);
            },
            [&](std::span<const uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }, options_.run);
        measured.calc_ns = host_costs_.cost(counting.instructions, counting.helper_bytes);
        compute(request->thread, measured.calc_ns,
                [result = std::move(result), measured, then = std::move(then)]() mutable {
                  then(std::move(result), measured);
                });
      },
      &request->result.link_bytes);
}

LambdaRunResult LambdaIo::reproduce_abort(File& f, Lambda& l, std::span<const uint8_t> chunk, uint64_t chunk_offset) {
  // The device says only that its run aborted; the same run on the host
  // gives the abort in full (kind, pc, source line). The two sides run one
  // semantics, so a host run that does not abort is a bug.
  std::vector<uint8_t> ignored;
  LambdaRunResult result = run_lambda(*l.program.function, chunk, ignored, options_.run);
  if (result.ok() || result.failure->kind != LambdaFailure::Kind::kAbort)
    throw std::logic_error("the device aborted the λ function on " + f.path + " at offset " +
                           std::to_string(chunk_offset) + " but the host does not");
  result.failure->chunk_offset = chunk_offset;
  return result;
}

namespace {

// A chunk's reply turned into its share of the run: output appended, or the
// failure (an abort is left to the caller, which reproduces it).
void take_reply(const dm::LambdaReplyHeader& header, std::span<const uint8_t> output, uint64_t capacity,
                uint64_t chunk_offset, uint64_t chunk_bytes, LambdaRunResult& result, std::vector<uint8_t>* out) {
  if (header.size_o < 0) {
    result.failure = LambdaFailure{LambdaFailure::Kind::kErrorReturn, chunk_offset, chunk_bytes, {}, header.size_o};
  } else if (static_cast<uint64_t>(header.size_o) > capacity) {
    result.failure = LambdaFailure{LambdaFailure::Kind::kOutputOverrun, chunk_offset, chunk_bytes, {}, header.size_o};
  } else {
    if (out != nullptr) out->insert(out->end(), output.begin(), output.begin() + header.size_o);
    result.output_bytes += static_cast<uint64_t>(header.size_o);
  }
}

}  // namespace

void LambdaIo::device_read(const RequestPtr& request, std::vector<uint8_t>& out, DeviceThen then) {
  File& f = *request->file;
  write_back(
      request->thread, f, request->range, &request->result.link_bytes,
      [this, request, &out, then = std::move(then)]() mutable {
        File& f = *request->file;
        const FileRange range = request->range;
        const uint64_t chunk_bytes = std::max<uint64_t>(options_.run.chunk_bytes, 1);
        const uint64_t chunks = std::max<uint64_t>((range.bytes + chunk_bytes - 1) / chunk_bytes, 1);
        // Per chunk: its metadata, and its reply while in flight, then only
        // what it produced (the reply buffer is as large as the output's
        // capacity, so few are kept).
        struct Replies {
          std::vector<dm::LambdaMetadata> metadata;
          std::vector<std::vector<uint8_t>> buffers;
          std::vector<dm::LambdaReplyHeader> headers;
          std::vector<std::vector<uint8_t>> outputs;
        };
        auto replies = std::make_shared<Replies>();
        replies->metadata.resize(chunks);
        replies->buffers.resize(chunks);
        replies->headers.resize(chunks);
        replies->outputs.resize(chunks);
        std::vector<dm::Command> commands(chunks);
        for (uint64_t i = 0; i < chunks; ++i) {
          const FileRange chunk{range.offset + i * chunk_bytes, std::min(chunk_bytes, range.bytes - i * chunk_bytes)};
          std::vector<dm::LambdaExtent> extents;
          if (chunk.bytes != 0) extents.push_back({chunk.offset, chunk.bytes});  // the file is its namespace from 0
          replies->metadata[i] = dm::encode_lambda_metadata(extents);
          dm::Command& command = commands[i];
          command.opcode = dm::Opcode::lambda_read;
          command.namespace_id = f.namespace_id;
          command.program_id = request->lambda->device_slot;
          command.metadata = replies->metadata[i];
          command.extent_count = static_cast<uint32_t>(extents.size());
        }
        const uint64_t capacity = options_.run.output_capacity;
        issue(
            request->thread, std::move(commands), device_.cores().count(),
            [replies, capacity](size_t index, dm::Command& command) {
              replies->buffers[index].assign(dm::kLambdaReplyHeaderBytes + capacity, 0);
              command.data = replies->buffers[index];
            },
            [replies](size_t index, const dm::Completion& completion) {
              std::vector<uint8_t> buffer = std::move(replies->buffers[index]);
              if (completion.status != dm::Status::success) return;
              const dm::LambdaReplyHeader header =
                  dm::decode_reply_header(std::span(buffer).first<dm::kLambdaReplyHeaderBytes>());
              replies->headers[index] = header;
              const uint64_t produced = header.size_o < 0 ? 0 : static_cast<uint64_t>(header.size_o);
              if (produced <= buffer.size() - dm::kLambdaReplyHeaderBytes) {
                replies->outputs[index].assign(
                    buffer.begin() + dm::kLambdaReplyHeaderBytes,
                    buffer.begin() + static_cast<ptrdiff_t>(dm::kLambdaReplyHeaderBytes + produced));
              }
            },
            [this, request, replies, &out, chunk_bytes, capacity,
             then = std::move(then)](std::vector<dm::Completion>& done) mutable {
              File& f = *request->file;
              const FileRange range = request->range;
              LambdaRunResult result;
              out.clear();
              for (uint64_t i = 0; i < done.size() && result.ok(); ++i) {
                const FileRange chunk{range.offset + i * chunk_bytes,
                                      std::min(chunk_bytes, range.bytes - i * chunk_bytes)};
                ++result.chunks;
                if (done[i].status == dm::Status::program_aborted) {
                  std::vector<uint8_t> input(chunk.bytes);
                  pread_all(f.fd, f.path, chunk.offset, input);
                  result.failure = reproduce_abort(f, *request->lambda, input, i * chunk_bytes).failure;
                  break;
                }
                if (done[i].status != dm::Status::success)
                  throw std::runtime_error("the device failed a λ-read of " + f.path + ": " +
                                           dm::status_name(done[i].status) + " " + done[i].detail);
                take_reply(replies->headers[i], replies->outputs[i], capacity, i * chunk_bytes, chunk.bytes, result,
                           &out);
              }
              then(std::move(result));
            },
            &request->result.link_bytes);
      });
}

void LambdaIo::host_write(const RequestPtr& request, HostThen then) {
  CountingLambda counting(*request->lambda->program.function);
  auto output = std::make_shared<std::vector<uint8_t>>();
  LambdaRunResult result = run_lambda(counting, request->input, *output, options_.run);
  HostMeasurement measured;
  measured.calc_ns = host_costs_.cost(counting.instructions, counting.helper_bytes);
  compute(request->thread, measured.calc_ns,
          [this, request, output, result = std::move(result), measured, then = std::move(then)]() mutable {
            if (!result.ok()) {
              then(std::move(result), measured);
              return;
            }
            // pre, for a write: the output through the cache and out to the
            // device (λ-IO's host write pays α·D over the link).
            const dm::Nanoseconds start = clock_.now();
            File& f = *request->file;
            store(f, request->range.offset, *output);
            write_back(request->thread, f, {request->range.offset, output->size()}, &request->result.link_bytes,
                       [this, start, result = std::move(result), measured, then = std::move(then)]() mutable {
                         measured.pre_ns = clock_.now() - start;
                         then(std::move(result), measured);
                       });
          });
}

void LambdaIo::device_write(const RequestPtr& request, uint64_t chunk_offset, uint64_t at, LambdaRunResult result,
                            DeviceThen then) {
  // One chunk at a time: where a chunk's output goes depends on how much
  // the chunks before it wrote.
  const std::span<const uint8_t> input = request->input;
  if (!result.ok() || (chunk_offset >= input.size() && result.chunks != 0)) {
    then(std::move(result));
    return;
  }
  File& f = *request->file;
  const uint64_t chunk_bytes = std::max<uint64_t>(options_.run.chunk_bytes, 1);
  const uint64_t capacity = options_.run.output_capacity;
  const uint64_t size = std::min<uint64_t>(chunk_bytes, input.size() - chunk_offset);
  // The destination is the output's whole capacity from `at`: the host
  // cannot know how much a chunk will write. Its dirty pages there go out
  // first, so that they never land on top of the device's output later.
  write_back(
      request->thread, f, {at, capacity}, &request->result.link_bytes,
      [this, request, chunk_offset, at, size, capacity, result = std::move(result), then = std::move(then)]() mutable {
        File& f = *request->file;
        dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
        space.grow(std::max(space.block_count(), blocks_for(at + capacity, space.lba_size())));
        std::vector<dm::LambdaExtent> extents;
        for (uint64_t done = 0; done < capacity; done += kWriteExtentBytes)
          extents.push_back({at + done, std::min(kWriteExtentBytes, capacity - done)});
        struct Buffers {
          dm::LambdaMetadata metadata;
          std::vector<uint8_t> data;
          std::vector<uint8_t> reply = std::vector<uint8_t>(dm::kLambdaReplyHeaderBytes);
        };
        auto buffers = std::make_shared<Buffers>();
        buffers->metadata = dm::encode_lambda_metadata(extents);
        buffers->data.assign(request->input.begin() + static_cast<ptrdiff_t>(chunk_offset),
                             request->input.begin() + static_cast<ptrdiff_t>(chunk_offset + size));
        std::vector<dm::Command> commands(1);
        dm::Command& command = commands[0];
        command.opcode = dm::Opcode::lambda_write;
        command.namespace_id = f.namespace_id;
        command.program_id = request->lambda->device_slot;
        command.metadata = buffers->metadata;
        command.extent_count = static_cast<uint32_t>(extents.size());
        command.data = buffers->data;
        command.reply = buffers->reply;
        issue(
            request->thread, std::move(commands), 1, nullptr, nullptr,
            [this, request, buffers, chunk_offset, at, size, capacity, result = std::move(result),
             then = std::move(then)](std::vector<dm::Completion>& done) mutable {
              File& f = *request->file;
              ++result.chunks;
              if (done[0].status == dm::Status::program_aborted) {
                result.failure = reproduce_abort(f, *request->lambda, buffers->data, chunk_offset).failure;
              } else if (done[0].status != dm::Status::success) {
                throw std::runtime_error("the device failed a λ-write of " + f.path + ": " +
                                         dm::status_name(done[0].status) + " " + done[0].detail);
              } else {
                const dm::LambdaReplyHeader header =
                    dm::decode_reply_header(std::span(buffers->reply).first<dm::kLambdaReplyHeaderBytes>());
                take_reply(header, {}, capacity, chunk_offset, size, result, nullptr);
                if (result.ok()) {
                  // What the host had cached of the range is stale now.
                  const uint64_t written = static_cast<uint64_t>(header.size_o);
                  f.cache->invalidate({at, written});
                  f.logical_size = std::max(f.logical_size, at + written);
                  at += written;
                }
              }
              device_write(request, chunk_offset + size, at, std::move(result), std::move(then));
            },
            &request->result.link_bytes);
      });
}

}  // namespace sbpf::runtime
