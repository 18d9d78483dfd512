// What an entry function takes: the name of the struct its first parameter
// points to, read from the object's BTF.
#pragma once

#include <string>

struct btf;

namespace sbpf::frontend::detail {

// "bpf_xrp" for `unsigned f(struct bpf_xrp *ctx)`, through typedefs and
// qualifiers; empty when there is no BTF, no such function, or the first
// parameter is not a pointer to a named struct.
std::string context_type_of(const struct btf* btf, const std::string& function);

}  // namespace sbpf::frontend::detail
