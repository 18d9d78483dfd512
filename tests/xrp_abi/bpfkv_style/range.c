/* Range scans written the way BPF-KV's XRP programs are, with its
 * RangeQuery and its state machine:
 *   TRAVERSE   descend by range_begin to a leaf, keep it in _current_node;
 *   RESUME     scan the leaf in `data` from _node_key_ix (the caller's
 *              next request starts here, at _resume_from_leaf);
 *   READ_VALUE the block holding the value of _current_node's key at
 *              _node_key_ix: append it to kv[] (or add it to agg_value),
 *              then go on scanning _current_node;
 *   READ_NODE  the next leaf has arrived: keep it and scan it.
 * A taken key becomes range_begin, begin-exclusive, so that scanning a leaf
 * again skips it; _node_key_ix stays on it. When kv[] is full the request
 * ends where the scan stands; when no key is left the range is emptied. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kv_layout.h"

char LICENSE[] SEC("license") = "GPL";

#define KEY_MASK (RNG_KEYS - 1)

static __inline ptr__t child_for(key__t key, Node *node)
{
    for (int i = 1; i < NODE_CAPACITY; ++i)
        if (key < node->key[i])
            return node->ptr[i - 1];
    return node->ptr[NODE_CAPACITY - 1];
}

static __inline void range_complete(struct RangeQuery *query)
{
    query->range_begin = query->range_end;
    query->flags |= RNG_BEGIN_EXCLUSIVE;
    query->flags &= ~RNG_END_INCLUSIVE;
}

static __inline int past_end(struct RangeQuery *query, key__t key)
{
    if (query->flags & RNG_END_INCLUSIVE)
        return key > query->range_end;
    return key >= query->range_end;
}

static __inline unsigned int scan_leaf(struct bpf_xrp *context, struct RangeQuery *query, Node *node)
{
    key__t first = query->flags & RNG_BEGIN_EXCLUSIVE ? query->range_begin + 1 : query->range_begin;
    unsigned int ix = query->_node_key_ix;

    for (; ix < NODE_CAPACITY && query->len < RNG_KEYS; ++ix) {
        key__t key = node->key[ix & KEY_MASK];
        if (past_end(query, key)) {
            range_complete(query);
            context->done = 1;
            return 0;
        }
        if (key >= first) {
            query->_node_key_ix = ix;
            query->kv[query->len & KEY_MASK].key = key;
            query->range_begin = key;
            query->flags |= RNG_BEGIN_EXCLUSIVE;
            query->_state = RNG_READ_VALUE;
            context->next_addr[0] = value_base(decode(node->ptr[ix & KEY_MASK]));
            context->size[0] = BLK_SIZE;
            return 0;
        }
    }
    query->_node_key_ix = ix;

    if (query->len == RNG_KEYS) {
        /* kv[] is full: back to the caller, who asks again. */
        context->done = 1;
        if (ix < NODE_CAPACITY)
            return 0;
        if (node->next == 0) {
            range_complete(query);
            return 0;
        }
        query->_resume_from_leaf = node->next;
        query->_node_key_ix = 0;
        query->_state = RNG_READ_NODE;
        return 0;
    }
    if (node->next == 0) {
        range_complete(query);
        context->done = 1;
        return 0;
    }
    query->_resume_from_leaf = node->next;
    query->_node_key_ix = 0;
    query->_state = RNG_READ_NODE;
    context->next_addr[0] = node->next;
    context->size[0] = BLK_SIZE;
    return 0;
}

static __inline unsigned int collect_value(struct bpf_xrp *context, struct RangeQuery *query)
{
    ptr__t offset = value_offset(decode(query->_current_node.ptr[query->_node_key_ix & KEY_MASK]));

    if (query->agg_op == AGG_NONE) {
        __builtin_memcpy(query->kv[query->len & KEY_MASK].value, context->data + offset, sizeof(val__t));
        query->len++;
    } else if (query->agg_op == AGG_SUM) {
        query->agg_value += *(long *)(context->data + offset);
    }
    query->_state = RNG_RESUME;
    return scan_leaf(context, query, &query->_current_node);
}

SEC("kv_range_scan")
unsigned int kv_range_scan_func(struct bpf_xrp *context)
{
    struct RangeQuery *query = (struct RangeQuery *)context->scratch;
    Node *node = (Node *)context->data;

    switch (query->_state) {
    case RNG_TRAVERSE:
        if (node->type == LEAF) {
            query->_current_node = *node;
            return scan_leaf(context, query, node);
        }
        context->next_addr[0] = decode(child_for(query->range_begin, node));
        context->size[0] = BLK_SIZE;
        return 0;
    case RNG_READ_NODE:
        query->_current_node = *node;
        query->_state = RNG_RESUME;
        return scan_leaf(context, query, node);
    case RNG_RESUME:
        return scan_leaf(context, query, node);
    case RNG_READ_VALUE:
        return collect_value(context, query);
    default:
        context->done = 1;
        return 1;
    }
}
