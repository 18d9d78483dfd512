// XRP requests on the device model: the host's side of an experiment —
// threads, each with its own NVMe queue pair, sharing the host's cores —
// driving the resubmission state machine (resubmission.h) in model time.
//
// The same request (a function, its scratch, its first read) can take any
// of the four paths the XRP paper compares; they differ only in what each
// hop costs the host and where the function runs:
//
//   path   first read                 each later read                    the function runs
//   read   every layer (pread)        every layer                        in the woken thread
//   uring  every layer but syscall    every layer but syscall            in the woken thread
//   spdk   driver                     driver                             in the spinning thread
//   xrp    every layer                digest lookup + driver             in the interrupt handler
//
// "Every layer" is Table 1's per-I/O stack: crossing, read syscall, file
// system, block layer, NVMe driver (profile().host.layers); io_uring
// replaces the read syscall, not the crossing (io_uring_enter is one), nor
// the file system and block layer an O_DIRECT read goes through; SPDK's
// user-space driver stands in for the kernel's and nothing else. read,
// uring and xrp threads sleep until an interrupt wakes them (plus
// interrupt.wakeup_ns); spdk threads spin on their completion queue and see
// an entry poll_ns after it lands, when they are on a core (HostCpu). A
// function's time is its metered instructions and helper bytes at the
// host's per-instruction cost: run it on a metered interpreter
// (runtime::LoadOptions::metered), or it costs nothing.
//
// Reads go through the file's current layout (the metadata digest, for
// xrp). On xrp alone the digest's version is checked again when a read
// completes, as XRP does: a read whose file moved meanwhile fails the
// request as stale. The other paths read through the file system, which
// never hands out a stale mapping.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "device_model/namespace_allocator.h"
#include "device_model/nvme_device.h"
#include "xrp_abi/metadata_digest.h"
#include "xrp_abi/xrp_queue.h"

namespace sbpf::xrp {

enum class IoPath : uint8_t { kRead, kUring, kSpdk, kXrp };

const char* io_path_name(IoPath path);
std::optional<IoPath> io_path_named(std::string_view name);
inline constexpr IoPath kAllIoPaths[] = {IoPath::kRead, IoPath::kUring, IoPath::kSpdk, IoPath::kXrp};

// A file on one of the model's namespaces. The layout may change while
// requests run (NamespaceAllocator::relocate): xrp's digests then go stale.
struct ModelFile {
  uint32_t namespace_id = 1;
  device_model::FileLayout layout;
};

// Puts the file at `path` on `device` as namespace `namespace_id`, the
// namespace's data being the file itself, laid out in one extent from
// block 0. std::system_error when the file cannot be opened.
ModelFile attach_whole_file(device_model::NvmeDevice& device, uint32_t namespace_id, const std::string& path);

// The digest of `layout` on a namespace of `lba_size`-byte blocks.
MetadataDigest digest_of(const device_model::FileLayout& layout, uint32_t lba_size);

struct ModelHostOptions {
  IoPath path = IoPath::kXrp;
  uint32_t threads = 1;
  uint32_t in_flight_per_thread = 1;  // each thread's XrpQueue::capacity()
  uint32_t queue_depth = 1024;        // each thread's NVMe queue pair
};

class ModelHost {
 public:
  // `device` (and its clock) and `file` must outlive the host.
  // std::invalid_argument for no threads, no capacity or a queue depth NVMe
  // does not allow.
  ModelHost(device_model::NvmeDevice& device, const ModelFile& file, const ModelHostOptions& options);
  ~ModelHost();
  ModelHost(const ModelHost&) = delete;
  ModelHost& operator=(const ModelHost&) = delete;

  const ModelHostOptions& options() const { return options_; }
  // Thread `index`'s queue. Its wait() runs the model's clock, so the other
  // threads' requests move on meanwhile too.
  XrpQueue& thread(uint32_t index);

  // With a callback, every request that ends is handed to it, when it ends
  // (clock().now()), instead of being kept for wait(): a closed-loop
  // experiment submits its next request from there.
  using CompletionCallback = std::function<void(uint32_t thread, XrpCompletion&& completion)>;
  void on_complete(CompletionCallback callback) { callback_ = std::move(callback); }

 private:
  class Thread;
  friend class Thread;
  const MetadataDigest& digest();

  device_model::NvmeDevice& device_;
  const ModelFile& file_;
  ModelHostOptions options_;
  device_model::HostCpu cpu_;
  device_model::CorePool costs_;  // what a function's run costs a host core
  std::optional<MetadataDigest> digest_;
  std::vector<std::unique_ptr<Thread>> threads_;
  CompletionCallback callback_;
};

}  // namespace sbpf::xrp
