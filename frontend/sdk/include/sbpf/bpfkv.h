/* BPF-KV's on-disk format: a B+-tree of 512-byte nodes followed by a log of
 * 64-byte values, and the queries its XRP functions exchange with the caller
 * through the scratch buffer.
 *
 * Layout of a database file (what `sbpf xrp build-db` writes):
 *   - nodes level by level, the root at offset 0; each node is
 *     {next, type, key[31], ptr[31]} = 512 bytes;
 *   - then the value log, 8 values per 512-byte block, the last block padded
 *     with zeroes so that every log block can be read whole.
 * Every pointer is a byte offset in the file with bit 63 (BPFKV_FILE_MASK)
 * set. An internal node's ptr[i] leads to the keys in [key[i], key[i+1]); a
 * leaf's ptr[i] is the value of key[i]. A node with fewer than 31 entries
 * repeats its last key and pointer in the unused slots, so the search rule
 * (bpfkv_search_slot) needs no count: take slot i-1 for the first i >= 1
 * with key < key[i], else slot 30. `next` is the byte offset of the next node
 * on the same level, without the file bit (BPF-KV's own range scan reads it
 * as is), 0 for the last (the root, at offset 0, is never a `next`); range
 * scans follow it along the leaves.
 *
 * The empty database is a single node, the root: a leaf whose keys and
 * pointers are all 0. A leaf slot whose pointer lacks BPFKV_FILE_MASK holds
 * no key; a reader checks the bit before trusting the slot's key, which is
 * how a lookup of key 0 in the empty database says "absent". Only that root
 * has such slots: every other node holds at least one entry.
 *
 * A tree has at most BPFKV_MAX_LEVELS levels (root to leaf). A full 31-way
 * tree needs 13 for 2^64 keys; the bound lets a function reject a file whose
 * pointers form a cycle instead of reading it forever.
 */
#ifndef SBPF_BPFKV_H
#define SBPF_BPFKV_H

#include <sbpf/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFKV_BLOCK_SIZE 512
#define BPFKV_NODE_CAPACITY 31
#define BPFKV_VALUE_SIZE 64
#define BPFKV_LOG_CAPACITY (BPFKV_BLOCK_SIZE / BPFKV_VALUE_SIZE)
#define BPFKV_INTERNAL 0
#define BPFKV_LEAF 1
#define BPFKV_FILE_MASK (1ull << 63)
#define BPFKV_MAX_LEVELS 32

/* What the XRP functions return when they abort a request (0 is success). */
#define BPFKV_ABORT_BAD_NODE 1    /* a type neither internal nor leaf, or a pointer without the file bit */
#define BPFKV_ABORT_TOO_DEEP 2    /* more than BPFKV_MAX_LEVELS nodes on the way down */
#define BPFKV_ABORT_UNORDERED 3   /* range scan: a leaf's keys do not come after the previous leaf's */
#define BPFKV_ABORT_BAD_STATE 4   /* the function's state in scratch is none it sets */
#define BPFKV_ABORT_BAD_VALUE 5   /* a value pointer whose value would run past the end of its log block */

struct bpfkv_node {
  sbpf_u64 next;
  sbpf_u64 type; /* BPFKV_INTERNAL or BPFKV_LEAF */
  sbpf_u64 key[BPFKV_NODE_CAPACITY];
  sbpf_u64 ptr[BPFKV_NODE_CAPACITY];
};
SBPF_STATIC_ASSERT(sizeof(struct bpfkv_node) == BPFKV_BLOCK_SIZE, "BPF-KV node layout");

static inline sbpf_u64 bpfkv_encode(sbpf_u64 offset) { return offset | BPFKV_FILE_MASK; }
static inline sbpf_u64 bpfkv_decode(sbpf_u64 ptr) { return ptr & ~BPFKV_FILE_MASK; }
/* The log block holding the value `ptr` points to, and the value's offset in it. */
static inline sbpf_u64 bpfkv_value_block(sbpf_u64 ptr) { return bpfkv_decode(ptr) & ~(sbpf_u64)(BPFKV_BLOCK_SIZE - 1); }
static inline sbpf_u64 bpfkv_value_offset(sbpf_u64 ptr) { return ptr & (BPFKV_BLOCK_SIZE - 1); }
/* True when the value `ptr` points to lies whole inside its log block. */
static inline int bpfkv_value_fits(sbpf_u64 ptr) { return bpfkv_value_offset(ptr) <= BPFKV_BLOCK_SIZE - BPFKV_VALUE_SIZE; }
/* True when a pointer carries the file bit: a real child or value. */
static inline int bpfkv_is_pointer(sbpf_u64 ptr) { return (ptr & BPFKV_FILE_MASK) != 0; }

/* The search rule: the slot of `node` to follow for `key`. In an internal
 * node, ptr[slot] leads to `key`; in a leaf, `key` is present iff
 * key[slot] == key and ptr[slot] is a pointer. */
static inline int bpfkv_search_slot(const struct bpfkv_node *node, sbpf_u64 key) {
  for (int i = 1; i < BPFKV_NODE_CAPACITY; i++)
    if (key < node->key[i]) return i - 1;
  return BPFKV_NODE_CAPACITY - 1;
}

/* Point lookup, at the start of scratch. The caller sets `key` and zeroes the
 * rest; the function sets `found` and, when found, `value`. The first read is
 * the root block (offset 0, 512 bytes). */
struct bpfkv_get_query {
  sbpf_u64 key;
  sbpf_s64 found;       /* out: 1 found, 0 absent */
  sbpf_s64 state;       /* the function's own: 0 descending, 1 reading the value */
  sbpf_u8 value[BPFKV_VALUE_SIZE];
  sbpf_u64 value_ptr;   /* the function's own: the value being read */
  sbpf_u64 depth;       /* the function's own: nodes read so far */
};

/* Range scan, at the start of scratch: the keys in [low, high] in order,
 * at most BPFKV_RANGE_MAX_RESULTS per request. The caller sets `low` and
 * `high` and zeroes the rest. When `count` reaches the bound and keys may
 * remain, `more` is set and the caller asks again from the last key + 1
 * (sbpf's builder never writes key 2^64-1, so that cannot wrap). low > high
 * is an empty range. The first read is the root block. */
#define BPFKV_RANGE_MAX_RESULTS 48
struct bpfkv_range_result {
  sbpf_u64 key;
  sbpf_u8 value[BPFKV_VALUE_SIZE];
};
struct bpfkv_range_query {
  sbpf_u64 low, high;   /* in: inclusive bounds */
  sbpf_u64 count;       /* out: results[0..count) are filled */
  sbpf_u64 more;        /* out: 1 when the bound cut the scan short */
  sbpf_u64 state;       /* the function's own, from here on */
  sbpf_u64 depth;       /* nodes read on the way down */
  sbpf_u64 cursor;      /* the smallest key the scan still takes */
  sbpf_u64 slot;        /* the slot of `leaf` whose value is being read */
  struct bpfkv_node leaf; /* the leaf being scanned */
  struct bpfkv_range_result results[BPFKV_RANGE_MAX_RESULTS];
};
SBPF_STATIC_ASSERT(sizeof(struct bpfkv_range_query) <= 4096, "a range query fits in XRP's scratch");

#ifdef __cplusplus
}
#endif

#endif /* SBPF_BPFKV_H */
