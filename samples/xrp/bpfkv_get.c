/* XRP bpfkv_get: BPF-KV's point lookups, up to 32 keys per request, one
 * B+-tree level per completed read.
 *
 * Scratch: struct bpfkv_scatter_gather_query (<sbpf/bpfkv.h>), BPF-KV's
 * ScatterGatherQuery. The caller sets keys[0..n_keys), n_keys and
 * root_pointer, zeroes the rest and reads the root. Each invocation handles
 * the block that arrived for keys[current_index]:
 *   - an internal node: ask for the child the search rule picks;
 *   - a leaf: if the key is in it, ask for the log block holding its value,
 *     else answer found = 0 and go on with the next key;
 *   - that log block: copy the 64-byte value out, found = 1, next key.
 * The next key starts again at root_pointer; after the last, done. One read
 * is asked for at a time, in slot 0.
 *
 * state_flags is the function's own: its low byte says whether the block is
 * a node or the value, the rest counts the nodes read for the current key.
 *
 * The file is not trusted. A node whose type is neither internal nor leaf,
 * a child pointer without the file bit, a value pointer whose value would
 * run past its block, or a descent through more than BPFKV_MAX_LEVELS nodes
 * (a cycle of pointers) aborts the request with one of the BPFKV_ABORT_*
 * codes. Checking the value's offset before the copy names the fault, and
 * lets the verifier prove the copy in bounds instead of guarding each byte.
 */
#include <sbpf/bpfkv.h>
#include <sbpf/xrp.h>

#define GET_AT_NODE 0
#define GET_AT_VALUE 1
#define GET_STATE(flags) ((flags) & 0xff)
#define GET_DEPTH(flags) ((flags) >> 8)
#define GET_ONE_LEVEL (1u << 8)

/* Records the answer for the current key and moves on to the next one, or
 * finishes when it was the last. */
static unsigned int next_key(struct bpf_xrp *ctx, struct bpfkv_scatter_gather_query *query) {
  query->current_index++;
  query->state_flags = GET_AT_NODE;
  if (query->current_index >= query->n_keys || query->current_index >= BPFKV_SG_KEYS) return sbpf_xrp_finish(ctx);
  return sbpf_xrp_resubmit(ctx, query->root_pointer, BPFKV_BLOCK_SIZE);
}

SBPF_XRP(bpfkv_get) unsigned int bpfkv_get(struct bpf_xrp *ctx) {
  struct bpfkv_scatter_gather_query *query = (struct bpfkv_scatter_gather_query *)ctx->scratch;
  /* Unsigned, so that one comparison bounds it for the verifier. */
  const sbpf_u32 index = (sbpf_u32)query->current_index;

  if (index >= BPFKV_SG_KEYS) return BPFKV_ABORT_BAD_STATE;
  /* Asked for no key at all: the root read is all there is to it. */
  if ((sbpf_s32)index >= query->n_keys) return sbpf_xrp_finish(ctx);
  struct bpfkv_maybe_value *answer = &query->values[index];
  const sbpf_u64 key = query->keys[index];

  if (GET_STATE(query->state_flags) == GET_AT_VALUE) {
    if (!bpfkv_value_fits(query->value_ptr)) return BPFKV_ABORT_BAD_VALUE;
    __builtin_memcpy(answer->value, ctx->data + bpfkv_value_offset(query->value_ptr), BPFKV_VALUE_SIZE);
    answer->found = 1;
    return next_key(ctx, query);
  }
  if (GET_STATE(query->state_flags) != GET_AT_NODE) return BPFKV_ABORT_BAD_STATE;
  if (GET_DEPTH(query->state_flags) >= BPFKV_MAX_LEVELS) return BPFKV_ABORT_TOO_DEEP;
  query->state_flags += GET_ONE_LEVEL;

  const struct bpfkv_node *node = (const struct bpfkv_node *)ctx->data;
  int slot = bpfkv_search_slot(node, key);
  sbpf_u64 ptr = node->ptr[slot];

  if (node->type == BPFKV_INTERNAL) {
    if (!bpfkv_is_pointer(ptr)) return BPFKV_ABORT_BAD_NODE;
    return sbpf_xrp_resubmit(ctx, bpfkv_decode(ptr), BPFKV_BLOCK_SIZE);
  }
  if (node->type != BPFKV_LEAF) return BPFKV_ABORT_BAD_NODE;

  /* A slot without the file bit is empty (the empty database's root), so
   * its key, 0, must not match. */
  if (node->key[slot] != key || !bpfkv_is_pointer(ptr)) {
    answer->found = 0;
    return next_key(ctx, query);
  }
  /* The leaf is gone once the value block replaces it in `data`: keep the
   * pointer to find the value inside that block. */
  query->value_ptr = ptr;
  query->state_flags = GET_AT_VALUE;
  return sbpf_xrp_resubmit(ctx, bpfkv_value_block(ptr), BPFKV_BLOCK_SIZE);
}
