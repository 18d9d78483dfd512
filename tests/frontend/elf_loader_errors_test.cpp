// Objects the loader must refuse, each with one readable message that starts
// with the path, and damaged objects that must never crash it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "frontend/elf_loader.h"
#include "tests/frontend/test_objects.h"

namespace sbpf::frontend {
namespace {

using test::object_path;
using test::read_bytes;
using test::ScratchDir;
using test::write_bytes;

// The message of the LoadError that loading every program of `path` throws.
std::string load_error(const std::string& path) {
  try {
    load_elf(path);
  } catch (const LoadError& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " loaded without an error";
  return "";
}

// The message of the LoadError that loading one program of `path` throws.
std::string program_error(const std::string& path, const std::string& section) {
  try {
    load_elf_program(path, section);
  } catch (const LoadError& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " (" << section << ") loaded without an error";
  return "";
}

class ElfLoaderErrors : public ::testing::Test {
 protected:
  ScratchDir scratch_{::testing::UnitTest::GetInstance()->current_test_info()->name()};

  // A copy of a test object, changed by `damage`, saved under `name`.
  template <typename Damage>
  std::string damaged(const std::string& object, const std::string& name, Damage damage) {
    std::vector<uint8_t> bytes = read_bytes(object_path(object));
    damage(bytes);
    std::string path = scratch_.file(name);
    write_bytes(path, bytes);
    return path;
  }
};

// Little-endian fields of the test objects (BPF objects are little-endian,
// and so is every host these tests run on).
uint32_t get_u32(const std::vector<uint8_t>& bytes, size_t at) {
  if (at + 4 > bytes.size()) throw std::out_of_range("read past the object");
  uint32_t v = 0;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;
}

void put_u32(std::vector<uint8_t>& bytes, size_t at, uint32_t v) {
  if (at + 4 > bytes.size()) throw std::out_of_range("write past the object");
  std::memcpy(bytes.data() + at, &v, 4);
}

// Offset of the n-th (0-based) BTF header magic: .BTF comes first, .BTF.ext
// second in clang's output.
size_t btf_magic(const std::vector<uint8_t>& bytes, int n) {
  const uint8_t magic[] = {0x9f, 0xeb, 0x01, 0x00};
  size_t at = 0;
  for (int found = -1;; ++at) {
    if (at + sizeof magic > bytes.size()) throw std::runtime_error("BTF magic not found");
    if (std::memcmp(&bytes[at], magic, sizeof magic) == 0 && ++found == n) return at;
  }
}

// --- the file itself ------------------------------------------------------

TEST_F(ElfLoaderErrors, MissingFile) {
  std::string path = scratch_.file("missing.o");
  EXPECT_EQ(load_error(path), path + ": cannot open: No such file or directory");
}

TEST_F(ElfLoaderErrors, Directory) {
  std::string path = scratch_.file("");
  EXPECT_EQ(load_error(path), path + ": cannot read: is a directory");
}

TEST_F(ElfLoaderErrors, EmptyFile) {
  std::string path = scratch_.file("empty.o");
  write_bytes(path, {});
  EXPECT_EQ(load_error(path), path + ": empty file");
}

TEST_F(ElfLoaderErrors, NotElf) {
  std::string path = scratch_.file("text.o");
  write_bytes(path, {'h', 'e', 'l', 'l', 'o', '\n'});
  EXPECT_EQ(load_error(path), path + ": not an ELF file");
}

TEST_F(ElfLoaderErrors, TruncatedHeader) {
  std::string path = damaged("globals.o", "header.o", [](auto& b) { b.resize(40); });
  EXPECT_EQ(load_error(path), path + ": corrupt ELF: truncated ELF header (40 bytes)");
}

TEST_F(ElfLoaderErrors, TruncatedSectionTable) {
  // clang writes the section header table last.
  std::string path = damaged("globals.o", "table.o", [](auto& b) { b.resize(b.size() - 64); });
  EXPECT_EQ(load_error(path), path + ": corrupt ELF: the section header table lies past the end of the file (truncated?)");
}

TEST_F(ElfLoaderErrors, TruncatedInTheMiddle) {
  std::string path = damaged("globals.o", "half.o", [](auto& b) { b.resize(b.size() / 2); });
  EXPECT_TRUE(load_error(path).starts_with(path + ": corrupt ELF: ")) << load_error(path);
}

TEST_F(ElfLoaderErrors, RandomBytesAfterTheHeader) {
  std::string path = damaged("globals.o", "random.o", [](auto& b) {
    std::mt19937 rng(42);
    b.resize(64);
    for (int i = 0; i < 4000; ++i) b.push_back(static_cast<uint8_t>(rng()));
  });
  EXPECT_TRUE(load_error(path).starts_with(path + ": corrupt ELF: ")) << load_error(path);
}

TEST_F(ElfLoaderErrors, SectionOutsideTheFile) {
  // Move the last section's data far past the end of the file.
  std::string path = damaged("globals.o", "outside.o", [](auto& b) {
    const uint32_t shoff = get_u32(b, 0x28);  // e_shoff (low half)
    const size_t count = b.at(0x3c) | b.at(0x3d) << 8;
    put_u32(b, shoff + (count - 1) * 64 + 0x18, 0x7fff0000);  // sh_offset (low half)
  });
  EXPECT_TRUE(load_error(path).starts_with(path + ": corrupt ELF: section ")) << load_error(path);
  EXPECT_NE(load_error(path).find("lies past the end of the file"), std::string::npos) << load_error(path);
}

// --- not a BPF object -----------------------------------------------------

TEST_F(ElfLoaderErrors, HostObject) {
  std::string path = object_path("x86_64.o");
  EXPECT_EQ(load_error(path), path + ": not a BPF object (machine x86-64)");
}

TEST_F(ElfLoaderErrors, NoPrograms) {
  std::string path = object_path("text_only.o");
  EXPECT_EQ(load_error(path), path + ": no BPF programs (no function in an executable section other than .text)");
}

// --- kernel features sbpf does not offer -----------------------------------

TEST_F(ElfLoaderErrors, Map) {
  std::string path = object_path("map.o");
  std::string message = load_error(path);
  EXPECT_TRUE(message.starts_with(path + ": lambda/map: pc ")) << message;
  EXPECT_NE(message.find("lddw refers to map 'counts': maps are not supported"), std::string::npos) << message;
}

TEST_F(ElfLoaderErrors, LegacyMapSection) {
  std::string path = object_path("legacy_maps.o");
  std::string message = load_error(path);
  EXPECT_TRUE(message.starts_with(path + ": libbpf cannot open the object: ")) << message;
  EXPECT_NE(message.find("legacy map definitions"), std::string::npos) << message;
}

TEST_F(ElfLoaderErrors, CoreRelocation) {
  std::string path = object_path("unsupported.o");
  EXPECT_EQ(program_error(path, "lambda/core"),
            path + ": lambda/core: pc 0: CO-RE relocation (field byte offset of 'task', access 0:1) is not "
                   "supported: there is no kernel BTF to relocate against");
}

TEST_F(ElfLoaderErrors, KconfigExtern) {
  std::string path = object_path("unsupported.o");
  std::string message = program_error(path, "lambda/kconfig");
  EXPECT_TRUE(message.starts_with(path + ": lambda/kconfig: pc 0: ")) << message;
  EXPECT_NE(message.find("lddw refers to extern 'LINUX_KERNEL_VERSION', which is not supported"), std::string::npos)
      << message;
}

TEST_F(ElfLoaderErrors, Kfunc) {
  std::string path = object_path("unsupported.o");
  std::string message = program_error(path, "lambda/kfunc");
  EXPECT_TRUE(message.starts_with(path + ": lambda/kfunc: pc ")) << message;
  EXPECT_NE(message.find("call to extern function 'bpf_kfunc_example' is not supported"), std::string::npos)
      << message;
}

TEST_F(ElfLoaderErrors, FunctionPointer) {
  std::string path = object_path("unsupported.o");
  std::string message = program_error(path, "lambda/funcptr");
  EXPECT_TRUE(message.starts_with(path + ": lambda/funcptr: pc ")) << message;
  EXPECT_NE(message.find("lddw takes the address of function 'callback': function pointers are not supported"),
            std::string::npos)
      << message;
}

TEST_F(ElfLoaderErrors, LoadingEveryProgramFailsOnTheFirstUnsupportedOne) {
  std::string path = object_path("unsupported.o");
  EXPECT_TRUE(load_error(path).starts_with(path + ": lambda/")) << load_error(path);
}

// --- damaged BTF ----------------------------------------------------------

TEST_F(ElfLoaderErrors, BtfTypeReferenceOutOfRange) {
  // Type 1 of globals.o is a pointer; make it point at a type that does not
  // exist. libbpf 1.1 itself would follow it.
  std::string path = damaged("globals.o", "btf.o", [](auto& b) {
    const size_t btf = btf_magic(b, 0);
    const size_t type1 = btf + get_u32(b, btf + 4) + get_u32(b, btf + 8);  // hdr_len + type_off
    ASSERT_EQ((get_u32(b, type1 + 4) >> 24) & 0x1f, 2u) << "type 1 is no longer a pointer";
    put_u32(b, type1 + 8, 0x7fffffff);
  });
  EXPECT_EQ(load_error(path), path + ": corrupt .BTF: type 1 refers to type 2147483647, which does not exist");
}

TEST_F(ElfLoaderErrors, BtfExtBadMagic) {
  std::string path = damaged("globals.o", "btf_ext.o", [](auto& b) { b.at(btf_magic(b, 1)) = 0; });
  EXPECT_EQ(load_error(path), path + ": corrupt .BTF.ext: bad magic");
}

TEST_F(ElfLoaderErrors, BtfExtLineInfoPastItsEnd) {
  // line_info_len far larger than the section.
  std::string path = damaged("globals.o", "lines.o", [](auto& b) { put_u32(b, btf_magic(b, 1) + 20, 0x100000); });
  EXPECT_EQ(load_error(path), path + ": corrupt .BTF.ext: an info subsection runs past the end of the section");
}

// --- choosing a program ---------------------------------------------------

TEST_F(ElfLoaderErrors, AmbiguousChoice) {
  std::string path = object_path("two_programs.o");
  EXPECT_NO_THROW(load_elf(path));  // all programs load, but one must be named
  EXPECT_EQ(program_error(path, ""),
            path + ": holds 2 programs; choose one of: lambda/first (first), lambda_io/second (second)");
}

TEST_F(ElfLoaderErrors, UnknownSection) {
  std::string path = object_path("two_programs.o");
  EXPECT_EQ(program_error(path, "lambda/nope"),
            path + ": no program in section 'lambda/nope'; the object has: lambda/first (first), lambda_io/second "
                   "(second)");
}

// --- robustness -----------------------------------------------------------

TEST_F(ElfLoaderErrors, PrintsNothingOnStderr) {
  ::testing::internal::CaptureStderr();
  load_error(object_path("legacy_maps.o"));
  load_error(object_path("map.o"));
  load_error(object_path("x86_64.o"));
  load_elf(object_path("globals.o"));
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// Every damaged copy either loads or fails with a LoadError naming the file;
// a crash ends the test binary.
TEST_F(ElfLoaderErrors, DamagedObjectsNeverCrash) {
  ::testing::internal::CaptureStderr();  // nothing may be printed either
  const std::vector<uint8_t> original = read_bytes(object_path("subprog.o"));
  const std::string path = scratch_.file("damaged.o");
  auto check = [&](const std::vector<uint8_t>& bytes, const std::string& what) {
    write_bytes(path, bytes);
    try {
      load_elf(path);
    } catch (const LoadError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with(path + ": ")) << what << ": " << e.what();
    }
  };
  for (size_t size = 0; size < original.size(); size += 37)
    check(std::vector<uint8_t>(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(size)),
          "truncated to " + std::to_string(size));
  std::mt19937 rng(20240601);
  for (int round = 0; round < 400; ++round) {
    std::vector<uint8_t> bytes = original;
    const int flips = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < flips; ++i) bytes[64 + rng() % (bytes.size() - 64)] = static_cast<uint8_t>(rng());
    check(bytes, "round " + std::to_string(round));
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace sbpf::frontend
