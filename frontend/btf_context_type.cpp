#include "frontend/btf_context_type.h"

#include <bpf/btf.h>

namespace sbpf::frontend::detail {

namespace {

// Follows typedefs and qualifiers (const, volatile, restrict, type tags) to
// the type they name. BTF was validated before libbpf parsed it, but a chain
// is still bounded so that a cycle cannot hang the loader.
const struct btf_type* strip(const struct btf* btf, __u32 id) {
  for (int hops = 0; hops < 64; ++hops) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (t == nullptr) return nullptr;
    switch (btf_kind(t)) {
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        id = t->type;
        continue;
      default:
        return t;
    }
  }
  return nullptr;
}

}  // namespace

std::string context_type_of(const struct btf* btf, const std::string& function) {
  if (btf == nullptr) return "";
  __s32 id = btf__find_by_name_kind(btf, function.c_str(), BTF_KIND_FUNC);
  if (id <= 0) return "";
  const struct btf_type* func = btf__type_by_id(btf, static_cast<__u32>(id));
  const struct btf_type* proto = func != nullptr ? btf__type_by_id(btf, func->type) : nullptr;
  if (proto == nullptr || !btf_is_func_proto(proto) || btf_vlen(proto) == 0) return "";
  const struct btf_type* param = strip(btf, btf_params(proto)[0].type);
  if (param == nullptr || !btf_is_ptr(param)) return "";
  const struct btf_type* pointee = strip(btf, param->type);
  if (pointee == nullptr || !btf_is_struct(pointee)) return "";
  const char* name = btf__name_by_offset(btf, pointee->name_off);
  return name != nullptr ? name : "";
}

}  // namespace sbpf::frontend::detail
