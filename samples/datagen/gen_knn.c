/* Data for samples/lambda/knn.c: 2 KiB rows of 256 little-endian int64
 * features.
 *
 * A nearest-neighbour scan is only interesting if some rows are near the
 * query, so the rows come in four sorts: the query itself (distance 0), the
 * query with a little noise (small distances), features spread around the
 * query's scale (ordinary distances), and now and then a row salted with
 * INT64_MIN, INT64_MAX and full-range values, whose distance wraps.
 */
#include "datagen.h"

#define KNN_FEATURES 256

/* The query vector of samples/lambda/knn.c; the two must change together. */
static int64_t knn_query(unsigned i) { return ((int64_t)i - 128) * 1000003; }

static int64_t knn_extreme_feature(struct dg_rng *rng, unsigned i) {
  switch (dg_below(rng, 4)) {
    case 0: return INT64_MIN;
    case 1: return INT64_MAX;
    case 2: return (int64_t)dg_next(rng);
    default: return knn_query(i);
  }
}

void dg_generate_knn(struct dg_writer *w, struct dg_rng *rng) {
  unsigned char row[KNN_FEATURES * 8];
  while (dg_wants_more(w)) {
    uint64_t sort = dg_below(rng, 32);
    for (unsigned i = 0; i < KNN_FEATURES; i++) {
      int64_t feature;
      if (sort < 2)
        feature = knn_query(i);
      else if (sort < 6)
        feature = knn_query(i) + dg_between(rng, -1000, 1000);
      else if (sort == 6)
        feature = knn_extreme_feature(rng, i);
      else
        feature = dg_between(rng, -(INT64_C(1) << 28), INT64_C(1) << 28);
      dg_store_le64(row + 8 * i, (uint64_t)feature);
    }
    dg_write(w, row, sizeof(row));
  }
}
