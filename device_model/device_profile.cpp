#include "device_model/device_profile.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace sbpf::device_model {

namespace {

using Json = nlohmann::ordered_json;

// No time or rate in a profile comes near this (1,000 s, or 10^12 of
// anything); with it, sums of a few fields cannot overflow 64 bits.
constexpr std::uint64_t kLargestValue = 1'000'000'000'000;

// Reads one JSON object's fields, naming each by its path in errors, and
// rejects the keys nobody read.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path, const std::string& source)
      : object_(object), path_(std::move(path)), source_(source) {
    if (!object_.is_object()) fail(path_, "must be an object");
  }

  std::uint64_t number(const std::string& key, std::uint64_t least = 0) {
    const Json& value = field(key);
    const std::string path = path_of(key);
    if (value.is_number_integer() && value.get<std::int64_t>() < 0) fail(path, "must be ≥ 0");
    if (value.is_number_float() && value.get<double>() < 0) fail(path, "must be ≥ 0");
    if (value.is_number_float()) fail(path, "must be an integer");
    if (!value.is_number_integer()) fail(path, "must be a number");
    const auto number = value.get<std::uint64_t>();
    if (number < least) fail(path, "must be ≥ " + std::to_string(least));
    if (number > kLargestValue) fail(path, "must be ≤ " + std::to_string(kLargestValue));
    return number;
  }

  std::string text(const std::string& key) {
    const Json& value = field(key);
    if (!value.is_string()) fail(path_of(key), "must be a string");
    return value.get<std::string>();
  }

  ObjectReader object(const std::string& key) { return ObjectReader(field(key), path_of(key), source_); }

  // Every key must have been read.
  void finish() const {
    for (const auto& [key, value] : object_.items()) {
      if (!read_.count(key)) fail(path_of(key), "unknown key");
    }
  }

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw ProfileError(source_ + ": " + (path.empty() ? "" : path + ": ") + message);
  }

  std::string path_of(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  const Json& field(const std::string& key) {
    read_.insert(key);
    auto it = object_.find(key);
    if (it == object_.end()) fail(path_of(key), "missing");
    return *it;
  }

  const Json& object_;
  std::string path_;
  const std::string& source_;
  std::set<std::string> read_;
};

std::variant<FixedLatencyMedium::Config, NandMedium::Config> read_media(ObjectReader media) {
  const std::string kind = media.text("kind");
  if (kind == "fixed_latency") {
    FixedLatencyMedium::Config config;
    config.read_latency_ns = media.number("read_latency_ns");
    config.write_latency_ns = media.number("write_latency_ns");
    config.flush_latency_ns = media.number("flush_latency_ns");
    config.min_command_interval_ns = media.number("min_command_interval_ns");
    media.finish();
    return config;
  }
  if (kind == "nand") {
    NandMedium::Config config;
    config.channels = static_cast<std::uint32_t>(media.number("channels", 1));
    config.luns_per_channel = static_cast<std::uint32_t>(media.number("luns_per_channel", 1));
    if (config.channels > 1024) media.fail(media.path_of("channels"), "must be ≤ 1024");
    if (config.luns_per_channel > 1024) media.fail(media.path_of("luns_per_channel"), "must be ≤ 1024");
    config.page_bytes = media.number("page_bytes", 512);
    config.page_read_ns = media.number("page_read_ns");
    config.page_read_jitter_ns = media.number("page_read_jitter_ns");
    if (config.page_read_jitter_ns > config.page_read_ns) {
      media.fail(media.path_of("page_read_jitter_ns"), "must be ≤ page_read_ns");
    }
    config.page_program_ns = media.number("page_program_ns");
    config.channel_bytes_per_second = media.number("channel_mb_per_s", 1) * 1'000'000;
    media.finish();
    return config;
  }
  media.fail(media.path_of("kind"), "must be fixed_latency or nand, not '" + kind + "'");
}

CorePool::Config read_cores(ObjectReader cores) {
  CorePool::Config config;
  config.count = static_cast<std::uint32_t>(cores.number("count"));
  if (config.count > 1024) cores.fail(cores.path_of("count"), "must be ≤ 1024");
  config.ps_per_instruction = cores.number("ps_per_instruction");
  config.ps_per_helper_byte = cores.number("ps_per_helper_byte");
  cores.finish();
  return config;
}

Json cores_json(const CorePool::Config& cores) {
  return {{"count", cores.count},
          {"ps_per_instruction", cores.ps_per_instruction},
          {"ps_per_helper_byte", cores.ps_per_helper_byte}};
}

Json media_json(const std::variant<FixedLatencyMedium::Config, NandMedium::Config>& media) {
  Json out;
  if (const auto* fixed = std::get_if<FixedLatencyMedium::Config>(&media)) {
    out["kind"] = "fixed_latency";
    out["read_latency_ns"] = fixed->read_latency_ns;
    out["write_latency_ns"] = fixed->write_latency_ns;
    out["flush_latency_ns"] = fixed->flush_latency_ns;
    out["min_command_interval_ns"] = fixed->min_command_interval_ns;
  } else {
    const auto& nand = std::get<NandMedium::Config>(media);
    out["kind"] = "nand";
    out["channels"] = nand.channels;
    out["luns_per_channel"] = nand.luns_per_channel;
    out["page_bytes"] = nand.page_bytes;
    out["page_read_ns"] = nand.page_read_ns;
    out["page_read_jitter_ns"] = nand.page_read_jitter_ns;
    out["page_program_ns"] = nand.page_program_ns;
    out["channel_mb_per_s"] = nand.channel_bytes_per_second / 1'000'000;
  }
  return out;
}

bool is_file_name(const std::string& name_or_path) {
  return name_or_path.find('/') != std::string::npos ||
         (name_or_path.size() > 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
}

}  // namespace

DeviceProfile parse_profile(std::string_view json_text, const std::string& source) {
  Json document;
  try {
    document = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    // nlohmann's message starts with its own error id: keep what follows.
    std::string message = e.what();
    if (auto colon = message.find("] "); colon != std::string::npos) message = message.substr(colon + 2);
    throw ProfileError(source + ": not valid JSON: " + message);
  }
  ObjectReader top(document, "", source);
  DeviceProfile profile;
  profile.name = top.text("name");
  if (profile.name.empty()) top.fail("name", "must not be empty");
  profile.summary = top.text("summary");
  profile.media = read_media(top.object("media"));

  ObjectReader controller = top.object("controller");
  profile.controller.command_ns = controller.number("command_ns");
  controller.finish();

  ObjectReader link = top.object("link");
  profile.link.bytes_per_second = link.number("bandwidth_mb_per_s", 1) * 1'000'000;
  profile.link.per_command_ns = link.number("per_command_ns");
  link.finish();

  profile.cores = read_cores(top.object("cores"));

  ObjectReader interrupt = top.object("interrupt");
  profile.interrupt.delivery_ns = interrupt.number("delivery_ns");
  profile.interrupt.wakeup_ns = interrupt.number("wakeup_ns");
  profile.interrupt.poll_ns = interrupt.number("poll_ns");
  interrupt.finish();

  ObjectReader host = top.object("host");
  profile.host.cores = read_cores(host.object("cores"));
  ObjectReader scheduler = host.object("scheduler");
  profile.host.scheduler.latency_ns = scheduler.number("latency_ns");
  profile.host.scheduler.min_granularity_ns = scheduler.number("min_granularity_ns");
  scheduler.finish();
  ObjectReader layers = host.object("layers");
  profile.host.layers.crossing_ns = layers.number("crossing_ns");
  profile.host.layers.syscall_ns = layers.number("syscall_ns");
  profile.host.layers.file_system_ns = layers.number("file_system_ns");
  profile.host.layers.block_layer_ns = layers.number("block_layer_ns");
  profile.host.layers.driver_ns = layers.number("driver_ns");
  layers.finish();
  profile.host.xrp_digest_lookup_ns = host.number("xrp_digest_lookup_ns");
  host.finish();

  top.finish();
  return profile;
}

std::string profile_to_json(const DeviceProfile& profile) {
  Json out;
  out["name"] = profile.name;
  out["summary"] = profile.summary;
  out["media"] = media_json(profile.media);
  out["controller"] = {{"command_ns", profile.controller.command_ns}};
  out["link"] = {{"bandwidth_mb_per_s", profile.link.bytes_per_second / 1'000'000},
                 {"per_command_ns", profile.link.per_command_ns}};
  out["cores"] = cores_json(profile.cores);
  out["interrupt"] = {{"delivery_ns", profile.interrupt.delivery_ns},
                      {"wakeup_ns", profile.interrupt.wakeup_ns},
                      {"poll_ns", profile.interrupt.poll_ns}};
  const HostStackCosts& layers = profile.host.layers;
  out["host"] = {{"cores", cores_json(profile.host.cores)},
                 {"scheduler",
                  {{"latency_ns", profile.host.scheduler.latency_ns},
                   {"min_granularity_ns", profile.host.scheduler.min_granularity_ns}}},
                 {"layers",
                  {{"crossing_ns", layers.crossing_ns},
                   {"syscall_ns", layers.syscall_ns},
                   {"file_system_ns", layers.file_system_ns},
                   {"block_layer_ns", layers.block_layer_ns},
                   {"driver_ns", layers.driver_ns}}},
                 {"xrp_digest_lookup_ns", profile.host.xrp_digest_lookup_ns}};
  return out.dump(2) + "\n";
}

DeviceProfile load_profile_file(const std::filesystem::path& path) {
  const std::string source = path.filename().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ProfileError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ProfileError(path.string() + ": cannot read");
  return parse_profile(text.str(), source);
}

std::filesystem::path shipped_profile_directory() {
  if (const char* env = std::getenv("SBPF_DEVICE_PROFILES"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "sbpf" / "device_profiles";
    if (std::filesystem::is_directory(installed, error)) return installed;
  }
  return SBPF_DEVICE_PROFILES_SOURCE_DIR;
}

std::vector<DeviceProfile> shipped_profiles() {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_profile_directory(), error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (error) throw ProfileError(shipped_profile_directory().string() + ": cannot list: " + error.message());
  std::sort(files.begin(), files.end());
  std::vector<DeviceProfile> profiles;
  for (const auto& file : files) profiles.push_back(load_profile_file(file));
  return profiles;
}

DeviceProfile find_profile(const std::string& name_or_path) {
  if (is_file_name(name_or_path)) return load_profile_file(name_or_path);
  const std::filesystem::path file = shipped_profile_directory() / (name_or_path + ".json");
  std::error_code error;
  if (std::filesystem::is_regular_file(file, error)) return load_profile_file(file);
  std::string known;
  for (const auto& profile : shipped_profiles()) known += (known.empty() ? "" : ", ") + profile.name;
  throw ProfileError("no shipped profile '" + name_or_path + "' (shipped: " + known + ")");
}

}  // namespace sbpf::device_model
