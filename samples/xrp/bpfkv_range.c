/* XRP bpfkv_range: BPF-KV's range scan, the keys of a range with their
 * values (or their sum), one completed read per invocation.
 *
 * Scratch: struct bpfkv_range_query (<sbpf/bpfkv.h>), BPF-KV's RangeQuery,
 * with its protocol: the caller's first request has _state TRAVERSE and
 * reads the root; each request collects at most BPFKV_RANGE_KEYS pairs;
 * the caller asks again (_state RESUME, first read at _resume_from_leaf)
 * until the function has emptied the range. The function
 *   1. descends as a lookup of range_begin would, keeping the offset of the
 *      node it asks for in _resume_from_leaf, to the leaf that holds
 *      range_begin or the keys around it;
 *   2. keeps that leaf in _current_node (the value reads replace it in
 *      `data`) and, for each key of it in the range, reads the key's log
 *      block and appends {key, value} to kv[] (or adds the value to
 *      agg_value), moving range_begin past the key (begin-exclusive);
 *   3. follows the leaf's `next` to the next leaf and goes on at 2.
 * It empties the range at the first key past its end or after the last
 * leaf. When kv[] is full and another key may follow, it ends the request
 * with _node_key_ix and _resume_from_leaf saying where to go on.
 * _node_key_ix counts the nodes read on the way down until the leaf.
 *
 * The file is not trusted. Besides a bad node type, a pointer without the
 * file bit, a value running past its block, and a descent through more
 * than BPFKV_MAX_LEVELS nodes, a leaf reached through `next` must start
 * above the previous leaf's last key. That makes every hop go to larger
 * keys, so a `next` chain that loops back aborts instead of running
 * forever. Any other access past a block is caught by sbpf's run-time
 * checks.
 */
#include <sbpf/bpfkv.h>
#include <sbpf/xrp.h>

/* Ends the request: kv[] is full, or (with the range emptied) the scan is
 * over. */
static unsigned int end_request(struct bpf_xrp *ctx) { return sbpf_xrp_finish(ctx); }

static unsigned int end_scan(struct bpf_xrp *ctx, struct bpfkv_range_query *query) {
  bpfkv_range_mark_done(query);
  return sbpf_xrp_finish(ctx);
}

/* Goes on through _current_node from _node_key_ix: asks for the value of
 * the next key in range, for the next leaf, or ends. */
static unsigned int scan_leaf(struct bpf_xrp *ctx, struct bpfkv_range_query *query) {
  const struct bpfkv_node *leaf = &query->_current_node;
  const int collecting = query->agg_op == BPFKV_AGG_NONE;

  for (sbpf_u32 slot = query->_node_key_ix; slot < BPFKV_NODE_CAPACITY; slot++) {
    sbpf_u64 key = leaf->key[slot];
    sbpf_u64 ptr = leaf->ptr[slot];
    /* Slots without the file bit are empty (the empty database's root);
     * keys at or below range_begin were taken already, or come before the
     * range, or repeat the leaf's last key as padding. */
    if (!bpfkv_is_pointer(ptr)) continue;
    if (bpfkv_range_past_end(query, key)) return end_scan(ctx, query);
    if (bpfkv_range_before_begin(query, key)) continue;
    query->_node_key_ix = slot;
    if (collecting && query->len >= BPFKV_RANGE_KEYS) return end_request(ctx);
    query->_state = BPFKV_RANGE_READ_VALUE;
    return sbpf_xrp_resubmit(ctx, bpfkv_value_block(ptr), BPFKV_BLOCK_SIZE);
  }

  if (leaf->next == 0) return end_scan(ctx, query);
  query->_resume_from_leaf = leaf->next; /* a plain offset, unlike the pointers */
  query->_node_key_ix = 0;
  if (collecting && query->len >= BPFKV_RANGE_KEYS) {
    /* Whether the next leaf holds a key in range would cost a read to
     * learn; the caller's next request starts there either way. */
    query->_state = BPFKV_RANGE_RESUME;
    return end_request(ctx);
  }
  query->_state = BPFKV_RANGE_READ_NODE;
  return sbpf_xrp_resubmit(ctx, leaf->next, BPFKV_BLOCK_SIZE);
}

/* The value of _current_node's key at _node_key_ix has arrived. */
static unsigned int take_value(struct bpf_xrp *ctx, struct bpfkv_range_query *query) {
  const sbpf_u32 slot = query->_node_key_ix;
  if (slot >= BPFKV_NODE_CAPACITY) return BPFKV_ABORT_BAD_STATE;
  const sbpf_u64 key = query->_current_node.key[slot];
  const sbpf_u64 ptr = query->_current_node.ptr[slot];
  if (!bpfkv_value_fits(ptr)) return BPFKV_ABORT_BAD_VALUE;
  const char *value = ctx->data + bpfkv_value_offset(ptr);

  if (query->agg_op == BPFKV_AGG_NONE) {
    /* Unsigned, so that one comparison bounds it for the verifier. */
    const sbpf_u32 len = (sbpf_u32)query->len;
    if (len >= BPFKV_RANGE_KEYS) return BPFKV_ABORT_BAD_STATE;
    query->kv[len].key = key;
    __builtin_memcpy(query->kv[len].value, value, BPFKV_VALUE_SIZE);
    query->len = (sbpf_s32)(len + 1);
  } else {
    sbpf_u64 addend;
    __builtin_memcpy(&addend, value, sizeof addend);
    query->agg_value = (sbpf_s64)((sbpf_u64)query->agg_value + addend);
  }
  query->range_begin = key;
  query->flags |= BPFKV_RANGE_BEGIN_EXCLUSIVE;
  query->_node_key_ix = slot + 1;
  query->_state = BPFKV_RANGE_RESUME;
  /* Once the range's last key is taken nothing can follow. */
  if (bpfkv_range_is_empty(query)) return end_scan(ctx, query);
  return scan_leaf(ctx, query);
}

SBPF_XRP(bpfkv_range) unsigned int bpfkv_range(struct bpf_xrp *ctx) {
  struct bpfkv_range_query *query = (struct bpfkv_range_query *)ctx->scratch;
  const struct bpfkv_node *node = (const struct bpfkv_node *)ctx->data;

  if (query->agg_op != BPFKV_AGG_NONE && query->agg_op != BPFKV_AGG_SUM) return BPFKV_ABORT_BAD_STATE;
  switch (query->_state) {
    case BPFKV_RANGE_TRAVERSE:
      if (++query->_node_key_ix > BPFKV_MAX_LEVELS) return BPFKV_ABORT_TOO_DEEP;
      if (node->type == BPFKV_INTERNAL) {
        sbpf_u64 child = node->ptr[bpfkv_search_slot(node, query->range_begin)];
        if (!bpfkv_is_pointer(child)) return BPFKV_ABORT_BAD_NODE;
        query->_resume_from_leaf = bpfkv_decode(child);
        return sbpf_xrp_resubmit(ctx, bpfkv_decode(child), BPFKV_BLOCK_SIZE);
      }
      if (node->type != BPFKV_LEAF) return BPFKV_ABORT_BAD_NODE;
      query->_current_node = *node;
      query->_node_key_ix = 0;
      query->_state = BPFKV_RANGE_RESUME;
      return scan_leaf(ctx, query);
    case BPFKV_RANGE_READ_NODE:
      if (node->type != BPFKV_LEAF || !bpfkv_is_pointer(node->ptr[0])) return BPFKV_ABORT_BAD_NODE;
      if (node->key[0] <= query->_current_node.key[BPFKV_NODE_CAPACITY - 1]) return BPFKV_ABORT_UNORDERED;
      query->_current_node = *node;
      query->_state = BPFKV_RANGE_RESUME;
      return scan_leaf(ctx, query);
    case BPFKV_RANGE_RESUME:
      /* The caller's next request: the block is the leaf to go on with. */
      if (node->type != BPFKV_LEAF) return BPFKV_ABORT_BAD_NODE;
      if (query->_node_key_ix > BPFKV_NODE_CAPACITY) return BPFKV_ABORT_BAD_STATE;
      query->_current_node = *node;
      return scan_leaf(ctx, query);
    case BPFKV_RANGE_READ_VALUE:
      return take_value(ctx, query);
    default:
      return BPFKV_ABORT_BAD_STATE;
  }
}
