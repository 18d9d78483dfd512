/* Data for samples/lambda/stats64.c and stats32.c: little-endian integers.
 *
 * Most values are moderate, so a chunk's maximum and minimum are ordinary
 * numbers; a few are small (zero and ±1 included); rarer still are values
 * spread over the whole type, which make the 64-bit sum wrap; and the type's
 * extremes appear about once in two 2 MiB chunks each, so some chunks' max or
 * min is INT64_MAX / INT64_MIN (resp. INT32_MAX / INT32_MIN) and others' not.
 */
#include "datagen.h"

/* Values are produced a block at a time: one write per value would make the
 * writer's per-call cost dominate. */
#define STATS_BLOCK 4096

/* A 2 MiB chunk holds 2^18 int64 values and 2^19 int32 values: the odds below
 * are scaled so that each extreme has an even chance per chunk. */
static int64_t stats_value64(struct dg_rng *rng) {
  uint64_t pick = dg_below(rng, UINT64_C(1) << 19);
  if (pick == 0) return INT64_MAX;
  if (pick == 1) return INT64_MIN;
  if (pick < 128) return (int64_t)dg_next(rng);
  if (pick < 8192) return dg_between(rng, -16, 16);
  return dg_between(rng, -(INT64_C(1) << 40), INT64_C(1) << 40);
}

static int32_t stats_value32(struct dg_rng *rng) {
  uint64_t pick = dg_below(rng, UINT64_C(1) << 20);
  if (pick == 0) return INT32_MAX;
  if (pick == 1) return INT32_MIN;
  if (pick < 4096) return (int32_t)dg_between(rng, INT32_MIN, INT32_MAX);
  if (pick < 20480) return (int32_t)dg_between(rng, -16, 16);
  return (int32_t)dg_between(rng, -1000000000, 1000000000);
}

void dg_generate_stats64(struct dg_writer *w, struct dg_rng *rng) {
  unsigned char block[STATS_BLOCK];
  while (dg_wants_more(w)) {
    for (size_t at = 0; at < sizeof(block); at += 8) dg_store_le64(block + at, (uint64_t)stats_value64(rng));
    dg_write(w, block, sizeof(block));
  }
}

void dg_generate_stats32(struct dg_writer *w, struct dg_rng *rng) {
  unsigned char block[STATS_BLOCK];
  while (dg_wants_more(w)) {
    for (size_t at = 0; at < sizeof(block); at += 4) dg_store_le32(block + at, (uint32_t)stats_value32(rng));
    dg_write(w, block, sizeof(block));
  }
}
