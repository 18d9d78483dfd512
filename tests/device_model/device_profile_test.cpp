#include "device_model/device_profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/device_model/test_support.h"

namespace sbpf::device_model {
namespace {

using Json = nlohmann::ordered_json;

Json valid_fixed() { return Json::parse(profile_to_json(testing::round_profile())); }

Json valid_nand() {
  DeviceProfile profile = testing::round_profile();
  NandMedium::Config nand;
  nand.channels = 8;
  nand.luns_per_channel = 4;
  nand.page_bytes = 4096;
  nand.page_read_ns = 40000;
  nand.page_read_jitter_ns = 6000;
  nand.page_program_ns = 200000;
  nand.channel_bytes_per_second = 800'000'000;
  profile.media = nand;
  return Json::parse(profile_to_json(profile));
}

std::string error_of(const Json& json) {
  try {
    parse_profile(json.dump(), "test.json");
  } catch (const ProfileError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DeviceProfileTest, WhatIsPrintedParsesBackTheSame) {
  for (const DeviceProfile& shipped : shipped_profiles()) {
    EXPECT_EQ(parse_profile(profile_to_json(shipped), "again.json"), shipped) << shipped.name;
  }
  DeviceProfile round = testing::round_profile();
  EXPECT_EQ(parse_profile(profile_to_json(round), "round.json"), round);
}

TEST(DeviceProfileTest, ThreeProfilesShipEachNamedAsItsFile) {
  std::vector<std::string> names;
  for (const DeviceProfile& shipped : shipped_profiles()) {
    names.push_back(shipped.name);
    EXPECT_TRUE(std::filesystem::exists(shipped_profile_directory() / (shipped.name + ".json"))) << shipped.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"daisy-csd", "nand-tlc", "p5800x"}));
}

TEST(DeviceProfileTest, TheShippedProfilesSayWhatTheyModel) {
  DeviceProfile optane = find_profile("p5800x");
  ASSERT_TRUE(std::holds_alternative<FixedLatencyMedium::Config>(optane.media));
  EXPECT_EQ(optane.host.layers, (HostStackCosts{351, 199, 2006, 379, 113}));  // XRP Table 1
  EXPECT_EQ(optane.host.cores.count, 6u);  // its i5-8500
  EXPECT_EQ(optane.cores.count, 0u);
  DeviceProfile nand = find_profile("nand-tlc");
  ASSERT_TRUE(std::holds_alternative<NandMedium::Config>(nand.media));
  EXPECT_EQ(std::get<NandMedium::Config>(nand.media).channels, 8u);
  DeviceProfile daisy = find_profile("daisy-csd");
  EXPECT_EQ(daisy.cores.count, 4u);  // λ-IO's 4 Cortex-A53 cores
  EXPECT_GT(daisy.cores.ps_per_instruction, 0u);
}

TEST(DeviceProfileTest, AnUnknownNameListsTheShippedOnes) {
  try {
    find_profile("floppy");
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_STREQ(e.what(), "no shipped profile 'floppy' (shipped: daisy-csd, nand-tlc, p5800x)");
  }
}

TEST(DeviceProfileTest, AFileIsNamedByItsPath) {
  testing::ScratchFile scratch;
  const std::string path = scratch.path() + ".json";
  {
    std::ofstream out(path);
    out << profile_to_json(testing::round_profile());
  }
  EXPECT_EQ(find_profile(path), testing::round_profile());
  std::filesystem::remove(path);
  try {
    find_profile(path);
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot open " + path + ": No such file or directory");
  }
}

struct BadProfile {
  const char* what;
  std::function<Json()> make;
  const char* message;
};

// Failures name the case, not its bytes.
void PrintTo(const BadProfile& bad, std::ostream* out) { *out << bad.what; }

class ProfileValidationTest : public ::testing::TestWithParam<BadProfile> {};

TEST_P(ProfileValidationTest, NamesTheFileAndTheField) {
  EXPECT_EQ(error_of(GetParam().make()), GetParam().message);
}

template <typename Edit>
std::function<Json()> fixed_with(Edit edit) {
  return [edit] {
    Json json = valid_fixed();
    edit(json);
    return json;
  };
}

template <typename Edit>
std::function<Json()> nand_with(Edit edit) {
  return [edit] {
    Json json = valid_nand();
    edit(json);
    return json;
  };
}

const BadProfile kBadProfiles[] = {
    {"negative_time", fixed_with([](Json& j) { j["media"]["read_latency_ns"] = -1; }),
     "test.json: media.read_latency_ns: must be ≥ 0"},
    {"negative_fraction", fixed_with([](Json& j) { j["host"]["layers"]["driver_ns"] = -0.5; }),
     "test.json: host.layers.driver_ns: must be ≥ 0"},
    {"fraction", fixed_with([](Json& j) { j["interrupt"]["wakeup_ns"] = 1.5; }),
     "test.json: interrupt.wakeup_ns: must be an integer"},
    {"string_number", fixed_with([](Json& j) { j["controller"]["command_ns"] = "100"; }),
     "test.json: controller.command_ns: must be a number"},
    {"too_large", fixed_with([](Json& j) { j["media"]["write_latency_ns"] = 1'000'000'000'001ull; }),
     "test.json: media.write_latency_ns: must be ≤ 1000000000000"},
    {"unknown_top_key", fixed_with([](Json& j) { j["colour"] = "blue"; }), "test.json: colour: unknown key"},
    {"unknown_nested_key", fixed_with([](Json& j) { j["link"]["lanes"] = 4; }), "test.json: link.lanes: unknown key"},
    {"nand_key_on_fixed", fixed_with([](Json& j) { j["media"]["channels"] = 8; }),
     "test.json: media.channels: unknown key"},
    {"missing_field", fixed_with([](Json& j) { j["host"]["layers"].erase("syscall_ns"); }),
     "test.json: host.layers.syscall_ns: missing"},
    {"missing_host_cores", fixed_with([](Json& j) { j["host"].erase("cores"); }), "test.json: host.cores: missing"},
    {"too_many_host_cores", fixed_with([](Json& j) { j["host"]["cores"]["count"] = 2000; }),
     "test.json: host.cores.count: must be ≤ 1024"},
    {"unknown_host_key", fixed_with([](Json& j) { j["host"]["cpu"] = "i5"; }), "test.json: host.cpu: unknown key"},
    {"missing_section", fixed_with([](Json& j) { j.erase("cores"); }), "test.json: cores: missing"},
    {"missing_name", fixed_with([](Json& j) { j.erase("name"); }), "test.json: name: missing"},
    {"empty_name", fixed_with([](Json& j) { j["name"] = ""; }), "test.json: name: must not be empty"},
    {"section_not_object", fixed_with([](Json& j) { j["interrupt"] = 3; }), "test.json: interrupt: must be an object"},
    {"summary_not_string", fixed_with([](Json& j) { j["summary"] = 1; }), "test.json: summary: must be a string"},
    {"not_an_object", [] { return Json::array(); }, "test.json: must be an object"},
    {"unknown_kind", fixed_with([](Json& j) { j["media"]["kind"] = "tape"; }),
     "test.json: media.kind: must be fixed_latency or nand, not 'tape'"},
    {"zero_bandwidth", fixed_with([](Json& j) { j["link"]["bandwidth_mb_per_s"] = 0; }),
     "test.json: link.bandwidth_mb_per_s: must be ≥ 1"},
    {"too_many_cores", fixed_with([](Json& j) { j["cores"]["count"] = 5000; }), "test.json: cores.count: must be ≤ 1024"},
    {"zero_channels", nand_with([](Json& j) { j["media"]["channels"] = 0; }), "test.json: media.channels: must be ≥ 1"},
    {"too_many_luns", nand_with([](Json& j) { j["media"]["luns_per_channel"] = 2048; }),
     "test.json: media.luns_per_channel: must be ≤ 1024"},
    {"tiny_page", nand_with([](Json& j) { j["media"]["page_bytes"] = 100; }), "test.json: media.page_bytes: must be ≥ 512"},
    {"jitter_above_read", nand_with([](Json& j) { j["media"]["page_read_jitter_ns"] = 50000; }),
     "test.json: media.page_read_jitter_ns: must be ≤ page_read_ns"},
    {"missing_nand_field", nand_with([](Json& j) { j["media"].erase("page_program_ns"); }),
     "test.json: media.page_program_ns: missing"},
    {"fixed_key_on_nand", nand_with([](Json& j) { j["media"]["read_latency_ns"] = 10; }),
     "test.json: media.read_latency_ns: unknown key"},
};

INSTANTIATE_TEST_SUITE_P(EveryRule, ProfileValidationTest, ::testing::ValuesIn(kBadProfiles),
                         [](const auto& info) { return std::string(info.param.what); });

TEST(DeviceProfileTest, TextThatIsNotJsonSaysWhere) {
  try {
    parse_profile("{\"name\": ", "broken.json");
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("broken.json: not valid JSON: parse error at line 1", 0), 0u) << e.what();
  }
}

TEST(DeviceProfileTest, TheValidBaselinesAreValid) {
  EXPECT_EQ(error_of(valid_fixed()), "(no error)");
  EXPECT_EQ(error_of(valid_nand()), "(no error)");
}

}  // namespace
}  // namespace sbpf::device_model
