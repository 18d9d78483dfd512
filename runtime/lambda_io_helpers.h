// λ-IO's helpers, under λ-IO's ids, so its programs run unmodified.
#pragma once

#include "runtime/helper_registry.h"

namespace sbpf::runtime {

inline constexpr int32_t kHelperMemcpy = 156;
inline constexpr int32_t kHelperMalloc = 157;
inline constexpr int32_t kHelperFree = 158;
inline constexpr int32_t kHelperMemRead = 159;
inline constexpr int32_t kHelperMemWrite = 160;
inline constexpr int32_t kHelperMemcmp = 161;
inline constexpr int32_t kHelperMemset = 162;

// Adds ids 156..162. Every pointer argument is checked against the
// invocation's regions; a bad one aborts the invocation with kHelper.
void add_lambda_io_helpers(HelperRegistry& registry);

}  // namespace sbpf::runtime
