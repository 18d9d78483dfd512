#include "runtime/lambda_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <system_error>

#include "device_model/lambda_command_format.h"
#include "isa/program_image.h"
#include "verifier/program_type.h"

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

bool same_outcome(const LambdaRunResult& a, const LambdaRunResult& b) {
  if (a.ok() != b.ok() || a.chunks != b.chunks || a.output_bytes != b.output_bytes) return false;
  return a.ok() || (a.failure->kind == b.failure->kind && a.failure->chunk_offset == b.failure->chunk_offset);
}

}  // namespace

const char* mode_name(LambdaMode mode) {
  switch (mode) {
    case LambdaMode::kHost: return "host";
    case LambdaMode::kDevice: return "device";
    case LambdaMode::kAuto: return "auto";
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

  ~File() {
    if (fd >= 0) ::close(fd);
  }
  uint64_t size() const {
    struct stat st;
    if (::fstat(fd, &st) != 0) throw std::system_error(errno, std::generic_category(), path);
    return static_cast<uint64_t>(st.st_size);
  }
};

struct LambdaIo::Lambda {
  explicit Lambda(LoadedProgram loaded) : program(std::move(loaded)), function(program) {}
  LoadedProgram program;  // on the host's metered interpreter
  BytecodeLambda function;
  uint32_t device_slot = 0;
};

LambdaIo::LambdaIo(dm::DeviceProfile profile, LambdaIoOptions options)
    : profile_(profile),
      options_(std::move(options)),
      device_(std::move(profile), clock_, options_.seed),
      queue_(device_.create_queue_pair(1024, dm::CompletionMode::interrupt)),
      host_costs_(profile_.host.cores),
      scheduler_(options_.scheduler) {
  if (profile_.cores.count == 0)
    throw std::invalid_argument("profile " + profile_.name + " has no device cores to run λ functions on");
  device_.set_execution_port(&port_);
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
  file->cache = options_.modelled_cache
                    ? modelled_page_cache(file->size(), options_.cached_share, options_.seed + id)
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
  isa::ProgramImage image;
  try {
    image = isa::read_image(image_bytes);
  } catch (const isa::ImageError& error) {
    return {std::nullopt, std::string("not a program image: ") + error.what()};
  }
  if (image.program_type != "lambda") return {std::nullopt, "a " + image.program_type + " program is not a λ function"};
  LoadOptions options;
  options.loop_budget = image.loop_budget;
  options.metered = true;
  LoadedProgram program = runtime::load(std::move(image.program), *verifier::program_type_named("lambda"), options);
  if (!program.ok()) return {std::nullopt, program.failure()->reason};
  auto loaded = std::make_unique<Lambda>(std::move(program));

  const auto id = static_cast<uint32_t>(lambdas_.size());
  std::vector<uint8_t> bytes(image_bytes.begin(), image_bytes.end());
  std::vector<dm::Command> download(1);
  download[0].opcode = dm::Opcode::program_download;
  download[0].program_id = id;
  download[0].data = bytes;
  const dm::Completion downloaded = execute(download, 1).front();
  if (downloaded.status != dm::Status::success)
    return {std::nullopt, "the device refused it (" + dm::status_name(downloaded.status) + "): " + downloaded.detail};
  std::vector<dm::Command> activate(1);
  activate[0].opcode = dm::Opcode::program_activate;
  activate[0].program_id = id;
  const dm::Completion activated = execute(activate, 1).front();
  if (activated.status != dm::Status::success)
    return {std::nullopt, "the device did not activate it (" + dm::status_name(activated.status) + ")"};
  loaded->device_slot = id;
  lambdas_.push_back(std::move(loaded));
  return {id, ""};
}

void LambdaIo::spend(uint64_t ns) { clock_.run_until(clock_.now() + ns); }

std::vector<dm::Completion> LambdaIo::execute(std::vector<dm::Command>& commands, size_t at_once) {
  // The requesting thread issues each command through the block layer and
  // the driver, one after the other on its core, and sleeps until the last
  // completes: the interrupt, then its wake-up.
  const dm::Nanoseconds per_command = profile_.host.layers.block_layer_ns + profile_.host.layers.driver_ns;
  std::vector<dm::Completion> done(commands.size());
  size_t next = 0, finished = 0, in_flight = 0;
  dm::Nanoseconds cpu_free = clock_.now();
  auto issue_more = [&] {
    while (next < commands.size() && in_flight < at_once) {
      const size_t index = next++;
      ++in_flight;
      cpu_free = std::max(cpu_free, clock_.now()) + per_command;
      clock_.schedule_at(
          cpu_free,
          [&, index] {
            dm::Command& command = commands[index];
            command.command_id = static_cast<uint16_t>(index);
            command.tag = index;
            if (!queue_.submit(command)) throw std::logic_error("the host's queue pair is full");
            queue_.ring_submission_doorbell();
          },
          "host issues a command");
    }
  };
  queue_.on_completion([&](dm::QueuePair& queue) {
    for (const dm::Completion& completion : queue.reap()) {
      done[completion.tag] = completion;
      ++finished;
      --in_flight;
    }
    issue_more();
  });
  issue_more();
  while (finished < commands.size() && clock_.step()) {
  }
  queue_.on_completion(nullptr);
  if (finished < commands.size()) throw std::logic_error("the device model stopped with commands in flight");
  spend(device_.interrupts().thread_resumes(clock_.now(), dm::CompletionMode::interrupt) - clock_.now());
  return done;
}

void LambdaIo::write_back(File& f, FileRange range) {
  std::vector<FileRange> runs = f.cache->dirty(range);
  if (runs.empty()) return;
  const dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
  const uint32_t lba = space.lba_size();
  std::vector<dm::Command> commands;
  std::vector<std::vector<uint8_t>> buffers;
  for (const FileRange& run : runs) {
    for (uint64_t at = run.offset; at < run.offset + run.bytes && at < space.size_bytes(); at += kMaxTransferBytes) {
      const uint64_t bytes = std::min({kMaxTransferBytes, run.offset + run.bytes - at, space.size_bytes() - at});
      buffers.emplace_back(blocks_for(bytes, lba) * lba);
      pread_all(f.fd, f.path, at, buffers.back());
      dm::Command command;
      command.opcode = dm::Opcode::write;
      command.namespace_id = f.namespace_id;
      command.start_lba = at / lba;
      command.block_count = static_cast<uint32_t>(buffers.back().size() / lba);
      commands.push_back(command);
    }
  }
  for (size_t i = 0; i < commands.size(); ++i) commands[i].data = buffers[i];
  // The device stores whole blocks; the file's size is the file system's,
  // which a write-back does not change.
  const uint64_t size = f.size();
  for (const dm::Completion& completion : execute(commands, commands.size())) {
    if (completion.status != dm::Status::success)
      throw std::runtime_error("writing back " + f.path + ": " + dm::status_name(completion.status));
  }
  if (f.size() > size && ::ftruncate(f.fd, static_cast<off_t>(size)) != 0)
    throw std::system_error(errno, std::generic_category(), f.path);
  f.cache->cleaned(range);
}

LambdaRunResult LambdaIo::host_read(File& f, FileRange range, Lambda& l, std::vector<uint8_t>& out,
                                    HostMeasurement& measured) {
  // pre: the range's missing pages come in from the device, all at once.
  const dm::Nanoseconds start = clock_.now();
  const dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
  const uint32_t lba = space.lba_size();
  std::vector<dm::Command> commands;
  std::vector<std::vector<uint8_t>> buffers;
  for (const FileRange& run : f.cache->missing(range)) {
    for (uint64_t at = run.offset; at < run.offset + run.bytes && at < space.size_bytes(); at += kMaxTransferBytes) {
      const uint64_t bytes = std::min({kMaxTransferBytes, run.offset + run.bytes - at, space.size_bytes() - at});
      buffers.emplace_back(blocks_for(bytes, lba) * lba);
      dm::Command command;
      command.opcode = dm::Opcode::read;
      command.namespace_id = f.namespace_id;
      command.start_lba = at / lba;
      command.block_count = static_cast<uint32_t>(buffers.back().size() / lba);
      commands.push_back(command);
    }
  }
  for (size_t i = 0; i < commands.size(); ++i) commands[i].data = buffers[i];
  if (!commands.empty()) execute(commands, commands.size());
  f.cache->loaded(range);
  measured.pre_ns = clock_.now() - start;

  // calc: the function over the cached pages, on one host core.
  CountingLambda counting(l.function);
  out.clear();
  LambdaRunResult result = run_lambda(
      counting, range.bytes,
      [&](uint64_t offset, std::span<uint8_t> chunk) { pread_all(f.fd, f.path, range.offset + offset, chunk); },
      [&](std::span<const uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }, options_.run);
  measured.calc_ns = host_costs_.cost(counting.instructions, counting.helper_bytes);
  spend(measured.calc_ns);
  return result;
}

LambdaRunResult LambdaIo::reproduce_abort(File& f, Lambda& l, std::span<const uint8_t> chunk, uint64_t chunk_offset) {
  // The device says only that its run aborted; the same run on the host
  // gives the abort in full (kind, pc, source line). The two sides run one
  // semantics, so a host run that does not abort is a bug.
  std::vector<uint8_t> ignored;
  LambdaRunResult result = run_lambda(l.function, chunk, ignored, options_.run);
  if (result.ok() || result.failure->kind != LambdaFailure::Kind::kAbort)
    throw std::logic_error("the device aborted the λ function on " + f.path + " at offset " +
                           std::to_string(chunk_offset) + " but the host does not");
  result.failure->chunk_offset = chunk_offset;
  return result;
}

LambdaRunResult LambdaIo::device_read(File& f, FileRange range, Lambda& l, std::vector<uint8_t>& out) {
  write_back(f, range);
  const uint64_t chunk_bytes = std::max<uint64_t>(options_.run.chunk_bytes, 1);
  const uint64_t chunks = std::max<uint64_t>((range.bytes + chunk_bytes - 1) / chunk_bytes, 1);
  auto chunk_of = [&](uint64_t i) {
    return FileRange{range.offset + i * chunk_bytes, std::min(chunk_bytes, range.bytes - i * chunk_bytes)};
  };
  std::vector<dm::LambdaMetadata> metadata(chunks);
  std::vector<std::vector<uint8_t>> replies(chunks);
  std::vector<dm::Command> commands(chunks);
  for (uint64_t i = 0; i < chunks; ++i) {
    const FileRange chunk = chunk_of(i);
    std::vector<dm::LambdaExtent> extents;
    if (chunk.bytes != 0) extents.push_back({chunk.offset, chunk.bytes});  // the file is its namespace from 0
    metadata[i] = dm::encode_lambda_metadata(extents);
    dm::Command& command = commands[i];
    command.opcode = dm::Opcode::lambda_read;
    command.namespace_id = f.namespace_id;
    command.program_id = l.device_slot;
    command.metadata = metadata[i];
    command.extent_count = static_cast<uint32_t>(extents.size());
  }
  // One chunk per device core at a time keeps the reply buffers (each as
  // large as the output capacity) to a few.
  const size_t at_once = device_.cores().count();
  size_t prepared = 0;
  LambdaRunResult result;
  out.clear();
  for (uint64_t first = 0; first < chunks && result.ok(); first += at_once) {
    const uint64_t end = std::min<uint64_t>(chunks, first + at_once);
    std::vector<dm::Command> batch(commands.begin() + static_cast<ptrdiff_t>(first),
                                   commands.begin() + static_cast<ptrdiff_t>(end));
    for (; prepared < end; ++prepared) {
      replies[prepared].assign(dm::kLambdaReplyHeaderBytes + options_.run.output_capacity, 0);
      batch[prepared - first].data = replies[prepared];
    }
    const std::vector<dm::Completion> completions = execute(batch, batch.size());
    for (uint64_t i = first; i < end && result.ok(); ++i) {
      const dm::Completion& completion = completions[i - first];
      const FileRange chunk = chunk_of(i);
      const uint64_t chunk_offset = i * chunk_bytes;
      ++result.chunks;
      if (completion.status == dm::Status::program_aborted) {
        std::vector<uint8_t> input(chunk.bytes);
        pread_all(f.fd, f.path, chunk.offset, input);
        LambdaRunResult aborted = reproduce_abort(f, l, input, chunk_offset);
        result.failure = std::move(aborted.failure);
        break;
      }
      if (completion.status != dm::Status::success)
        throw std::runtime_error("the device failed a λ-read of " + f.path + ": " +
                                 dm::status_name(completion.status) + " " + completion.detail);
      const std::vector<uint8_t>& reply = replies[i];
      const dm::LambdaReplyHeader header =
          dm::decode_reply_header(std::span(reply).first<dm::kLambdaReplyHeaderBytes>());
      if (header.size_o < 0) {
        result.failure = LambdaFailure{LambdaFailure::Kind::kErrorReturn, chunk_offset, chunk.bytes, {}, header.size_o};
      } else if (static_cast<uint64_t>(header.size_o) > options_.run.output_capacity) {
        result.failure = LambdaFailure{LambdaFailure::Kind::kOutputOverrun, chunk_offset, chunk.bytes, {}, header.size_o};
      } else {
        const auto produced = reply.begin() + dm::kLambdaReplyHeaderBytes;
        out.insert(out.end(), produced, produced + header.size_o);
        result.output_bytes += static_cast<uint64_t>(header.size_o);
      }
    }
    for (uint64_t i = first; i < end; ++i) std::vector<uint8_t>().swap(replies[i]);
  }
  return result;
}

void LambdaIo::store(File& f, uint64_t offset, std::span<const uint8_t> data) {
  pwrite_all(f.fd, f.path, offset, data);
  dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
  space.grow(std::max(space.block_count(), blocks_for(offset + data.size(), space.lba_size())));
  f.cache->wrote({offset, data.size()});
}

void LambdaIo::write_buffered(uint32_t id, uint64_t offset, std::span<const uint8_t> data) {
  store(file(id), offset, data);
}

LambdaRunResult LambdaIo::host_write(File& f, uint64_t offset, std::span<const uint8_t> input, Lambda& l,
                                     HostMeasurement& measured) {
  CountingLambda counting(l.function);
  std::vector<uint8_t> output;
  LambdaRunResult result = run_lambda(counting, input, output, options_.run);
  measured.calc_ns = host_costs_.cost(counting.instructions, counting.helper_bytes);
  spend(measured.calc_ns);
  if (!result.ok()) return result;
  // pre, for a write: the output through the cache and out to the device
  // (λ-IO's host write pays α·D over the link).
  const dm::Nanoseconds start = clock_.now();
  store(f, offset, output);
  write_back(f, {offset, output.size()});
  measured.pre_ns = clock_.now() - start;
  return result;
}

LambdaRunResult LambdaIo::device_write(File& f, uint64_t offset, std::span<const uint8_t> input, Lambda& l) {
  const uint64_t chunk_bytes = std::max<uint64_t>(options_.run.chunk_bytes, 1);
  const uint64_t capacity = options_.run.output_capacity;
  dm::NamespaceFile& space = device_.namespace_file(f.namespace_id);
  LambdaRunResult result;
  uint64_t at = offset;  // where the next chunk's output goes
  uint64_t chunk_offset = 0;
  do {
    const std::span<const uint8_t> chunk = input.subspan(chunk_offset, std::min(chunk_bytes, input.size() - chunk_offset));
    // The destination is the output's whole capacity from `at`: the host
    // cannot know how much a chunk will write. Its dirty pages there go out
    // first, so that they never land on top of the device's output later.
    const FileRange destination{at, capacity};
    write_back(f, destination);
    space.grow(std::max(space.block_count(), blocks_for(at + capacity, space.lba_size())));
    std::vector<dm::LambdaExtent> extents;
    for (uint64_t done = 0; done < capacity; done += kWriteExtentBytes)
      extents.push_back({at + done, std::min(kWriteExtentBytes, capacity - done)});
    const dm::LambdaMetadata metadata = dm::encode_lambda_metadata(extents);
    std::vector<uint8_t> data(chunk.begin(), chunk.end());
    std::vector<uint8_t> reply(dm::kLambdaReplyHeaderBytes);
    std::vector<dm::Command> commands(1);
    dm::Command& command = commands[0];
    command.opcode = dm::Opcode::lambda_write;
    command.namespace_id = f.namespace_id;
    command.program_id = l.device_slot;
    command.metadata = metadata;
    command.extent_count = static_cast<uint32_t>(extents.size());
    command.data = data;
    command.reply = reply;
    const dm::Completion completion = execute(commands, 1).front();
    ++result.chunks;
    if (completion.status == dm::Status::program_aborted) {
      result.failure = reproduce_abort(f, l, chunk, chunk_offset).failure;
      break;
    }
    if (completion.status != dm::Status::success)
      throw std::runtime_error("the device failed a λ-write of " + f.path + ": " +
                               dm::status_name(completion.status) + " " + completion.detail);
    const dm::LambdaReplyHeader header = dm::decode_reply_header(std::span(reply).first<dm::kLambdaReplyHeaderBytes>());
    if (header.size_o < 0) {
      result.failure = LambdaFailure{LambdaFailure::Kind::kErrorReturn, chunk_offset, chunk.size(), {}, header.size_o};
    } else if (static_cast<uint64_t>(header.size_o) > capacity) {
      result.failure = LambdaFailure{LambdaFailure::Kind::kOutputOverrun, chunk_offset, chunk.size(), {}, header.size_o};
    } else {
      // What the host had cached of the range is stale now.
      f.cache->invalidate({at, static_cast<uint64_t>(header.size_o)});
      at += static_cast<uint64_t>(header.size_o);
      result.output_bytes += static_cast<uint64_t>(header.size_o);
    }
    chunk_offset += chunk.size();
  } while (result.ok() && chunk_offset < input.size());
  return result;
}

LambdaRequest LambdaIo::dispatch(unsigned cached_percent, bool is_write, LambdaMode mode, uint32_t stream,
                                 const SideRun& host, const SideRun& device, std::vector<uint8_t>& out) {
  LambdaRequest request;
  request.cached_percent = cached_percent;
  const dm::Nanoseconds start = clock_.now();
  const uint64_t link_before = device_.statistics().link_bytes;
  // The request's system call, whichever side serves it.
  const dm::HostStackCosts& layers = profile_.host.layers;
  spend(layers.crossing_ns + layers.syscall_ns + layers.file_system_ns);

  LambdaSide side = mode == LambdaMode::kDevice ? LambdaSide::kDevice : LambdaSide::kHost;
  if (mode == LambdaMode::kAuto) {
    const LambdaScheduler::Decision decision = scheduler_.decide(stream, cached_percent, is_write);
    if (options_.trace) options_.trace(LambdaScheduler::trace_line(stream, cached_percent, decision));
    request.profiled = decision.profile;
    side = decision.side;
  }
  auto run_host = [&](std::vector<uint8_t>& output) {
    HostMeasurement measured;
    measured.cached_percent = cached_percent;
    LambdaRunResult result = host(output, &measured);
    request.host = measured;
    return result;
  };
  auto run_device = [&](std::vector<uint8_t>& output) {
    const dm::Nanoseconds began = clock_.now();
    LambdaRunResult result = device(output, nullptr);
    request.device_ns = clock_.now() - began;
    return result;
  };
  if (request.profiled) {
    // Both sides, the host first (λ-IO's order); the host's result stands,
    // and the device's must be the same.
    request.run = run_host(out);
    std::vector<uint8_t> device_output;
    const LambdaRunResult device_result = run_device(device_output);
    if (!same_outcome(request.run, device_result) || device_output != out)
      throw std::logic_error("the host and the device disagree on a λ request to " +
                             std::string(is_write ? "write" : "read"));
    scheduler_.report(stream, *request.host, *request.device_ns, is_write);
    side = LambdaSide::kHost;
  } else {
    request.run = side == LambdaSide::kHost ? run_host(out) : run_device(out);
  }
  request.side = side;
  request.latency_ns = clock_.now() - start;
  request.link_bytes = device_.statistics().link_bytes - link_before;
  return request;
}

LambdaRequest LambdaIo::read(uint32_t id, uint64_t offset, uint64_t count, uint32_t lambda_id,
                             std::vector<uint8_t>& out, LambdaMode mode, uint32_t stream) {
  File& f = file(id);
  Lambda& l = lambda(lambda_id);
  const uint64_t size = f.size();
  const FileRange range{std::min(offset, size), std::min(count, size - std::min(offset, size))};
  return dispatch(
      f.cache->residency(range).percent(), false, mode, stream,
      [&](std::vector<uint8_t>& output, HostMeasurement* measured) { return host_read(f, range, l, output, *measured); },
      [&](std::vector<uint8_t>& output, HostMeasurement*) { return device_read(f, range, l, output); }, out);
}

LambdaRequest LambdaIo::write(uint32_t id, uint64_t offset, std::span<const uint8_t> input, uint32_t lambda_id,
                              LambdaMode mode, uint32_t stream) {
  File& f = file(id);
  Lambda& l = lambda(lambda_id);
  std::vector<uint8_t> unused;
  return dispatch(
      0, true, mode, stream,
      [&](std::vector<uint8_t>&, HostMeasurement* measured) { return host_write(f, offset, input, l, *measured); },
      [&](std::vector<uint8_t>&, HostMeasurement*) { return device_write(f, offset, input, l); }, unused);
}

}  // namespace sbpf::runtime
