#include "frontend/btf_check.h"

#include <bpf/btf.h>

#include <cstdint>
#include <memory>
#include <string>

#include "frontend/object_problem.h"

namespace sbpf::frontend::detail {

namespace {

class BtfReferenceCheck {
 public:
  explicit BtfReferenceCheck(const struct btf* btf) : btf_(btf), count_(btf__type_cnt(btf)) {}

  void run() const {
    for (uint32_t id = 1; id < count_; ++id) {
      const btf_type* t = btf__type_by_id(btf_, id);
      check_references(id, t);
      check_modifier_chain(id);
    }
  }

 private:
  const struct btf* btf_;
  uint32_t count_;

  [[noreturn]] static void bad(uint32_t id, const std::string& what) {
    throw ObjectProblem("corrupt .BTF: type " + std::to_string(id) + " " + what);
  }
  void type(uint32_t id, uint32_t referenced) const {
    if (referenced >= count_) bad(id, "refers to type " + std::to_string(referenced) + ", which does not exist");
  }
  void name(uint32_t id, uint32_t offset) const {
    if (btf__name_by_offset(btf_, offset) == nullptr) bad(id, "has a name outside the string table");
  }

  void check_references(uint32_t id, const btf_type* t) const {
    name(id, t->name_off);
    const uint16_t n = btf_vlen(t);
    switch (btf_kind(t)) {
      case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_FUNC: case BTF_KIND_VAR:
      case BTF_KIND_DECL_TAG:
        type(id, t->type);
        break;
      case BTF_KIND_ARRAY:
        type(id, btf_array(t)->type);
        type(id, btf_array(t)->index_type);
        break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        for (uint16_t i = 0; i < n; ++i) {
          type(id, btf_members(t)[i].type);
          name(id, btf_members(t)[i].name_off);
        }
        break;
      case BTF_KIND_ENUM:
        for (uint16_t i = 0; i < n; ++i) name(id, btf_enum(t)[i].name_off);
        break;
      case BTF_KIND_ENUM64:
        for (uint16_t i = 0; i < n; ++i) name(id, btf_enum64(t)[i].name_off);
        break;
      case BTF_KIND_FUNC_PROTO:
        type(id, t->type);
        for (uint16_t i = 0; i < n; ++i) {
          type(id, btf_params(t)[i].type);
          name(id, btf_params(t)[i].name_off);
        }
        break;
      case BTF_KIND_DATASEC:
        for (uint16_t i = 0; i < n; ++i) type(id, btf_var_secinfos(t)[i].type);
        break;
      default:
        break;
    }
  }

  // libbpf skips modifiers and typedefs in a loop with no limit: a cycle
  // among them would never end.
  void check_modifier_chain(uint32_t id) const {
    uint32_t at = id;
    for (uint32_t steps = 0; steps < count_; ++steps) {
      const btf_type* t = btf__type_by_id(btf_, at);
      if (!btf_is_mod(t) && !btf_is_typedef(t)) return;
      at = t->type;
    }
    bad(id, "starts a cycle of modifiers and typedefs");
  }
};

}  // namespace

void check_btf(const ElfObject& elf, const LibbpfWarnings& warnings) {
  const ElfSection* section = elf.find_section(".BTF");
  if (section == nullptr) return;
  std::unique_ptr<struct btf, void (*)(struct btf*)> btf(
      btf__new(section->bytes.data(), static_cast<uint32_t>(section->bytes.size())), &btf__free);
  if (!btf) throw ObjectProblem("corrupt .BTF: " + (warnings.first().empty() ? "libbpf cannot parse it" : warnings.first()));
  BtfReferenceCheck(btf.get()).run();
}

}  // namespace sbpf::frontend::detail
