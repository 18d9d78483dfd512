#include "frontend/libbpf_object.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "frontend/object_problem.h"

namespace sbpf::frontend::detail {

LibbpfObject::LibbpfObject(std::span<const uint8_t> bytes, const std::string& name, const LibbpfWarnings& warnings)
    : object_(nullptr, &bpf_object__close) {
  bpf_object_open_opts opts{};
  opts.sz = sizeof opts;
  opts.object_name = name.c_str();
  object_.reset(bpf_object__open_mem(bytes.data(), bytes.size(), &opts));
  if (!object_) {
    std::string why = warnings.first().empty() ? std::generic_category().message(errno) : warnings.first();
    throw ObjectProblem("libbpf cannot open the object: " + why);
  }
}

std::vector<EntryPoint> LibbpfObject::entry_points() const {
  std::vector<EntryPoint> entries;
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, object_.get()) {
    EntryPoint e;
    e.section = bpf_program__section_name(prog);
    e.function = bpf_program__name(prog);
    const bpf_insn* insns = bpf_program__insns(prog);
    for (size_t i = 0; i < bpf_program__insn_cnt(prog); ++i) {
      const bpf_insn& raw = insns[i];
      e.insns.push_back({raw.code, raw.dst_reg, raw.src_reg, raw.off, raw.imm});
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

const struct btf* LibbpfObject::btf() const { return bpf_object__btf(object_.get()); }

}  // namespace sbpf::frontend::detail
