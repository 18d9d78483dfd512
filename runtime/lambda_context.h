// The λ context ABI. Its first three fields are λ-IO's `struct context`, so
// λ-IO's programs run unmodified; sbpf's own fields follow.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sbpf::runtime {

struct LambdaContext {
  uint64_t buf_o;       // output buffer (region `output`)
  uint64_t buf_i;       // input buffer (region `input`, read-only)
  uint64_t size_i;      // input bytes
  uint64_t size_o_cap;  // sbpf: output buffer capacity
};

static_assert(offsetof(LambdaContext, buf_o) == 0 && offsetof(LambdaContext, buf_i) == 8 &&
                  offsetof(LambdaContext, size_i) == 16 && offsetof(LambdaContext, size_o_cap) == 24,
              "λ-IO's struct context layout");

}  // namespace sbpf::runtime
