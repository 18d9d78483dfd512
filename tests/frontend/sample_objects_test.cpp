// What `sbpf compile` produces, checked on the bundled samples: objects that
// plain libbpf opens, that sbpf's loader links with their line info and
// context type, and native twins whose entry point is found by section.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "frontend/elf_loader.h"
#include "frontend/native_twin.h"
#include "isa/program_image.h"
#include "tests/frontend/test_objects.h"
#include "tests/isa/program_comparison.h"

namespace sbpf::frontend {
namespace {

const std::string kSamples = SBPF_SAMPLES_BUILD_DIR;

struct Sample {
  std::string path;          // without the extension
  std::string section;
  std::string context_type;
};

std::vector<Sample> samples() {
  std::vector<Sample> out;
  for (const char* name : {"stats64", "stats32", "knn", "grep", "bitmap", "filter", "extract"})
    out.push_back({kSamples + "/lambda/" + name, std::string("lambda/") + name, "context"});
  for (const char* name : {"bpfkv_get", "bpfkv_range"})
    out.push_back({kSamples + "/xrp/" + name, std::string("xrp/") + name, "bpf_xrp"});
  return out;
}

TEST(SampleObjects, PlainLibbpfOpensThem) {
  for (const Sample& s : samples()) {
    std::string path = s.path + ".o";
    struct bpf_object* object = bpf_object__open_file(path.c_str(), nullptr);
    ASSERT_NE(object, nullptr) << path;
    struct bpf_program* program = bpf_object__find_program_by_name(object, std::filesystem::path(s.path).filename().c_str());
    ASSERT_NE(program, nullptr) << path;
    EXPECT_EQ(bpf_program__section_name(program), s.section);
    bpf_object__close(object);
  }
}

TEST(SampleObjects, LoadWithLineInfoAndTheirContextType) {
  for (const Sample& s : samples()) {
    isa::Program program = load_elf_program(s.path + ".o");
    EXPECT_EQ(program.name, s.section);
    EXPECT_EQ(program.context_type, s.context_type) << s.path;
    ASSERT_FALSE(program.lines.empty()) << s.path;
    EXPECT_EQ(std::filesystem::path(program.lines.front().file).extension(), ".c");
    EXPECT_FALSE(program.lines.front().source.empty());
  }
}

TEST(SampleObjects, NativeTwinsExposeTheEntryInTheProgramSection) {
  for (const Sample& s : samples()) {
    std::string path = s.path + ".so";
    NativeTwin twin(path);
    EXPECT_EQ(twin.section(), s.section);
    EXPECT_EQ(twin.function(), std::filesystem::path(s.path).filename().string());
    EXPECT_NE(twin.entry(), nullptr);
  }
}

TEST(SampleObjects, ANativeTwinWithoutTheSectionSaysWhatItHas) {
  try {
    NativeTwin twin(kSamples + "/lambda/stats64.so", "lambda/nope");
    FAIL() << "expected a LoadError";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("no program in section 'lambda/nope'; the object has: lambda/stats64 (stats64)"),
              std::string::npos)
        << e.what();
  }
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(SampleObjects, ABpfObjectIsNotANativeTwin) {
  std::vector<uint8_t> bytes = file_bytes(kSamples + "/lambda/stats64.o");
  EXPECT_FALSE(looks_like_native_twin(bytes));
  EXPECT_FALSE(foreign_twin_machine(bytes));
}

// The device's twins (samples/CMakeLists.txt makes them beside the host's):
// recognised as another machine's, not run here.
TEST(SampleObjects, TheDevicesTwinsAreAnotherMachines) {
  EXPECT_FALSE(foreign_twin_machine(file_bytes(kSamples + "/lambda/stats64.so")));
  const std::string device_twin = kSamples + "/lambda/stats64.aarch64.so";
  if (!std::filesystem::exists(device_twin)) GTEST_SKIP() << "no aarch64 cross toolchain: no device twins";
  std::vector<uint8_t> bytes = file_bytes(device_twin);
  EXPECT_FALSE(looks_like_native_twin(bytes));
  EXPECT_EQ(foreign_twin_machine(bytes), "aarch64");
  EXPECT_EQ(host_machine(), "x86_64");
}

// What the host sends the device: each sample, and the test objects with
// functions and global data, whole through an image.
TEST(SampleObjects, CrossToTheDeviceWholeThroughAnImage) {
  std::vector<std::pair<std::string, std::string>> objects;  // path, program type
  for (const Sample& s : samples()) objects.push_back({s.path + ".o", s.context_type == "bpf_xrp" ? "xrp" : "lambda"});
  for (const char* name : {"subprog.o", "globals.o", "two_programs.o"}) objects.push_back({test::object_path(name), "lambda"});
  for (const auto& [path, type] : objects) {
    for (const isa::Program& program : load_elf(path)) {
      SCOPED_TRACE(path + " " + program.name);
      const isa::ProgramImage back = isa::read_image(isa::write_image({program, type, 4242}));
      isa::expect_same_program(program, back.program);
      EXPECT_EQ(back.program_type, type);
      EXPECT_EQ(back.loop_budget, 4242u);
    }
  }
}

}  // namespace
}  // namespace sbpf::frontend
