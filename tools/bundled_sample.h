// Where the samples this build compiled live: next to an installed `sbpf`
// (share/sbpf/samples), else in the build tree.
#pragma once

#include <string>

namespace sbpf::tools {

// The path of sample `name` (such as "xrp/bpfkv_get.o").
std::string bundled_sample(const std::string& name);

}  // namespace sbpf::tools
