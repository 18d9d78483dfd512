/* Point lookups written the way BPF-KV's XRP programs are: kernel headers,
 * a section name with no xrp prefix, its ScatterGatherQuery in scratch and
 * index masks that keep every array access in bounds. Each invocation
 * handles one block for keys[current_index]: an internal node (follow the
 * child), a leaf (find the key, then read its value's block, or record a
 * miss), or the value's block; after each key the next one starts again at
 * the root, and after the last the request is done. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "kv_layout.h"

char LICENSE[] SEC("license") = "GPL";

#define AT_VALUE 1
#define INDEX_MASK (SG_KEYS - 1)

static __inline int key_in_leaf(key__t key, Node *node)
{
    for (int i = 0; i < NODE_CAPACITY; ++i)
        if (node->key[i] == key && (node->ptr[i] & FILE_MASK))
            return 1;
    return 0;
}

/* The child (or value) pointer the search rule picks for key. */
static __inline ptr__t child_for(key__t key, Node *node)
{
    for (int i = 1; i < NODE_CAPACITY; ++i)
        if (key < node->key[i])
            return node->ptr[i - 1];
    return node->ptr[NODE_CAPACITY - 1];
}

static __inline void on_to_next_key(struct bpf_xrp *context, struct ScatterGatherQuery *query)
{
    query->current_index++;
    query->state_flags = 0;
    if (query->current_index >= query->n_keys || query->current_index >= SG_KEYS) {
        context->done = 1;
        context->size[0] = 0;
        return;
    }
    context->next_addr[0] = query->root_pointer;
    context->size[0] = BLK_SIZE;
}

SEC("kv_multi_get")
unsigned int kv_multi_get_func(struct bpf_xrp *context)
{
    struct ScatterGatherQuery *query = (struct ScatterGatherQuery *)context->scratch;
    Node *node = (Node *)context->data;
    int ix = query->current_index & INDEX_MASK;
    key__t key = query->keys[ix];

    if (query->state_flags == AT_VALUE) {
        struct MaybeValue *answer = &query->values[ix];
        answer->found = 1;
        __builtin_memcpy(answer->value, context->data + value_offset(query->value_ptr), sizeof(val__t));
        on_to_next_key(context, query);
        return 0;
    }
    if (node->type == LEAF) {
        if (!key_in_leaf(key, node)) {
            query->values[ix].found = 0;
            on_to_next_key(context, query);
            return 0;
        }
        query->state_flags = AT_VALUE;
        query->value_ptr = decode(child_for(key, node));
        context->next_addr[0] = value_base(query->value_ptr);
        context->size[0] = BLK_SIZE;
        return 0;
    }
    context->next_addr[0] = decode(child_for(key, node));
    context->size[0] = BLK_SIZE;
    return 0;
}
