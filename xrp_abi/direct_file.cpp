#include "xrp_abi/direct_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace sbpf::xrp {
namespace {

std::system_error io_error(int error, const std::string& path) {
  return std::system_error(error, std::generic_category(), path);
}

void pause_ns(uint64_t ns) {
  timespec pause{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  nanosleep(&pause, nullptr);
}

}  // namespace

DirectFile::DirectFile(const std::string& path) : path_(path) {
  void* bounce = nullptr;
  if (posix_memalign(&bounce, 4096, kMaxReadBytes) != 0) throw std::bad_alloc();
  bounce_ = static_cast<uint8_t*>(bounce);
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (fd_ < 0 && errno != EINVAL) {
    const int error = errno;
    std::free(bounce_);
    throw io_error(error, path);
  }
  if (fd_ < 0) {
    buffered_reason_ = "the file system has no O_DIRECT";
  } else if (::pread(fd_, bounce_, kBlockBytes, 0) < 0) {
    // EINVAL: direct reads of 512 bytes are refused (logical blocks are
    // larger); any other error shows again on the buffered descriptor.
    buffered_reason_ = errno == EINVAL ? "512-byte O_DIRECT reads are refused (larger logical blocks)"
                                       : std::string("O_DIRECT read failed: ") + std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
  }
  if (fd_ < 0) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      const int error = errno;
      std::free(bounce_);
      throw io_error(error, path);
    }
  }
}

DirectFile::~DirectFile() {
  ::close(fd_);
  std::free(bounce_);
}

bool DirectFile::read_block(uint64_t offset, std::span<uint8_t> bytes) {
  if (bytes.size() > kMaxReadBytes || bytes.size() % kBlockBytes != 0 || offset % kBlockBytes != 0)
    throw std::invalid_argument("a block read is whole 512-byte blocks of at most " + std::to_string(kMaxReadBytes) +
                                " bytes");
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t got = ::pread(fd_, bounce_ + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw io_error(errno, path_);
    if (got == 0) return false;
    done += static_cast<size_t>(got);
    // A direct read that stops short stops at the end of the file: the
    // next one would start unaligned.
    if (done % kBlockBytes != 0) return false;
  }
  std::memcpy(bytes.data(), bounce_, bytes.size());
  return true;
}

BlockReader direct_block_reader(DirectFile& file) {
  return [&file](uint64_t offset, std::span<uint8_t> bytes) { return file.read_block(offset, bytes); };
}

namespace {

// run_xrp_request, keeping the blocks the function set done on.
XrpOutcome run_by_pread(DirectFile& file, XrpFunction& function, const XrpRequest& request,
                        std::span<uint8_t> buffer) {
  XrpRequestState state(function, request);
  XrpStep step = state.start();
  std::vector<uint8_t> data;
  while (step.kind == XrpStep::Kind::kRead) {
    const std::vector<BlockRead> batch = std::move(step.reads);
    for (size_t i = 0; i < batch.size() && step.kind != XrpStep::Kind::kFailed; ++i) {
      data.assign(batch[i].size, 0);
      if (file.read_block(batch[i].offset, data)) {
        step = state.complete(i, data);
      } else {
        step = state.read_failed(i, XrpFailure::Kind::kBadNextRead,
                                 "read of " + std::to_string(batch[i].size) + " bytes at offset " +
                                     std::to_string(batch[i].offset) + " is past the end of the file");
      }
    }
  }
  if (step.kind == XrpStep::Kind::kDone && !buffer.empty()) {
    std::span<const uint8_t> last = state.last_data();
    std::memcpy(buffer.data(), last.data(), std::min(last.size(), buffer.size()));
  }
  return XrpOutcome{state.reads_issued(), std::move(step.failure)};
}

}  // namespace

XrpOutcome run_xrp_by_pread(DirectFile& file, XrpFunction& function, const XrpRequest& request,
                            const PreadValidation& validation, std::span<uint8_t> buffer) {
  const std::vector<uint8_t> initial(request.scratch.begin(), request.scratch.end());
  for (int attempt = 0; attempt < validation.attempts; ++attempt) {
    if (attempt != 0) {
      std::memcpy(request.scratch.data(), initial.data(), initial.size());
      pause_ns(validation.retry_pause_ns);
    }
    const FileVersion before = file.version();
    if (changed_recently(before, realtime_now_ns(), validation.settle_ns)) continue;
    XrpOutcome outcome = run_by_pread(file, function, request, buffer);
    if (file.version() == before) return outcome;
  }
  std::memcpy(request.scratch.data(), initial.data(), initial.size());
  XrpFailure failure{XrpFailure::Kind::kStale, 0, std::nullopt,
                     "the file kept changing: no run of " + std::to_string(validation.attempts) +
                         " by pread saw one version of it"};
  return XrpOutcome{0, std::move(failure)};
}

}  // namespace sbpf::xrp
