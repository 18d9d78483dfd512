/* Data for samples/lambda/bitmap.c: run-length records {u8 count, u8 byte}.
 *
 * Counts are 1..16, never 0, so the stream runs to the end of every chunk and
 * a record decodes to at most 8 times its size: a 2 MiB chunk decodes to at
 * most 16 MiB, the default output capacity. Like a real bitmap, most runs are
 * all clear (0x00) or all set (0xff); the rest are mixed bytes.
 */
#include "datagen.h"

/* Records are produced a block at a time: one write per 2-byte record would
 * make the writer's per-call cost dominate. */
#define BITMAP_BLOCK 4096

static unsigned char bitmap_byte(struct dg_rng *rng) {
  uint64_t pick = dg_below(rng, 10);
  if (pick < 4) return 0x00;
  if (pick < 8) return 0xff;
  return (unsigned char)dg_next(rng);
}

void dg_generate_bitmap(struct dg_writer *w, struct dg_rng *rng) {
  unsigned char block[BITMAP_BLOCK];
  while (dg_wants_more(w)) {
    for (size_t at = 0; at < sizeof(block); at += 2) {
      block[at] = (unsigned char)dg_between(rng, 1, 16);
      block[at + 1] = bitmap_byte(rng);
    }
    dg_write(w, block, sizeof(block));
  }
}
