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
CHECK(__builtin_offsetof(struct bpfkv_get_query, key) == 0);
CHECK(__builtin_offsetof(struct bpfkv_get_query, found) == 8);
CHECK(__builtin_offsetof(struct bpfkv_get_query, value) == 24);
CHECK(__builtin_offsetof(struct bpfkv_get_query, value_ptr) == 88);
CHECK(sizeof(struct bpfkv_range_result) == 72);
CHECK(sizeof(struct bpfkv_range_query) <= SBPF_XRP_SCRATCH_SIZE);

/* The kernel's integer names, as λ-IO's and BPF-KV's headers use them. */
CHECK(sizeof(__u64) == 8 && sizeof(__u32) == 4 && sizeof(__u16) == 2 && sizeof(__u8) == 1);
