// BPF-KV database files on the host: the bulk loader that writes one, and a
// plain pread-based lookup and range scan over one. The format is
// <sbpf/bpfkv.h>'s. The host lookups are the reference the XRP functions
// (samples/xrp/bpfkv_get.c, bpfkv_range.c) are tested against, so they are
// written independently of them: they share the format, not the code.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sbpf::xrp {

inline constexpr size_t kBpfkvValueSize = 64;
using BpfkvValue = std::array<uint8_t, kBpfkvValueSize>;

// The keys are 0, stride, 2 * stride, ..., (keys - 1) * stride. The largest
// must stay below UINT64_MAX, which the range scan's "ask again from the last
// key + 1" could not step past.
struct BpfkvBuildOptions {
  uint64_t keys = 0;
  uint64_t stride = 1;
  // Entries per node, 2 to 31: fewer make a deeper tree of the same keys
  // (bpfkv_fill_for_depth), the unused slots padded as the format says.
  uint64_t node_fill = 31;
};

// Writes the database for `options` to `path`, replacing the file. Leaves
// hold up to node_fill keys and parents up to node_fill children, all full
// but the last of each level; no keys gives the empty database (a lone
// empty leaf, see <sbpf/bpfkv.h>). Throws std::invalid_argument for options the format
// cannot hold, std::runtime_error("path: reason") when the file cannot be
// written.
void build_bpfkv_database(const std::string& path, const BpfkvBuildOptions& options);

// The tree's depth — the nodes a lookup reads, root to leaf — for `keys`
// keys at `node_fill` entries a node.
uint64_t bpfkv_depth(uint64_t keys, uint64_t node_fill);
// The largest node fill that gives `keys` keys a tree of `depth` levels;
// nothing when none does (too few keys for that depth, or too many).
std::optional<uint64_t> bpfkv_fill_for_depth(uint64_t keys, uint64_t depth);

// The value the builder stores for `key`: its decimal digits right-aligned
// in 63 characters, space padded, then a NUL. Readable in a hex dump, and
// unique per key so that a lookup returning a neighbour's value shows.
BpfkvValue bpfkv_value_for_key(uint64_t key);

// Looks `key` up by the format's search rule. Throws std::runtime_error
// ("path: reason") on I/O errors and on a file that breaks the format.
std::optional<BpfkvValue> bpfkv_reference_get(const std::string& path, uint64_t key);

// The largest key in the database (the last key of its last leaf), or
// nullopt for the empty database. Throws like bpfkv_reference_get.
std::optional<uint64_t> bpfkv_reference_largest_key(const std::string& path);

// The keys in [low, high] with their values, in key order; empty when
// low > high. Throws like bpfkv_reference_get.
std::vector<std::pair<uint64_t, BpfkvValue>> bpfkv_reference_range(const std::string& path, uint64_t low,
                                                                   uint64_t high);

}  // namespace sbpf::xrp
