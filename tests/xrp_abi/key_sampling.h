// How many of a database's keys the tests that walk whole databases check.
// The release build checks every key. The sanitizer build runs unoptimised
// and instrumented, some twenty times slower, and checks every 97th (a
// prime, so the sample still lands in every slot of every node): what it is
// there for is the memory safety of the same code paths, not the answers
// the release build has already checked.
#pragma once

#include <cstdint>

namespace sbpf::xrp {

#if defined(__SANITIZE_ADDRESS__)  // g++
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)  // clang
inline constexpr bool kSanitized = __has_feature(address_sanitizer);
#else
inline constexpr bool kSanitized = false;
#endif

inline constexpr uint64_t kKeyStride = kSanitized ? 97 : 1;

}  // namespace sbpf::xrp
