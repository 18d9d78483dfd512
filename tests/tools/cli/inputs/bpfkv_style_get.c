/* A point lookup written the way BPF-KV's XRP programs are: kernel headers,
 * __u64, and a section name with no xrp prefix. sbpf finds it is an XRP
 * function from its parameter's type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NODE_CAPACITY 31
#define BLK_SIZE 512
#define FILE_MASK ((__u64)1 << 63)
#define LEAF 1

typedef struct {
    __u64 next;
    __u64 type;
    __u64 key[NODE_CAPACITY];
    __u64 ptr[NODE_CAPACITY];
} Node;

struct Query {
    __u64 key;
    long found;
    long state_flags;
    unsigned char value[64];
    __u64 value_ptr;
};

char LICENSE[] SEC("license") = "GPL";

static __always_inline __u64 child_for(__u64 key, Node *node)
{
    for (int i = 1; i < NODE_CAPACITY; ++i)
        if (key < node->key[i])
            return node->ptr[i - 1] & ~FILE_MASK;
    return node->ptr[NODE_CAPACITY - 1] & ~FILE_MASK;
}

SEC("kv_get")
unsigned int kv_lookup(struct bpf_xrp *context)
{
    struct Query *query = (struct Query *)context->scratch;
    Node *node = (Node *)context->data;

    if (query->state_flags == 1) {
        __builtin_memcpy(query->value, context->data + (query->value_ptr & (BLK_SIZE - 1)), 64);
        query->found = 1;
        context->done = 1;
        return 0;
    }
    if (node->type == LEAF) {
        int present = 0;
        for (int i = 0; i < NODE_CAPACITY; ++i)
            present |= node->key[i] == query->key;
        if (!present) {
            query->found = 0;
            context->done = 1;
            return 0;
        }
        query->state_flags = 1;
        query->value_ptr = child_for(query->key, node);
        context->next_addr[0] = query->value_ptr & ~(__u64)(BLK_SIZE - 1);
        context->size[0] = BLK_SIZE;
        return 0;
    }
    context->next_addr[0] = child_for(query->key, node);
    context->size[0] = BLK_SIZE;
    return 0;
}
