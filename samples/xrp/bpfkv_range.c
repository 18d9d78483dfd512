/* XRP bpfkv_range: BPF-KV's range scan, the keys in [low, high] with their
 * values, one completed read per invocation.
 *
 * Scratch: struct bpfkv_range_query (<sbpf/bpfkv.h>). The caller sets `low`
 * and `high`, zeroes the rest and reads the root block (offset 0, 512
 * bytes). The function then
 *   1. descends as a lookup of `low` would, to the leaf that holds `low` or
 *      the keys around it;
 *   2. keeps that leaf in scratch (the value reads replace it in `data`) and,
 *      for each key of it in [low, high], reads the key's log block and
 *      appends {key, value} to `results`;
 *   3. follows the leaf's `next` to the next leaf and goes on at 2.
 * It stops at the first key above `high`, after the last leaf, or when
 * BPFKV_RANGE_MAX_RESULTS results are in and another key may follow, in
 * which case it sets `more` and the caller asks again from the last key + 1.
 *
 * `cursor`, the smallest key the scan still takes, does the bookkeeping: it
 * starts at `low` and moves past each key taken. Keys below it are the
 * first leaf's keys under `low` and the padding's repeats of a leaf's last
 * key, both skipped by the same comparison.
 *
 * The file is not trusted. Besides a bad node type, a pointer without the
 * file bit, a value running past its block, and a descent through more
 * than BPFKV_MAX_LEVELS nodes, a leaf reached through `next` must start at
 * or above `cursor`: its keys follow the previous leaf's. That makes every
 * hop take a new key or end the scan, so a `next` chain that loops back
 * aborts instead of running forever. Any other access past a block is
 * caught by sbpf's run-time checks.
 */
#include <sbpf/bpfkv.h>
#include <sbpf/xrp.h>

#define RANGE_DESCENDING 0
#define RANGE_READING_VALUE 1
#define RANGE_READING_NEXT_LEAF 2

/* Goes on through query->leaf from query->slot: asks for the value of the
 * next key in range, for the next leaf, or finishes. */
static unsigned int scan_leaf(struct bpf_xrp *ctx, struct bpfkv_range_query *query) {
  const struct bpfkv_node *leaf = &query->leaf;

  for (sbpf_u64 slot = query->slot; slot < BPFKV_NODE_CAPACITY; slot++) {
    sbpf_u64 key = leaf->key[slot];
    if (!bpfkv_is_pointer(leaf->ptr[slot]) || key < query->cursor) continue;
    if (key > query->high) return sbpf_xrp_finish(ctx);
    if (query->count == BPFKV_RANGE_MAX_RESULTS) {
      query->more = 1;
      return sbpf_xrp_finish(ctx);
    }
    query->slot = slot;
    query->state = RANGE_READING_VALUE;
    return sbpf_xrp_resubmit(ctx, bpfkv_value_block(leaf->ptr[slot]), BPFKV_BLOCK_SIZE);
  }

  /* The leaf is done. Once `high` itself was taken nothing can follow, so
   * the next leaf is not worth a read. */
  if (leaf->next == 0 || query->cursor > query->high) return sbpf_xrp_finish(ctx);
  if (query->count == BPFKV_RANGE_MAX_RESULTS) {
    /* Whether the next leaf holds a key in range would cost a read to learn;
     * "may remain" is enough for the caller to ask again. */
    query->more = 1;
    return sbpf_xrp_finish(ctx);
  }
  query->state = RANGE_READING_NEXT_LEAF;
  return sbpf_xrp_resubmit(ctx, leaf->next, BPFKV_BLOCK_SIZE);
}

static void keep_leaf(struct bpfkv_range_query *query, const struct bpfkv_node *leaf) {
  query->leaf = *leaf;
  query->slot = 0;
}

SBPF_XRP(bpfkv_range) unsigned int bpfkv_range(struct bpf_xrp *ctx) {
  struct bpfkv_range_query *query = (struct bpfkv_range_query *)ctx->scratch;
  const struct bpfkv_node *node = (const struct bpfkv_node *)ctx->data;

  if (query->state == RANGE_READING_VALUE) {
    if (query->slot >= BPFKV_NODE_CAPACITY || query->count >= BPFKV_RANGE_MAX_RESULTS) return BPFKV_ABORT_BAD_STATE;
    sbpf_u64 key = query->leaf.key[query->slot];
    sbpf_u64 ptr = query->leaf.ptr[query->slot];
    struct bpfkv_range_result *result = &query->results[query->count];
    result->key = key;
    if (!bpfkv_value_fits(ptr)) return BPFKV_ABORT_BAD_VALUE;
    __builtin_memcpy(result->value, ctx->data + bpfkv_value_offset(ptr), BPFKV_VALUE_SIZE);
    query->count++;
    /* No key lies above 2^64-1, and cursor = key + 1 would wrap to 0 and
     * take every key again. */
    if (key == ~(sbpf_u64)0) return sbpf_xrp_finish(ctx);
    query->cursor = key + 1;
    query->slot++;
    return scan_leaf(ctx, query);
  }

  if (query->state == RANGE_READING_NEXT_LEAF) {
    if (node->type != BPFKV_LEAF || !bpfkv_is_pointer(node->ptr[0])) return BPFKV_ABORT_BAD_NODE;
    if (node->key[0] < query->cursor) return BPFKV_ABORT_UNORDERED;
    keep_leaf(query, node);
    return scan_leaf(ctx, query);
  }

  if (query->state != RANGE_DESCENDING) return BPFKV_ABORT_BAD_STATE;
  if (++query->depth > BPFKV_MAX_LEVELS) return BPFKV_ABORT_TOO_DEEP;
  if (node->type == BPFKV_INTERNAL) {
    sbpf_u64 child = node->ptr[bpfkv_search_slot(node, query->low)];
    if (!bpfkv_is_pointer(child)) return BPFKV_ABORT_BAD_NODE;
    return sbpf_xrp_resubmit(ctx, bpfkv_decode(child), BPFKV_BLOCK_SIZE);
  }
  if (node->type != BPFKV_LEAF) return BPFKV_ABORT_BAD_NODE;
  keep_leaf(query, node);
  query->cursor = query->low;
  return scan_leaf(ctx, query);
}
