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

/* The queries, at the start of scratch: BPF-KV's own layouts, field for
 * field, so that its user space and programs and sbpf's (`sbpf xrp`,
 * samples/xrp/) are interchangeable. Fields whose names start with `_`,
 * and those marked "the function's own", are the function's state: the
 * caller zeroes them before the first request and passes them back
 * unchanged between requests. */

/* Point lookups, BPF-KV's `struct ScatterGatherQuery` (2,368 bytes). The
 * caller zeroes scratch, sets `keys[0..n_keys)` and `n_keys` (1 to
 * BPFKV_SG_KEYS) and `root_pointer` (the root's offset, 0), and issues the
 * first read at `root_pointer`. The function looks each key up in turn,
 * starting again at `root_pointer` for each, and sets `values[i].found`
 * (and `values[i].value` when found) before it sets done. */
#define BPFKV_SG_KEYS 32

struct bpfkv_maybe_value {
  char found; /* out: non-zero when keys[i] is in the database */
  sbpf_u8 value[BPFKV_VALUE_SIZE];
}; /* 65 bytes: no padding, so values[] is packed as BPF-KV's is */

struct bpfkv_scatter_gather_query {
  sbpf_u64 root_pointer;   /* in: the root's file offset */
  sbpf_u64 value_ptr;      /* the function's own */
  sbpf_u32 state_flags;    /* the function's own */
  sbpf_s32 current_index;  /* the function's own: the key being looked up */
  sbpf_s32 n_keys;         /* in: keys[0..n_keys) are asked for */
  sbpf_u64 keys[BPFKV_SG_KEYS];
  struct bpfkv_maybe_value values[BPFKV_SG_KEYS];
};

/* Range scans, BPF-KV's `struct RangeQuery` (2,880 bytes): the keys from
 * `range_begin` to `range_end`, at most BPFKV_RANGE_KEYS per request.
 * Ranges are [begin, end) unless `flags` say begin-exclusive or
 * end-inclusive. With `agg_op` BPFKV_AGG_SUM nothing is collected in `kv`:
 * `agg_value` adds up each value's first 8 bytes, read as a little-endian
 * signed 64-bit number (wrapping).
 *
 * The caller zeroes scratch, sets the range, `flags`, `agg_op`, `_state` =
 * BPFKV_RANGE_TRAVERSE and `_resume_from_leaf` = 0 (the root), and issues
 * the first read at `_resume_from_leaf`. After each request it takes
 * kv[0..len), then sets `len` = 0 and `_state` = BPFKV_RANGE_RESUME; if the
 * range is still not empty (bpfkv_range_is_empty) it asks again, with
 * the first read at `_resume_from_leaf`. The function moves `range_begin`
 * (begin-exclusive) past each key it takes, and empties the range
 * (bpfkv_range_mark_done) when no key is left. */
#define BPFKV_RANGE_KEYS 32
#define BPFKV_RANGE_BEGIN_EXCLUSIVE 1u
#define BPFKV_RANGE_END_INCLUSIVE 2u
#define BPFKV_AGG_NONE 0
#define BPFKV_AGG_SUM 1
/* _state: 0 is invalid. */
#define BPFKV_RANGE_RESUME 1     /* the first read is the leaf to go on with */
#define BPFKV_RANGE_TRAVERSE 2   /* the first read is the root */
#define BPFKV_RANGE_READ_VALUE 3 /* the function's own */
#define BPFKV_RANGE_READ_NODE 4  /* the function's own */

struct bpfkv_key_value {
  sbpf_u64 key;
  sbpf_u8 value[BPFKV_VALUE_SIZE];
};

struct bpfkv_range_query {
  sbpf_u64 range_begin;
  sbpf_u64 range_end;
  sbpf_u32 flags;   /* BPFKV_RANGE_BEGIN_EXCLUSIVE | BPFKV_RANGE_END_INCLUSIVE */
  sbpf_u32 agg_op;  /* BPFKV_AGG_NONE or BPFKV_AGG_SUM */
  sbpf_s32 len;     /* out: kv[0..len) are filled */
  struct bpfkv_key_value kv[BPFKV_RANGE_KEYS];
  sbpf_s64 agg_value;
  sbpf_u32 _state;
  sbpf_u64 _resume_from_leaf; /* the file offset of the leaf to go on with */
  sbpf_u32 _node_key_ix;      /* the function's own */
  struct bpfkv_node _current_node; /* the function's own */
};

SBPF_STATIC_ASSERT(sizeof(struct bpfkv_maybe_value) == 65, "BPF-KV's MaybeValue");
SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpfkv_scatter_gather_query, keys) == 32, "BPF-KV's ScatterGatherQuery");
SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpfkv_scatter_gather_query, values) == 288, "BPF-KV's ScatterGatherQuery");
SBPF_STATIC_ASSERT(sizeof(struct bpfkv_scatter_gather_query) == 2368, "BPF-KV's ScatterGatherQuery");
SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpfkv_range_query, kv) == 32, "BPF-KV's RangeQuery");
SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpfkv_range_query, _current_node) == 2368, "BPF-KV's RangeQuery");
SBPF_STATIC_ASSERT(sizeof(struct bpfkv_range_query) == 2880, "BPF-KV's RangeQuery");

/* True when no key can be in the query's range: what tells the caller the
 * scan is over. */
static inline int bpfkv_range_is_empty(const struct bpfkv_range_query *query) {
  const int begin_exclusive = (query->flags & BPFKV_RANGE_BEGIN_EXCLUSIVE) != 0;
  const int end_inclusive = (query->flags & BPFKV_RANGE_END_INCLUSIVE) != 0;
  if (query->range_begin > query->range_end) return 1;
  if (query->range_begin == query->range_end) return begin_exclusive || !end_inclusive;
  return query->range_begin + 1 == query->range_end && begin_exclusive && !end_inclusive;
}

/* Empties the range: the function's way of saying the scan is over. */
static inline void bpfkv_range_mark_done(struct bpfkv_range_query *query) {
  query->range_begin = query->range_end;
  query->flags = (query->flags | BPFKV_RANGE_BEGIN_EXCLUSIVE) & ~BPFKV_RANGE_END_INCLUSIVE;
}

/* Whether `key` lies below the range (not yet in it) or past its end. For
 * a range that is not empty, begin-exclusive never has range_begin = 2^64-1,
 * so neither wraps. */
static inline int bpfkv_range_before_begin(const struct bpfkv_range_query *query, sbpf_u64 key) {
  if (query->flags & BPFKV_RANGE_BEGIN_EXCLUSIVE) return key <= query->range_begin;
  return key < query->range_begin;
}
static inline int bpfkv_range_past_end(const struct bpfkv_range_query *query, sbpf_u64 key) {
  if (query->flags & BPFKV_RANGE_END_INCLUSIVE) return key > query->range_end;
  return key >= query->range_end;
}

#ifdef __cplusplus
}
#endif

#endif /* SBPF_BPFKV_H */
