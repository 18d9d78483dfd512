#include "device_model/nvme_device.h"

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "device_model/execution_port.h"
#include "device_model/fixed_latency_medium.h"
#include "device_model/nand_medium.h"

namespace sbpf::device_model {

namespace {

std::unique_ptr<Medium> make_medium(const DeviceProfile& profile, SeededRandom& random) {
  if (const auto* fixed = std::get_if<FixedLatencyMedium::Config>(&profile.media)) {
    return std::make_unique<FixedLatencyMedium>(*fixed);
  }
  return std::make_unique<NandMedium>(std::get<NandMedium::Config>(profile.media), random);
}

}  // namespace

NvmeDevice::NvmeDevice(DeviceProfile profile, EventQueue& clock, std::uint64_t seed)
    : profile_(std::move(profile)),
      clock_(clock),
      random_(seed),
      medium_(make_medium(profile_, random_)),
      link_(profile_.link),
      cores_(profile_.cores),
      interrupts_(profile_.interrupt) {}

void NvmeDevice::attach_namespace(std::uint32_t namespace_id, NamespaceFile file) {
  if (namespace_id == 0) throw std::invalid_argument("namespace id 0 is not a namespace");
  if (namespaces_.count(namespace_id)) {
    throw std::invalid_argument("namespace " + std::to_string(namespace_id) + " is already attached");
  }
  namespaces_.emplace(namespace_id, std::move(file));
}

NamespaceFile& NvmeDevice::namespace_file(std::uint32_t namespace_id) {
  auto it = namespaces_.find(namespace_id);
  if (it == namespaces_.end()) throw std::out_of_range("no namespace " + std::to_string(namespace_id));
  return it->second;
}

QueuePair& NvmeDevice::create_queue_pair(std::uint32_t depth, CompletionMode mode) {
  if (queues_.size() >= 65535) throw std::length_error("NVMe allows at most 65,535 I/O queues");
  auto id = static_cast<std::uint16_t>(queues_.size() + 1);
  queues_.push_back(std::make_unique<QueuePair>(id, depth, mode));
  QueuePair& queue = *queues_.back();
  queue.set_clock([this] { return clock_.now(); });
  queue.on_submission_doorbell([this](QueuePair& q) { fetch_new_commands(q); });
  return queue;
}

std::string NvmeDevice::label(const InFlight& command, const char* step) const {
  return "q" + std::to_string(command.queue->id()) + " c" + std::to_string(command.command.command_id) + " " +
         opcode_name(command.command.opcode) + " " + step;
}

void NvmeDevice::fetch_new_commands(QueuePair& queue) {
  // The device takes every entry the doorbell covers, in order; each costs
  // the link its per-command overhead before the controller has it.
  while (auto submitted = queue.fetch()) {
    auto command = std::make_shared<InFlight>();
    command->queue = &queue;
    command->command = submitted->command;
    command->submitted_at = submitted->rung_at;
    ++statistics_.commands;
    const Nanoseconds fetched = link_.fetch_command(clock_.now());
    const Nanoseconds at_medium = fetched + profile_.controller.command_ns;
    clock_.schedule_at(at_medium, [this, command] { start_at_medium(command); }, label(*command, "at medium"));
  }
}

Status NvmeDevice::check(const Command& command) const {
  const bool runs_programs = port_ != nullptr && cores_.count() > 0;
  switch (command.opcode) {
    case Opcode::read:
    case Opcode::write:
    case Opcode::flush: break;
    case Opcode::program_download:
      if (!runs_programs) return Status::invalid_opcode;
      return command.data.empty() ? Status::invalid_field : Status::success;
    case Opcode::program_activate:
    case Opcode::program_deactivate:
      if (!runs_programs) return Status::invalid_opcode;
      return programs_.count(command.program_id) ? Status::success : Status::invalid_field;
    case Opcode::lambda_read:
    case Opcode::lambda_write: return check_lambda(command);
    default: return Status::invalid_opcode;
  }
  auto it = namespaces_.find(command.namespace_id);
  if (it == namespaces_.end()) return Status::invalid_namespace;
  if (command.opcode == Opcode::flush) return Status::success;
  const NamespaceFile& file = it->second;
  if (command.block_count == 0) return Status::invalid_field;
  if (command.data.size() != static_cast<std::uint64_t>(command.block_count) * file.lba_size()) {
    return Status::invalid_field;
  }
  if (command.start_lba > file.block_count() || command.block_count > file.block_count() - command.start_lba) {
    return Status::lba_out_of_range;
  }
  return Status::success;
}

Status NvmeDevice::check_lambda(const Command& command) const {
  if (port_ == nullptr || cores_.count() == 0) return Status::invalid_opcode;
  auto it = namespaces_.find(command.namespace_id);
  if (it == namespaces_.end()) return Status::invalid_namespace;
  auto program = programs_.find(command.program_id);
  if (program == programs_.end() || !program->second.active) return Status::program_not_active;
  const DecodedMetadata metadata = decode_lambda_metadata(command.metadata, command.extent_count);
  if (!metadata.error.empty()) return Status::invalid_field;
  for (const LambdaExtent& extent : metadata.extents) {
    if (extent.address > it->second.size_bytes() || extent.bytes > it->second.size_bytes() - extent.address) {
      return Status::lba_out_of_range;
    }
  }
  const std::span<const std::uint8_t> reply = command.opcode == Opcode::lambda_read ? command.data : command.reply;
  return reply.size() < kLambdaReplyHeaderBytes ? Status::invalid_field : Status::success;
}

void NvmeDevice::start_at_medium(const std::shared_ptr<InFlight>& command) {
  const Command& c = command->command;
  const Status status = check(c);
  const Nanoseconds now = clock_.now();
  if (status != Status::success) {
    post_at(now, command, status);
    return;
  }
  switch (c.opcode) {
    case Opcode::flush: post_at(medium_->flush(now), command, Status::success); return;
    case Opcode::program_download: download_program(command); return;
    case Opcode::program_activate:
    case Opcode::program_deactivate:
      programs_.at(c.program_id).active = c.opcode == Opcode::program_activate;
      post_at(now, command, Status::success);
      return;
    case Opcode::lambda_read: start_lambda_read(command); return;
    case Opcode::lambda_write: start_lambda_write(command); return;
    default: break;
  }
  const std::uint32_t lba_size = namespace_file(c.namespace_id).lba_size();
  const std::uint64_t offset = c.start_lba * lba_size;
  const std::uint64_t bytes = c.data.size();
  Nanoseconds done;
  if (c.opcode == Opcode::read) {
    done = link_.transfer(medium_->read(now, offset, bytes), bytes, LinkDirection::to_host);
  } else {
    done = medium_->write(link_.transfer(now, bytes, LinkDirection::to_device), offset, bytes);
  }
  post_at(done, command, Status::success);
}

void NvmeDevice::download_program(const std::shared_ptr<InFlight>& command) {
  const Command& c = command->command;
  // The image is verified when it has arrived; verifying costs no model time
  // (the model times what programs do, not what the verifier does).
  const Nanoseconds arrived = link_.transfer(clock_.now(), c.data.size(), LinkDirection::to_device);
  ExecutionPort::Download download = port_->download(c.data);
  if (!download.slot) {
    command->detail = download.error;
    post_at(arrived, command, Status::program_rejected);
    return;
  }
  // A slot downloaded again holds the new program, inactive until activated.
  programs_[c.program_id] = ProgramSlot{*download.slot, false};
  post_at(arrived, command, Status::success);
}

NvmeDevice::ProgramRun NvmeDevice::account(const std::shared_ptr<InFlight>& command, const ExecutionOutcome& outcome) {
  ProgramRun run{cores_.run(clock_.now(), outcome.instructions, outcome.helper_bytes), outcome.abort.has_value()};
  command->header.size_o = outcome.return_value;
  command->header.calc_ns = run.core.end - run.core.start;
  if (outcome.abort) {
    command->detail = *outcome.abort;
  } else {
    // A negative size is the function's error; a size past the buffer is the
    // host's to report (it knows the capacity it gave): nothing is sent then.
    const bool fits = outcome.return_value >= 0 && static_cast<std::uint64_t>(outcome.return_value) <= command->output.size();
    command->output.resize(fits ? static_cast<std::size_t>(outcome.return_value) : 0);
  }
  return run;
}

void NvmeDevice::start_lambda_read(const std::shared_ptr<InFlight>& command) {
  const Nanoseconds start = clock_.now();
  command->extents = decode_lambda_metadata(command->command.metadata, command->command.extent_count).extents;
  Nanoseconds ready = start;
  for (const LambdaExtent& extent : command->extents) {
    ready = std::max(ready, medium_->read(start, extent.address, extent.bytes));
  }
  clock_.schedule_at(ready, [this, command, start] {
    const Command& c = command->command;
    command->header.pre_ns = clock_.now() - start;
    command->output.resize(c.data.size() - kLambdaReplyHeaderBytes);
    const NamespaceFile& file = namespace_file(c.namespace_id);
    std::optional<ExecutionOutcome> outcome =
        port_->execute_lambda_read(port_slot(c), file.path(), c.metadata, c.extent_count, command->output);
    if (!outcome) {
      std::vector<std::uint8_t> input;
      try {
        for (const LambdaExtent& extent : command->extents) {
          input.resize(input.size() + extent.bytes);
          file.read_bytes(extent.address, std::span(input).last(extent.bytes));
        }
      } catch (const std::system_error&) {
        post(command, Status::internal_error);
        return;
      }
      outcome = port_->execute(port_slot(c), Invocation{input, command->output, {}});
    }
    const ProgramRun run = account(command, *outcome);
    if (run.aborted) {
      post_at(run.core.end, command, Status::program_aborted);
      return;
    }
    // The reply crosses the link once the function is done: book it then, so
    // the link sees transfers in the order they become ready.
    clock_.schedule_at(run.core.end, [this, command] {
      const std::uint64_t bytes = kLambdaReplyHeaderBytes + command->output.size();
      post_at(link_.transfer(clock_.now(), bytes, LinkDirection::to_host), command, Status::success);
    }, label(*command, "function done"));
  }, label(*command, "input read"));
}

void NvmeDevice::start_lambda_write(const std::shared_ptr<InFlight>& command) {
  const Nanoseconds start = clock_.now();
  command->extents = decode_lambda_metadata(command->command.metadata, command->command.extent_count).extents;
  const Nanoseconds arrived = link_.transfer(start, command->command.data.size(), LinkDirection::to_device);
  clock_.schedule_at(arrived, [this, command, start] {
    command->header.pre_ns = clock_.now() - start;
    std::uint64_t capacity = 0;
    for (const LambdaExtent& extent : command->extents) capacity += extent.bytes;
    command->output.resize(capacity);
    const ProgramRun run =
        account(command, port_->execute(port_slot(command->command), Invocation{command->command.data, command->output, {}}));
    if (run.aborted) {
      post_at(run.core.end, command, Status::program_aborted);
      return;
    }
    clock_.schedule_at(run.core.end, [this, command] {
      // The output fills the extents in order, all written at once.
      const Nanoseconds now = clock_.now();
      Nanoseconds done = now;
      std::uint64_t left = command->output.size();
      for (const LambdaExtent& extent : command->extents) {
        if (left == 0) break;
        const std::uint64_t bytes = std::min(left, extent.bytes);
        done = std::max(done, medium_->write(now, extent.address, bytes));
        left -= bytes;
      }
      post_at(done, command, Status::success);
    }, label(*command, "function done"));
  }, label(*command, "input arrived"));
}

void NvmeDevice::deliver_lambda_reply(InFlight& command) {
  const Command& c = command.command;
  if (c.opcode == Opcode::lambda_read) {
    encode_reply_header(command.header, c.data.first<kLambdaReplyHeaderBytes>());
    std::copy(command.output.begin(), command.output.end(), c.data.begin() + kLambdaReplyHeaderBytes);
    for (const LambdaExtent& extent : command.extents) statistics_.bytes_read += extent.bytes;
    statistics_.link_bytes += kLambdaReplyHeaderBytes + command.output.size();
    return;
  }
  NamespaceFile& file = namespace_file(c.namespace_id);
  std::span<const std::uint8_t> left = command.output;
  for (const LambdaExtent& extent : command.extents) {
    if (left.empty()) break;
    const std::size_t bytes = std::min<std::uint64_t>(left.size(), extent.bytes);
    file.write_bytes(extent.address, left.first(bytes));
    left = left.subspan(bytes);
  }
  encode_reply_header(command.header, c.reply.first<kLambdaReplyHeaderBytes>());
  statistics_.bytes_written += command.output.size();
  statistics_.link_bytes += c.data.size() + kLambdaReplyHeaderBytes;
}

void NvmeDevice::post_at(Nanoseconds time, const std::shared_ptr<InFlight>& command, Status status) {
  clock_.schedule_at(time, [this, command, status] { post(command, status); }, label(*command, "posted"));
}

void NvmeDevice::post(const std::shared_ptr<InFlight>& command, Status status) {
  const Command& c = command->command;
  if (status == Status::success) {
    try {
      switch (c.opcode) {
        case Opcode::read:
          namespace_file(c.namespace_id).read(c.start_lba, c.data);
          statistics_.bytes_read += c.data.size();
          statistics_.link_bytes += c.data.size();
          break;
        case Opcode::write:
          namespace_file(c.namespace_id).write(c.start_lba, c.data);
          statistics_.bytes_written += c.data.size();
          statistics_.link_bytes += c.data.size();
          break;
        case Opcode::flush: namespace_file(c.namespace_id).flush(); break;
        case Opcode::lambda_read:
        case Opcode::lambda_write: deliver_lambda_reply(*command); break;
        case Opcode::program_download: statistics_.link_bytes += c.data.size(); break;
        default: break;
      }
    } catch (const std::system_error&) {
      // The backing file failed the host: the command fails as a drive's would.
      status = Status::internal_error;
    }
  }
  if (status != Status::success) ++statistics_.failed;
  QueuePair& queue = *command->queue;
  const Nanoseconds now = clock_.now();
  queue.post(Completion{c.command_id, queue.id(), status, c.tag, command->submitted_at, now, command->detail});
  clock_.schedule_at(interrupts_.completion_seen(now, queue.mode()), [&queue] { queue.notify_host(); },
                     "q" + std::to_string(queue.id()) + " c" + std::to_string(c.command_id) +
                         (queue.mode() == CompletionMode::interrupt ? " interrupt" : " polled"));
}

}  // namespace sbpf::device_model
