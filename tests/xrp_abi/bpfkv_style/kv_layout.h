/* The declarations a BPF-KV program brings along, written for sbpf's tests
 * in BPF-KV's style: `unsigned long` keys and pointers, its node, and the
 * two scratch layouts its user space shares with its programs. The layouts
 * are BPF-KV's (see ../../../../shared/reference/papers.md); sbpf's
 * <sbpf/bpfkv.h> must match them byte for byte, which is what these
 * programs running under `sbpf xrp get/scan` show. Nothing here includes
 * an sbpf header. */
#ifndef KV_LAYOUT_H
#define KV_LAYOUT_H

typedef unsigned long key__t;
typedef unsigned long ptr__t;
typedef unsigned long meta__t;
typedef unsigned char val__t[64];

#define BLK_SIZE 512
#define NODE_CAPACITY 31
#define INTERNAL 0
#define LEAF 1
#define FILE_MASK ((ptr__t)1 << 63)
#define ROOT_NODE_OFFSET 0

typedef struct {
    meta__t next;
    meta__t type;
    key__t key[NODE_CAPACITY];
    ptr__t ptr[NODE_CAPACITY];
} Node;

static __inline ptr__t decode(ptr__t ptr) { return ptr & ~FILE_MASK; }
static __inline ptr__t value_base(ptr__t ptr) { return ptr & ~(ptr__t)(BLK_SIZE - 1); }
static __inline ptr__t value_offset(ptr__t ptr) { return ptr & (BLK_SIZE - 1); }

/* Point lookups, many keys per request. */
#define SG_KEYS 32

struct MaybeValue {
    char found;
    val__t value;
};

struct ScatterGatherQuery {
    ptr__t root_pointer;
    ptr__t value_ptr;
    unsigned int state_flags;
    int current_index;
    int n_keys;
    key__t keys[SG_KEYS];
    struct MaybeValue values[SG_KEYS];
};

/* Range scans that resume from a leaf. */
#define RNG_KEYS 32
#define RNG_BEGIN_EXCLUSIVE 1u
#define RNG_END_INCLUSIVE 2u
#define RNG_RESUME 1
#define RNG_TRAVERSE 2
#define RNG_READ_VALUE 3
#define RNG_READ_NODE 4
#define AGG_NONE 0
#define AGG_SUM 1

struct KeyValue {
    key__t key;
    val__t value;
};

struct RangeQuery {
    key__t range_begin;
    key__t range_end;
    unsigned int flags;
    unsigned int agg_op;
    int len;
    struct KeyValue kv[RNG_KEYS];
    long agg_value;
    unsigned int _state;
    ptr__t _resume_from_leaf;
    unsigned int _node_key_ix;
    Node _current_node;
};

_Static_assert(sizeof(Node) == BLK_SIZE, "a node is a block");
_Static_assert(sizeof(struct ScatterGatherQuery) == 2368, "BPF-KV's ScatterGatherQuery");
_Static_assert(sizeof(struct RangeQuery) == 2880, "BPF-KV's RangeQuery");

#endif /* KV_LAYOUT_H */
