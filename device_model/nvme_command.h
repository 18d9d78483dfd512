// NVMe commands and completions as the model sees them: the fields of a
// submission queue entry that matter to timing and data, not its 64-byte
// layout (no host reads the model's queues as memory).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "device_model/sim_time.h"

namespace sbpf::device_model {

// NVM command set opcodes, the vendor ones λ-IO uses, and program
// management. The device completes what it does not implement with
// Status::invalid_opcode, so a later command is an enumerator and a case in
// NvmeDevice, nothing more.
//
// An opcode's low two bits are its data direction, as NVMe defines them
// (01 host to device, 10 device to host, 00 none); the program commands'
// opcodes are sbpf's, in the vendor-specific range, chosen by that rule.
enum class Opcode : std::uint8_t {
  flush = 0x00,
  write = 0x01,
  read = 0x02,
  // λ-IO (FAST '23): a program over a range of extents, on the device's
  // cores. λ-read reads the extents and returns the function's output;
  // λ-write runs the function on the data sent and stores its output in the
  // extents.
  lambda_write = 0x21,
  lambda_read = 0x22,
  // Program management in the manner of the Computational Programs command
  // set (TP4091): download a program image into a slot (the device verifies
  // it there), activate it, deactivate it. λ commands run only active slots.
  program_download = 0x81,
  program_activate = 0x84,
  program_deactivate = 0x88,
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
  // Command-specific (status code type 1 in bits 8–10), for the program
  // commands; the values are sbpf's.
  program_rejected = 0x1c0,    // the device's verifier refused the image
  program_not_active = 0x1c1,  // no active program in the slot named
  program_aborted = 0x1c2,     // the function ended early (bounds, loop budget, helper)
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
  // λ commands and program management: the program's slot.
  std::uint32_t program_id = 0;
  // λ commands: the 4 KiB metadata buffer (lambda_command_format.h) and how
  // many extents it holds. λ-read's `data` receives the reply header and the
  // output, so its size is the output's capacity plus the header; λ-write's
  // holds the input, and the reply header alone comes back in `reply`.
  std::span<const std::uint8_t> metadata;
  std::uint32_t extent_count = 0;
  std::span<std::uint8_t> reply;
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
  // Why a command failed, in words, where the status alone does not say
  // (the verifier's message, the abort): what an error log page would hold.
  std::string detail;

  bool operator==(const Completion&) const = default;
};

}  // namespace sbpf::device_model
