#include "runtime/remote_execution_port.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sbpf::runtime {

namespace {

// How long the host waits for one command before it checks that the device
// process still lives (qemu takes a while to start, and a run may be long).
constexpr int kPollMs = 200;

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace

RemoteExecutionPort::RemoteExecutionPort(const std::vector<std::string>& command)
    : channel_(DeviceChannel::create()), description_(join(command)) {
  if (command.empty()) throw std::runtime_error("no command to start the device with");
  std::vector<std::string> args = command;
  for (auto [flag, fd] :
       {std::pair{"--memory-fd", channel_.memory_fd()}, std::pair{"--submit-fd", channel_.submit_fd()},
        std::pair{"--complete-fd", channel_.complete_fd()}}) {
    args.push_back(flag);
    args.push_back(std::to_string(fd));
  }
  args.insert(args.end() - 6, {"device", "serve"});
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("cannot start the device (" + description_ + "): " + std::strerror(errno));
  if (pid_ == 0) {
    // The channel's descriptors stay open across exec; nothing else does.
    for (int fd : {channel_.memory_fd(), channel_.submit_fd(), channel_.complete_fd()})
      ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) & ~FD_CLOEXEC);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ChannelCommand hello;  // an execute of no slot: the device answers that it has none
  hello.opcode = static_cast<uint8_t>(ChannelOpcode::kExecute);
  hello.slot = UINT32_MAX;
  call(hello);
}

RemoteExecutionPort::~RemoteExecutionPort() {
  if (pid_ <= 0) return;
  try {
    ChannelCommand shutdown;
    shutdown.opcode = static_cast<uint8_t>(ChannelOpcode::kShutdown);
    call(shutdown);
  } catch (const std::exception&) {
    // Gone already: nothing to shut down.
  }
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

ChannelCompletion RemoteExecutionPort::call(ChannelCommand command) {
  command.command_id = next_id_++;
  channel_.submit(command);
  while (true) {
    if (auto completion = channel_.wait_completion(kPollMs)) {
      if (completion->command_id != command.command_id)
        throw std::runtime_error("the device (" + description_ + ") answered another command");
      return *completion;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the device (" + description_ + ") exited" +
                               (WIFEXITED(status) ? " with status " + std::to_string(WEXITSTATUS(status))
                                                  : " on signal " + std::to_string(WTERMSIG(status))));
    }
  }
}

std::string RemoteExecutionPort::detail(const ChannelCompletion& completion) {
  const auto bytes = static_cast<size_t>(std::min<uint64_t>(completion.detail_bytes, kChannelOutputBytes));
  return std::string(reinterpret_cast<const char*>(channel_.output().data()), bytes);
}

device_model::ExecutionPort::Download RemoteExecutionPort::download(std::span<const uint8_t> image) {
  if (image.size() > kChannelInputBytes) return {std::nullopt, "the image is larger than the device channel"};
  std::copy(image.begin(), image.end(), channel_.input().begin());
  ChannelCommand command;
  command.opcode = static_cast<uint8_t>(ChannelOpcode::kDownload);
  command.input_bytes = image.size();
  const ChannelCompletion completion = call(command);
  if (completion.status != static_cast<uint16_t>(ChannelStatus::kSuccess)) return {std::nullopt, detail(completion)};
  return {completion.slot, ""};
}

device_model::ExecutionOutcome RemoteExecutionPort::execute(uint32_t slot, const device_model::Invocation& invocation) {
  if (invocation.input.size() > kChannelInputBytes || invocation.output.size() > kChannelOutputBytes) {
    device_model::ExecutionOutcome failure;
    failure.abort = "the buffers are larger than the device channel";
    return failure;
  }
  std::copy(invocation.input.begin(), invocation.input.end(), channel_.input().begin());
  channel_.clear_output(invocation.output.size());
  ChannelCommand command;
  command.opcode = static_cast<uint8_t>(ChannelOpcode::kExecute);
  command.slot = slot;
  command.input_bytes = invocation.input.size();
  command.output_bytes = invocation.output.size();
  return this->outcome(call(command), invocation.output);
}

device_model::ExecutionOutcome RemoteExecutionPort::outcome(const ChannelCompletion& completion,
                                                            std::span<uint8_t> output) {
  device_model::ExecutionOutcome outcome;
  outcome.return_value = completion.return_value;
  outcome.instructions = completion.instructions;
  outcome.helper_bytes = completion.helper_bytes;
  if (completion.status != static_cast<uint16_t>(ChannelStatus::kSuccess)) {
    outcome.abort = detail(completion);
    return outcome;
  }
  std::copy_n(channel_.output().begin(), output.size(), output.begin());
  return outcome;
}

std::optional<device_model::ExecutionOutcome> RemoteExecutionPort::execute_lambda_read(
    uint32_t slot, const std::string& namespace_path, std::span<const uint8_t> metadata, uint32_t extent_count,
    std::span<uint8_t> output) {
  device_model::ExecutionOutcome failure;
  if (metadata.size() > kChannelInputBytes || output.size() > kChannelOutputBytes ||
      namespace_path.size() > kChannelInputBytes) {
    failure.abort = "the buffers are larger than the device channel";
    return failure;
  }
  auto known = namespaces_.find(namespace_path);
  if (known == namespaces_.end()) {
    const auto id = static_cast<uint32_t>(namespaces_.size() + 1);
    std::copy(namespace_path.begin(), namespace_path.end(), channel_.input().begin());
    ChannelCommand attach;
    attach.opcode = static_cast<uint8_t>(ChannelOpcode::kAttach);
    attach.namespace_id = id;
    attach.input_bytes = namespace_path.size();
    const ChannelCompletion attached = call(attach);
    if (attached.status != static_cast<uint16_t>(ChannelStatus::kSuccess)) {
      failure.abort = "the device cannot open its namespace: " + detail(attached);
      return failure;
    }
    known = namespaces_.emplace(namespace_path, id).first;
  }
  std::copy(metadata.begin(), metadata.end(), channel_.input().begin());
  channel_.clear_output(output.size());
  ChannelCommand command;
  command.opcode = static_cast<uint8_t>(ChannelOpcode::kLambdaRead);
  command.slot = slot;
  command.namespace_id = known->second;
  command.extent_count = extent_count;
  command.input_bytes = metadata.size();
  command.output_bytes = output.size();
  return outcome(call(command), output);
}

}  // namespace sbpf::runtime
