// The NVMe device: queue pairs in front, a controller, a medium, a PCIe link
// and cores behind, all timed on one EventQueue and shaped by a profile.
//
// A command's life, each step an event on the clock:
//   doorbell ──link: per-command cost──▶ fetched ──controller──▶ at the medium
//   read:  medium ──▶ data crosses the link to the host ──▶ posted
//   write: data crosses the link to the device ──▶ medium ──▶ posted
//   flush: every earlier write on the medium ──▶ posted
//   posted ──interrupt delivery, or the poller's delay──▶ the host sees it
//   λ-read: medium (every extent at once) ──▶ the function on a core ──▶
//           the reply header and output cross the link ──▶ posted
//   λ-write: the input crosses the link ──▶ the function on a core ──▶
//           medium (its output into the extents) ──▶ posted
//   program download: the image crosses the link ──▶ posted (verified on arrival)
// Data is moved for real when the command is posted: a read fills the host's
// buffer from the namespace's file, a write stores the buffer into it, a
// flush syncs it. A λ function runs for real, through the execution port,
// when its input is on the device (a λ-read reads its extents then); its
// time is its instructions and helper bytes on a CorePool core. Namespaces share the medium, each starting at its address
// 0 (no namespace-to-medium mapping yet: two namespaces' block 0 land on the
// same LUN).
//
// What drives the model — a host path, the XRP engine — owns the clock and
// the device, creates a queue pair per modelled thread, and reacts in the
// pair's completion handler, which runs when the host's completion path
// would: it can reap and resubmit right there (XRP's resubmission, free of
// the host's software layers), or schedule the waiting thread's wake-up
// (interrupts().thread_resumes) and the layers it pays on the way back
// (profile().host.layers).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "device_model/core_pool.h"
#include "device_model/device_profile.h"
#include "device_model/event_queue.h"
#include "device_model/execution_port.h"
#include "device_model/interrupt_model.h"
#include "device_model/lambda_command_format.h"
#include "device_model/medium.h"
#include "device_model/namespace_file.h"
#include "device_model/nvme_command.h"
#include "device_model/pcie_link.h"
#include "device_model/queue_pair.h"
#include "device_model/seeded_random.h"

namespace sbpf::device_model {

class NvmeDevice {
 public:
  // Every random draw of this device comes from `seed`.
  NvmeDevice(DeviceProfile profile, EventQueue& clock, std::uint64_t seed);
  NvmeDevice(const NvmeDevice&) = delete;
  NvmeDevice& operator=(const NvmeDevice&) = delete;

  const DeviceProfile& profile() const { return profile_; }
  EventQueue& clock() { return clock_; }

  // Namespaces are numbered from 1, as in NVMe. std::invalid_argument for
  // 0 or an id already attached.
  void attach_namespace(std::uint32_t namespace_id, NamespaceFile file);
  NamespaceFile& namespace_file(std::uint32_t namespace_id);

  // A new I/O queue pair (ids from 1; 0 is NVMe's admin queue). The
  // reference stays valid as long as the device.
  QueuePair& create_queue_pair(std::uint32_t depth, CompletionMode mode);

  const InterruptModel& interrupts() const { return interrupts_; }
  CorePool& cores() { return cores_; }
  // Programs the device's cores run (λ commands, program execution) go
  // through this port; without one those commands fail.
  void set_execution_port(ExecutionPort* port) { port_ = port; }
  ExecutionPort* execution_port() const { return port_; }

  struct Statistics {
    std::uint64_t commands = 0;
    std::uint64_t failed = 0;
    std::uint64_t bytes_read = 0;     // from the medium (reads, λ-reads' extents)
    std::uint64_t bytes_written = 0;  // to the medium (writes, λ-writes' output)
    std::uint64_t link_bytes = 0;     // data over the PCIe link, both ways (commands' entries not counted)
  };
  const Statistics& statistics() const { return statistics_; }

 private:
  struct InFlight {
    QueuePair* queue = nullptr;
    Command command;
    Nanoseconds submitted_at = 0;
    // λ commands: the extents, and what the function produced, delivered
    // when the command is posted.
    std::vector<LambdaExtent> extents;
    LambdaReplyHeader header;
    std::vector<std::uint8_t> output;
    std::string detail;  // why the command failed, for the completion
  };
  // A downloaded program: its slot in the execution port, and whether λ
  // commands may run it.
  struct ProgramSlot {
    std::uint32_t port_slot = 0;
    bool active = false;
  };

  void fetch_new_commands(QueuePair& queue);
  void start_at_medium(const std::shared_ptr<InFlight>& command);
  // Validation a command needs before any medium time; success or the status to fail with.
  Status check(const Command& command) const;
  Status check_lambda(const Command& command) const;
  void download_program(const std::shared_ptr<InFlight>& command);
  void start_lambda_read(const std::shared_ptr<InFlight>& command);
  void start_lambda_write(const std::shared_ptr<InFlight>& command);
  // What the command's program did (into command->output, sized to its
  // capacity before the run): its time booked on a core, the reply header
  // filled, the output trimmed to what the function returned.
  struct ProgramRun {
    CorePool::Reservation core;
    bool aborted = false;  // command->detail says why
  };
  ProgramRun account(const std::shared_ptr<InFlight>& command, const ExecutionOutcome& outcome);
  std::uint32_t port_slot(const Command& command) const { return programs_.at(command.program_id).port_slot; }
  // At posting: λ-read's header and output into the host's buffer, or
  // λ-write's output into the namespace and its header into the reply.
  void deliver_lambda_reply(InFlight& command);
  void post_at(Nanoseconds time, const std::shared_ptr<InFlight>& command, Status status);
  void post(const std::shared_ptr<InFlight>& command, Status status);
  std::string label(const InFlight& command, const char* step) const;

  DeviceProfile profile_;
  EventQueue& clock_;
  SeededRandom random_;
  std::unique_ptr<Medium> medium_;
  PcieLink link_;
  CorePool cores_;
  InterruptModel interrupts_;
  ExecutionPort* port_ = nullptr;
  std::map<std::uint32_t, NamespaceFile> namespaces_;
  std::map<std::uint32_t, ProgramSlot> programs_;
  std::vector<std::unique_ptr<QueuePair>> queues_;
  Statistics statistics_;
};

}  // namespace sbpf::device_model
