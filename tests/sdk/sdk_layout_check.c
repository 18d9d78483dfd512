/* The SDK's ABI structs, offset by offset. Compiled (never run) for BPF,
 * x86-64 and arm64: the same source is the BPF program and its native twin,
 * so the three must agree byte for byte. */
#include <sbpf/bpfkv.h>
#include <sbpf/lambda.h>
#include <sbpf/xrp.h>

#define CHECK(cond) SBPF_STATIC_ASSERT(cond, #cond)

/* λ: λ-IO's three fields, then sbpf's. */
CHECK(sizeof(struct context) == 32);
CHECK(__builtin_offsetof(struct context, buf_o) == 0);
CHECK(__builtin_offsetof(struct context, buf_i) == 8);
CHECK(__builtin_offsetof(struct context, size_i) == 16);
CHECK(__builtin_offsetof(struct context, size_o_cap) == 24);

/* XRP: the paper's struct bpf_xrp. */
CHECK(sizeof(struct bpf_xrp) == 280);
CHECK(__builtin_offsetof(struct bpf_xrp, data) == 0);
CHECK(__builtin_offsetof(struct bpf_xrp, done) == 8);
CHECK(__builtin_offsetof(struct bpf_xrp, next_addr) == 16);
CHECK(__builtin_offsetof(struct bpf_xrp, size) == 144);
CHECK(__builtin_offsetof(struct bpf_xrp, scratch) == 272);
CHECK(SBPF_XRP_SCRATCH_SIZE == 4096 && SBPF_XRP_MAX_FANOUT == 16);

/* BPF-KV: 512-byte nodes, 64-byte values. */
CHECK(sizeof(struct bpfkv_node) == 512);
CHECK(__builtin_offsetof(struct bpfkv_node, type) == 8);
CHECK(__builtin_offsetof(struct bpfkv_node, key) == 16);
CHECK(__builtin_offsetof(struct bpfkv_node, ptr) == 16 + 31 * 8);

/* BPF-KV's scratch layouts, as its user space and programs share them. */
CHECK(BPFKV_SG_KEYS == 32 && BPFKV_RANGE_KEYS == 32);
CHECK(sizeof(struct bpfkv_maybe_value) == 65);
CHECK(__builtin_offsetof(struct bpfkv_maybe_value, found) == 0);
CHECK(__builtin_offsetof(struct bpfkv_maybe_value, value) == 1);
CHECK(sizeof(struct bpfkv_scatter_gather_query) == 2368);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, root_pointer) == 0);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, value_ptr) == 8);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, state_flags) == 16);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, current_index) == 20);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, n_keys) == 24);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, keys) == 32);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, values) == 288);
CHECK(__builtin_offsetof(struct bpfkv_scatter_gather_query, values[31].value) == 288 + 31 * 65 + 1);
CHECK(sizeof(struct bpfkv_key_value) == 72);
CHECK(__builtin_offsetof(struct bpfkv_key_value, value) == 8);
CHECK(sizeof(struct bpfkv_range_query) == 2880);
CHECK(__builtin_offsetof(struct bpfkv_range_query, range_begin) == 0);
CHECK(__builtin_offsetof(struct bpfkv_range_query, range_end) == 8);
CHECK(__builtin_offsetof(struct bpfkv_range_query, flags) == 16);
CHECK(__builtin_offsetof(struct bpfkv_range_query, agg_op) == 20);
CHECK(__builtin_offsetof(struct bpfkv_range_query, len) == 24);
CHECK(__builtin_offsetof(struct bpfkv_range_query, kv) == 32);
CHECK(__builtin_offsetof(struct bpfkv_range_query, agg_value) == 2336);
CHECK(__builtin_offsetof(struct bpfkv_range_query, _state) == 2344);
CHECK(__builtin_offsetof(struct bpfkv_range_query, _resume_from_leaf) == 2352);
CHECK(__builtin_offsetof(struct bpfkv_range_query, _node_key_ix) == 2360);
CHECK(__builtin_offsetof(struct bpfkv_range_query, _current_node) == 2368);
CHECK(sizeof(struct bpfkv_range_query) <= SBPF_XRP_SCRATCH_SIZE);
CHECK(BPFKV_RANGE_BEGIN_EXCLUSIVE == 1 && BPFKV_RANGE_END_INCLUSIVE == 2);
CHECK(BPFKV_RANGE_RESUME == 1 && BPFKV_RANGE_TRAVERSE == 2 && BPFKV_RANGE_READ_VALUE == 3 && BPFKV_RANGE_READ_NODE == 4);
CHECK(BPFKV_AGG_NONE == 0 && BPFKV_AGG_SUM == 1);

/* The kernel's integer names, as λ-IO's and BPF-KV's headers use them. */
CHECK(sizeof(__u64) == 8 && sizeof(__u32) == 4 && sizeof(__u16) == 2 && sizeof(__u8) == 1);
