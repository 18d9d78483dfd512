// BPF ELF objects → isa::Program, without a kernel.
//
// libbpf opens the object and names its programs, but version 1.1 applies
// relocations only when it loads into a kernel, and it hides sub-programs,
// relocation records and .BTF.ext behind its private API. So the loader reads
// the ELF structure itself (elf_object), checks .BTF before libbpf parses it
// (btf_check), lets libbpf name the programs (libbpf_object), reads .BTF.ext
// (btf_ext) and links each program the way libbpf's loader would
// (program_linker).
#include "frontend/elf_loader.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "frontend/btf_check.h"
#include "frontend/btf_context_type.h"
#include "frontend/btf_ext.h"
#include "frontend/elf_object.h"
#include "frontend/global_data.h"
#include "frontend/libbpf_object.h"
#include "frontend/libbpf_warnings.h"
#include "frontend/object_problem.h"
#include "frontend/program_linker.h"

namespace sbpf::frontend {

namespace {

using detail::BtfExtInfo;
using detail::ElfObject;
using detail::EntryPoint;
using detail::GlobalData;
using detail::LibbpfObject;
using detail::LibbpfWarnings;
using detail::ObjectProblem;

std::vector<uint8_t> read_object_file(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec) throw ObjectProblem("cannot open: " + ec.message());
  if (std::filesystem::is_directory(status)) throw ObjectProblem("cannot read: is a directory");
  if (!std::filesystem::is_regular_file(status)) throw ObjectProblem("cannot read: not a regular file");

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw ObjectProblem("cannot open: " + std::generic_category().message(errno));
  std::vector<uint8_t> bytes;
  std::array<uint8_t, 65536> chunk;
  size_t got = 0;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), file.get())) > 0)
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
  if (std::ferror(file.get())) throw ObjectProblem("cannot read: " + std::generic_category().message(errno));
  if (bytes.empty()) throw ObjectProblem("empty file");
  return bytes;
}

// The ELF structure, checked enough that libbpf can be given the file.
ElfObject read_checked_object(std::vector<uint8_t>& bytes, const LibbpfWarnings& warnings) {
  ElfObject elf = detail::read_elf_object(bytes);
  detail::check_btf(elf, warnings);
  return elf;
}

// One object, opened: the entry points are known before any is linked, so a
// caller can pick one without paying for (or failing on) the others.

class OpenObject {
 public:
  explicit OpenObject(const std::string& path)
      : bytes_(read_object_file(path)),
        elf_(read_checked_object(bytes_, warnings_)),
        data_(detail::collect_global_data(elf_)),
        libbpf_(bytes_, std::filesystem::path(path).stem().string(), warnings_),
        entries_(libbpf_.entry_points()),
        ext_(detail::read_btf_ext(elf_, libbpf_.btf())) {
    detail::add_null_pointers(data_, elf_, libbpf_.btf());
    if (entries_.empty())
      throw ObjectProblem("no BPF programs (no function in an executable section other than .text)");
  }

  const std::vector<EntryPoint>& entries() const { return entries_; }

  isa::Program link(const EntryPoint& entry) const {
    isa::Program program = detail::link_program(entry, elf_, data_, ext_, libbpf_.btf());
    program.context_type = detail::context_type_of(libbpf_.btf(), entry.function);
    try {
      isa::validate(program);
    } catch (const isa::FormatError& e) {
      throw ObjectProblem(entry.section + ": " + e.what());
    }
    return program;
  }

 private:
  LibbpfWarnings warnings_;
  std::vector<uint8_t> bytes_;
  ElfObject elf_;
  GlobalData data_;
  LibbpfObject libbpf_;
  std::vector<EntryPoint> entries_;
  BtfExtInfo ext_;
};

std::string list_sections(const std::vector<EntryPoint>& entries) {
  std::string list;
  for (const EntryPoint& e : entries) {
    if (!list.empty()) list += ", ";
    list += e.section + " (" + e.function + ")";
  }
  return list;
}

const EntryPoint& choose_entry(const std::vector<EntryPoint>& entries, const std::string& wanted) {
  if (wanted.empty()) {
    if (entries.size() == 1) return entries.front();
    throw ObjectProblem("holds " + std::to_string(entries.size()) + " programs; choose one of: " +
                        list_sections(entries));
  }
  std::vector<const EntryPoint*> matches;
  for (const EntryPoint& e : entries)
    if (e.section == wanted) matches.push_back(&e);
  if (matches.empty()) {
    for (const EntryPoint& e : entries)
      if (e.function == wanted) matches.push_back(&e);
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.empty())
    throw ObjectProblem("no program in section '" + wanted + "'; the object has: " + list_sections(entries));
  throw ObjectProblem("section '" + wanted + "' holds " + std::to_string(matches.size()) +
                      " programs; name one by its function: " + list_sections(entries));
}

}  // namespace

bool looks_like_elf(const std::vector<uint8_t>& bytes) { return detail::looks_like_elf_bytes(bytes); }

std::vector<isa::Program> load_elf(const std::string& path) {
  try {
    OpenObject object(path);
    std::vector<isa::Program> programs;
    for (const EntryPoint& entry : object.entries()) programs.push_back(object.link(entry));
    return programs;
  } catch (const detail::UnsupportedProblem& problem) {
    throw UnsupportedConstruct(path, problem.what());
  } catch (const ObjectProblem& problem) {
    throw LoadError(path + ": " + problem.what());
  }
}

isa::Program load_elf_program(const std::string& path, const std::string& section) {
  try {
    OpenObject object(path);
    return object.link(choose_entry(object.entries(), section));
  } catch (const detail::UnsupportedProblem& problem) {
    throw UnsupportedConstruct(path, problem.what());
  } catch (const ObjectProblem& problem) {
    throw LoadError(path + ": " + problem.what());
  }
}

}  // namespace sbpf::frontend
