/* XRP bpfkv_get: BPF-KV's point lookup, one B+-tree level per completed read.
 *
 * Scratch: struct bpfkv_get_query (<sbpf/bpfkv.h>). The caller sets `key`,
 * zeroes the rest and reads the root block (offset 0, 512 bytes). Each
 * invocation then handles the block that arrived:
 *   - an internal node: ask for the child the search rule picks for `key`;
 *   - a leaf: if `key` is in it, ask for the log block holding its value,
 *     else answer found = 0;
 *   - that log block: copy the 64-byte value out, found = 1.
 * One read is asked for at a time, in slot 0.
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

#define GET_DESCENDING 0
#define GET_READING_VALUE 1

SBPF_XRP(bpfkv_get) unsigned int bpfkv_get(struct bpf_xrp *ctx) {
  struct bpfkv_get_query *query = (struct bpfkv_get_query *)ctx->scratch;

  if (query->state == GET_READING_VALUE) {
    if (!bpfkv_value_fits(query->value_ptr)) return BPFKV_ABORT_BAD_VALUE;
    __builtin_memcpy(query->value, ctx->data + bpfkv_value_offset(query->value_ptr), BPFKV_VALUE_SIZE);
    query->found = 1;
    return sbpf_xrp_finish(ctx);
  }
  if (query->state != GET_DESCENDING) return BPFKV_ABORT_BAD_STATE;
  if (++query->depth > BPFKV_MAX_LEVELS) return BPFKV_ABORT_TOO_DEEP;

  const struct bpfkv_node *node = (const struct bpfkv_node *)ctx->data;
  int slot = bpfkv_search_slot(node, query->key);
  sbpf_u64 ptr = node->ptr[slot];

  if (node->type == BPFKV_INTERNAL) {
    if (!bpfkv_is_pointer(ptr)) return BPFKV_ABORT_BAD_NODE;
    return sbpf_xrp_resubmit(ctx, bpfkv_decode(ptr), BPFKV_BLOCK_SIZE);
  }
  if (node->type != BPFKV_LEAF) return BPFKV_ABORT_BAD_NODE;

  /* A slot without the file bit is empty (the empty database's root), so
   * its key, 0, must not match. */
  if (node->key[slot] != query->key || !bpfkv_is_pointer(ptr)) {
    query->found = 0;
    return sbpf_xrp_finish(ctx);
  }
  /* The leaf is gone once the value block replaces it in `data`: keep the
   * pointer to find the value inside that block. */
  query->value_ptr = ptr;
  query->state = GET_READING_VALUE;
  return sbpf_xrp_resubmit(ctx, bpfkv_value_block(ptr), BPFKV_BLOCK_SIZE);
}
