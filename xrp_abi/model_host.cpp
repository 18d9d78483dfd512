#include "xrp_abi/model_host.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace sbpf::xrp {

using device_model::Command;
using device_model::Completion;
using device_model::CompletionMode;
using device_model::HostCpu;
using device_model::HostLayer;
using device_model::HostLayers;
using device_model::Nanoseconds;
using device_model::QueuePair;

const char* io_path_name(IoPath path) {
  switch (path) {
    case IoPath::kRead: return "read";
    case IoPath::kUring: return "uring";
    case IoPath::kSpdk: return "spdk";
    case IoPath::kXrp: return "xrp";
  }
  return "?";
}

std::optional<IoPath> io_path_named(std::string_view name) {
  for (IoPath path : kAllIoPaths)
    if (name == io_path_name(path)) return path;
  return std::nullopt;
}

ModelFile attach_whole_file(device_model::NvmeDevice& device, uint32_t namespace_id, const std::string& path) {
  device_model::NamespaceFile space = device_model::NamespaceFile::open_existing(path);
  ModelFile file;
  file.namespace_id = namespace_id;
  file.layout = {std::filesystem::file_size(path), 1, {{0, 0, space.block_count()}}};
  device.attach_namespace(namespace_id, std::move(space));
  return file;
}

MetadataDigest digest_of(const device_model::FileLayout& layout, uint32_t lba_size) {
  std::vector<Extent> extents;
  for (const device_model::FileExtent& extent : layout.extents)
    extents.push_back({extent.file_offset, extent.lba * lba_size, extent.blocks * lba_size});
  // The allocator rounds the last extent up to a whole block; the digest's
  // file ends where the file does, at a block boundary for every file XRP
  // reads (whole 512-byte blocks).
  const uint64_t blocks_bytes = extents.empty() ? 0 : extents.back().file_offset + extents.back().length;
  return MetadataDigest(std::move(extents), std::max(layout.size_bytes, blocks_bytes), layout.version);
}

namespace {

// The host's layers a path's thread crosses to issue a read.
HostLayers issue_layers(IoPath path) {
  switch (path) {
    case IoPath::kRead:
    case IoPath::kXrp: return HostLayers::all();
    case IoPath::kUring:
      return HostLayer::crossing | HostLayer::file_system | HostLayer::block_layer | HostLayer::driver;
    case IoPath::kSpdk: return HostLayer::driver;
  }
  return HostLayers::none();
}

// An XRP function whose last run's work is kept, to be costed.
class MeteredFunction : public XrpFunction {
 public:
  explicit MeteredFunction(XrpFunction& inner) : inner_(inner) {}
  runtime::ExecutionResult invoke(Context& context, std::span<const uint8_t> data,
                                  std::span<uint8_t> scratch) override {
    runtime::ExecutionResult result = inner_.invoke(context, data, scratch);
    ++runs_;
    instructions_ = result.instructions;
    helper_bytes_ = result.helper_bytes;
    return result;
  }
  uint64_t runs() const { return runs_; }
  uint64_t instructions() const { return instructions_; }
  uint64_t helper_bytes() const { return helper_bytes_; }

 private:
  XrpFunction& inner_;
  uint64_t runs_ = 0;
  uint64_t instructions_ = 0;
  uint64_t helper_bytes_ = 0;
};

// Command tags: the request's number, then the read's index in its batch.
constexpr unsigned kReadIndexBits = 5;
static_assert((1u << kReadIndexBits) >= kMaxFanout);

}  // namespace

class ModelHost::Thread : public XrpQueue {
 public:
  Thread(ModelHost& host, uint32_t index)
      : host_(host),
        index_(index),
        queue_(host.device_.create_queue_pair(host.options_.queue_depth, host.options_.path == IoPath::kSpdk
                                                                               ? CompletionMode::polling
                                                                               : CompletionMode::interrupt)) {
    for (uint32_t id = 0; id + 1 < queue_.depth(); ++id) free_ids_.push_back(static_cast<uint16_t>(id));
    queue_.on_completion([this](QueuePair&) { completion_seen(); });
  }

  bool submit(const XrpSubmission& submission) override {
    if (in_flight_ >= capacity()) return false;
    if (submission.function == nullptr) throw std::invalid_argument("an XRP submission needs a function");
    const uint64_t id = next_request_++;
    auto request = std::make_unique<Request>(submission);
    request->started = clock().now();
    request->state.emplace(request->function, request->submission.request);
    Request& r = *request;
    requests_.emplace(id, std::move(request));
    ++in_flight_;
    r.id = id;
    after_run(r, r.state->start(), clock().now());
    return true;
  }

  std::vector<XrpCompletion> wait(size_t min) override {
    const size_t want = std::min(min, done_.size() + in_flight_);
    while (done_.size() < want && clock().step()) {
    }
    if (done_.size() < want) throw std::logic_error("the model's clock ran out with XRP requests in flight");
    std::vector<XrpCompletion> done;
    done.swap(done_);
    return done;
  }

  size_t in_flight() const override { return in_flight_; }
  size_t capacity() const override { return host_.options_.in_flight_per_thread; }
  void set_read_observer(ReadObserver observer) override { observer_ = std::move(observer); }

 private:
  struct PendingRead {
    std::vector<uint8_t> data;
    uint32_t commands_left = 0;
    uint64_t version = 0;  // the digest's, when the read was issued
  };
  struct Request {
    explicit Request(const XrpSubmission& s) : submission(s), function(*s.function) {}
    uint64_t id = 0;
    XrpSubmission submission;
    MeteredFunction function;
    std::optional<XrpRequestState> state;
    Nanoseconds started = 0;
    bool first_batch = true;
    bool finished = false;  // done or failed: reads still in flight are dropped
    std::vector<PendingRead> reads;
  };

  device_model::EventQueue& clock() { return host_.device_.clock(); }
  IoPath path() const { return host_.options_.path; }
  const device_model::HostStackCosts& layers() const { return host_.device_.profile().host.layers; }

  // The state machine has said what comes next, and the host has got to
  // `at`: the function has run (or the request has just started).
  void after_run(Request& r, XrpStep step, Nanoseconds at) {
    switch (step.kind) {
      case XrpStep::Kind::kWaiting: return;
      case XrpStep::Kind::kRead: {
        Nanoseconds cost = 0;
        if (path() == IoPath::kXrp && !r.first_batch) {
          // Resubmitted from the completion handler: each read translated
          // through the digest, each command through the driver.
          cost = step.reads.size() * (host_.device_.profile().host.xrp_digest_lookup_ns + layers().driver_ns);
        } else {
          cost = layers().cost(issue_layers(path()));
        }
        r.first_batch = false;
        const Nanoseconds issue_at = host_.cpu_.run(index_, at, cost);
        const uint64_t id = r.id;
        clock().schedule_at(issue_at, [this, id, reads = std::move(step.reads)] { issue(id, reads); });
        return;
      }
      case XrpStep::Kind::kDone:
      case XrpStep::Kind::kFailed: {
        r.finished = true;
        const uint64_t id = r.id;
        clock().schedule_at(at, [this, id, failure = std::move(step.failure)]() mutable {
          finish(id, std::move(failure));
        });
        return;
      }
    }
  }

  void issue(uint64_t id, const std::vector<BlockRead>& reads) {
    Request& r = *requests_.at(id);
    const MetadataDigest& digest = host_.digest();
    const uint32_t lba_size = host_.device_.namespace_file(host_.file_.namespace_id).lba_size();
    r.reads.assign(reads.size(), {});
    for (size_t i = 0; i < reads.size(); ++i) {
      std::optional<std::vector<DeviceRange>> ranges = digest.translate(reads[i].offset, reads[i].size);
      if (!ranges) {
        // The state machine checked the read against the file's size: what
        // is left is a hole, which no device address backs.
        after_run(r,
                  r.state->read_failed(i, XrpFailure::Kind::kBadNextRead,
                                       "the read of " + std::to_string(reads[i].size) + " bytes at offset " +
                                           std::to_string(reads[i].offset) + " is not in the file's extents"),
                  clock().now());
        return;
      }
      if (observer_) observer_(r.submission.user_data, reads[i]);
      PendingRead& read = r.reads[i];
      read.data.assign(reads[i].size, 0);
      read.version = digest.version();
      read.commands_left = static_cast<uint32_t>(ranges->size());
      uint64_t at = 0;
      for (const DeviceRange& range : *ranges) {
        Command command;
        command.opcode = device_model::Opcode::read;
        command.namespace_id = host_.file_.namespace_id;
        command.start_lba = range.device_offset / lba_size;
        command.block_count = static_cast<uint32_t>(range.length / lba_size);
        command.data = std::span<uint8_t>(read.data).subspan(at, range.length);
        command.tag = (id << kReadIndexBits) | i;
        at += range.length;
        waiting_.push_back(command);
      }
    }
    submit_waiting();
  }

  // Puts as many waiting commands on the queue pair as it has room for.
  void submit_waiting() {
    bool rung = false;
    while (!waiting_.empty() && !free_ids_.empty()) {
      Command command = waiting_.front();
      command.command_id = free_ids_.back();
      if (!queue_.submit(command)) break;
      free_ids_.pop_back();
      waiting_.pop_front();
      rung = true;
    }
    if (rung) queue_.ring_submission_doorbell();
  }

  // The host's completion path has noticed the queue: an interrupt handler,
  // or a spinning thread's poll, which sees it only once on a core.
  void completion_seen() {
    const Nanoseconds now = clock().now();
    const Nanoseconds seen = host_.cpu_.on_cpu(index_, now);
    if (seen > now) {
      clock().schedule_at(seen, [this] { reap(); });
      return;
    }
    reap();
  }

  void reap() {
    for (const Completion& completion : queue_.reap()) {
      free_ids_.push_back(completion.command_id);
      const uint64_t id = completion.tag >> kReadIndexBits;
      const size_t index = completion.tag & ((1u << kReadIndexBits) - 1);
      auto found = requests_.find(id);
      // A request that failed on one of its reads may still have others in flight.
      if (found == requests_.end() || found->second->finished) continue;
      read_done(*found->second, index, completion.status);
    }
    submit_waiting();
  }

  void read_done(Request& r, size_t index, device_model::Status status) {
    PendingRead& read = r.reads[index];
    const uint64_t runs_before = r.function.runs();
    XrpStep step;
    if (status != device_model::Status::success) {
      step = r.state->read_failed(index, XrpFailure::Kind::kBadNextRead,
                                  "the device failed the read: " + device_model::status_name(status));
    } else if (--read.commands_left != 0) {
      return;
    } else if (path() == IoPath::kXrp && host_.file_.layout.version != read.version) {
      step = r.state->read_failed(index, XrpFailure::Kind::kStale,
                                  "the file's layout changed while its read was in flight (version " +
                                      std::to_string(read.version) + ", now " +
                                      std::to_string(host_.file_.layout.version) + ")");
    } else {
      step = r.state->complete(index, read.data);
    }
    if (step.kind == XrpStep::Kind::kWaiting) return;

    // The batch is complete (or failed): where the host picks it up, and
    // what running the function costs there.
    const Nanoseconds now = clock().now();
    const device_model::InterruptModel& interrupts = host_.device_.interrupts();
    const bool ran = r.function.runs() != runs_before;
    const Nanoseconds run_cost = ran ? host_.costs_.cost(r.function.instructions(), r.function.helper_bytes()) : 0;
    Nanoseconds start = now;
    if (path() == IoPath::kRead || path() == IoPath::kUring)
      start = interrupts.thread_resumes(now, CompletionMode::interrupt);
    Nanoseconds at = host_.cpu_.run(index_, start, run_cost);
    // XRP ran in the handler: the thread wakes only for the request's end.
    if (path() == IoPath::kXrp && step.kind != XrpStep::Kind::kRead)
      at = interrupts.thread_resumes(at, CompletionMode::interrupt);
    after_run(r, std::move(step), at);
  }

  void finish(uint64_t id, std::optional<XrpFailure> failure) {
    auto found = requests_.find(id);
    Request& r = *found->second;
    XrpCompletion completion;
    completion.user_data = r.submission.user_data;
    completion.outcome = XrpOutcome{r.state->reads_issued(), std::move(failure)};
    completion.latency_ns = clock().now() - r.started;
    if (completion.outcome.ok()) {
      std::span<const uint8_t> last = r.state->last_data();
      std::copy_n(last.begin(), std::min(last.size(), r.submission.buffer.size()), r.submission.buffer.begin());
    }
    requests_.erase(found);
    --in_flight_;
    if (host_.callback_) {
      host_.callback_(index_, std::move(completion));
    } else {
      done_.push_back(std::move(completion));
    }
  }

  ModelHost& host_;
  uint32_t index_;
  QueuePair& queue_;
  std::vector<uint16_t> free_ids_;
  std::deque<Command> waiting_;  // issued, not yet on the queue pair (it is full)
  std::map<uint64_t, std::unique_ptr<Request>> requests_;
  uint64_t next_request_ = 0;
  size_t in_flight_ = 0;
  std::vector<XrpCompletion> done_;
  ReadObserver observer_;
};

ModelHost::ModelHost(device_model::NvmeDevice& device, const ModelFile& file, const ModelHostOptions& options)
    : device_(device),
      file_(file),
      options_(options),
      cpu_(device.profile().host.cores.count, device.profile().host.scheduler, options.threads,
           options.path == IoPath::kSpdk ? HostCpu::Waiting::spins : HostCpu::Waiting::sleeps),
      costs_(device.profile().host.cores) {
  if (options.in_flight_per_thread == 0) throw std::invalid_argument("each thread needs room for a request");
  for (uint32_t i = 0; i < options.threads; ++i) threads_.push_back(std::make_unique<Thread>(*this, i));
}

ModelHost::~ModelHost() = default;

XrpQueue& ModelHost::thread(uint32_t index) {
  if (index >= threads_.size()) throw std::out_of_range("no host thread " + std::to_string(index));
  return *threads_[index];
}

const MetadataDigest& ModelHost::digest() {
  if (!digest_ || digest_->version() != file_.layout.version)
    digest_ = digest_of(file_.layout, device_.namespace_file(file_.namespace_id).lba_size());
  return *digest_;
}

}  // namespace sbpf::xrp
