#include "device_model/nvme_device.h"

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
    auto command = std::make_shared<InFlight>(InFlight{&queue, submitted->command, submitted->rung_at});
    ++statistics_.commands;
    const Nanoseconds fetched = link_.fetch_command(clock_.now());
    const Nanoseconds at_medium = fetched + profile_.controller.command_ns;
    clock_.schedule_at(at_medium, [this, command] { start_at_medium(command); }, label(*command, "at medium"));
  }
}

Status NvmeDevice::check(const Command& command) const {
  switch (command.opcode) {
    case Opcode::read:
    case Opcode::write:
    case Opcode::flush: break;
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

void NvmeDevice::start_at_medium(const std::shared_ptr<InFlight>& command) {
  const Command& c = command->command;
  const Status status = check(c);
  const Nanoseconds now = clock_.now();
  if (status != Status::success) {
    post_at(now, command, status);
    return;
  }
  if (c.opcode == Opcode::flush) {
    post_at(medium_->flush(now), command, Status::success);
    return;
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

void NvmeDevice::post_at(Nanoseconds time, const std::shared_ptr<InFlight>& command, Status status) {
  clock_.schedule_at(time, [this, command, status] { post(command, status); }, label(*command, "posted"));
}

void NvmeDevice::post(const std::shared_ptr<InFlight>& command, Status status) {
  const Command& c = command->command;
  if (status == Status::success) {
    try {
      NamespaceFile& file = namespace_file(c.namespace_id);
      if (c.opcode == Opcode::read) {
        file.read(c.start_lba, c.data);
        statistics_.bytes_read += c.data.size();
      } else if (c.opcode == Opcode::write) {
        file.write(c.start_lba, c.data);
        statistics_.bytes_written += c.data.size();
      } else {
        file.flush();
      }
    } catch (const std::system_error&) {
      // The backing file failed the host: the command fails as a drive's would.
      status = Status::internal_error;
    }
  }
  if (status != Status::success) ++statistics_.failed;
  QueuePair& queue = *command->queue;
  const Nanoseconds now = clock_.now();
  queue.post(Completion{c.command_id, queue.id(), status, c.tag, command->submitted_at, now});
  clock_.schedule_at(interrupts_.completion_seen(now, queue.mode()), [&queue] { queue.notify_host(); },
                     "q" + std::to_string(queue.id()) + " c" + std::to_string(c.command_id) +
                         (queue.mode() == CompletionMode::interrupt ? " interrupt" : " polled"));
}

}  // namespace sbpf::device_model
