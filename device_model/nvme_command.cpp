#include "device_model/nvme_command.h"

#include <cstdio>

namespace sbpf::device_model {

std::string opcode_name(Opcode opcode) {
  switch (opcode) {
    case Opcode::flush: return "flush";
    case Opcode::write: return "write";
    case Opcode::read: return "read";
    case Opcode::lambda_write: return "lambda-write";
    case Opcode::lambda_read: return "lambda-read";
    case Opcode::program_download: return "program-download";
    case Opcode::program_activate: return "program-activate";
    case Opcode::program_deactivate: return "program-deactivate";
  }
  char text[16];
  std::snprintf(text, sizeof text, "opcode 0x%02x", static_cast<unsigned>(opcode));
  return text;
}

std::string status_name(Status status) {
  switch (status) {
    case Status::success: return "success";
    case Status::invalid_opcode: return "invalid opcode";
    case Status::invalid_field: return "invalid field";
    case Status::internal_error: return "internal error";
    case Status::invalid_namespace: return "invalid namespace";
    case Status::lba_out_of_range: return "LBA out of range";
    case Status::program_rejected: return "program rejected";
    case Status::program_not_active: return "program not active";
    case Status::program_aborted: return "program aborted";
  }
  char text[16];
  std::snprintf(text, sizeof text, "status 0x%02x", static_cast<unsigned>(status));
  return text;
}

}  // namespace sbpf::device_model
