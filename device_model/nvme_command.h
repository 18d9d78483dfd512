// NVMe commands and completions as the model sees them: the fields of a
// submission queue entry that matter to timing and data, not its 64-byte
// layout (no host reads the model's queues as memory).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "device_model/sim_time.h"

namespace sbpf::device_model {

// NVM command set opcodes, and the vendor ones λ-IO uses. The device
// completes what it does not implement with Status::invalid_opcode, so a
// later command is an enumerator and a case in NvmeDevice, nothing more.
enum class Opcode : std::uint8_t {
  flush = 0x00,
  write = 0x01,
  read = 0x02,
  // λ-IO (FAST '23): a program over a range of extents, on the device's
  // cores. Not implemented yet.
  lambda_write = 0x21,
  lambda_read = 0x22,
  // Program download / activation / execution in the manner of the
  // Computational Programs command set (TP4091) come next; their opcodes
  // will be chosen with them.
};

std::string opcode_name(Opcode opcode);

// Completion status codes (NVMe generic command status values).
enum class Status : std::uint16_t {
  success = 0x00,
  invalid_opcode = 0x01,
  invalid_field = 0x02,
  internal_error = 0x06,
  invalid_namespace = 0x0b,
  lba_out_of_range = 0x80,
};

std::string status_name(Status status);

struct Command {
  Opcode opcode = Opcode::read;
  std::uint16_t command_id = 0;   // chosen by the host, unique among its queue's commands in flight
  std::uint32_t namespace_id = 1;
  std::uint64_t start_lba = 0;
  std::uint32_t block_count = 0;  // a count, not NVMe's zero-based NLB: 0 is allowed only for flush
  // The host's data buffer (the PRP list, collapsed): block_count × the
  // namespace's LBA size bytes. Read fills it when the command completes;
  // write takes it from there then. It must outlive the command.
  std::span<std::uint8_t> data;
  // Not interpreted by the device, returned in the completion: a request's
  // identity for whoever drives the model (the XRP engine's request).
  std::uint64_t tag = 0;
};

struct Completion {
  std::uint16_t command_id = 0;
  std::uint16_t queue_id = 0;
  Status status = Status::success;
  std::uint64_t tag = 0;
  Nanoseconds submitted_at = 0;  // the doorbell that made the command visible
  Nanoseconds posted_at = 0;     // the entry written to the completion queue

  bool operator==(const Completion&) const = default;
};

}  // namespace sbpf::device_model
