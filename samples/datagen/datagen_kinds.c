/* The generators by name, and the writer they share: what sbpf-datagen's
 * command line and `sbpf sim` (which makes its own inputs) both use. */
#include <errno.h>
#include <string.h>

#include "datagen.h"

const struct dg_kind dg_kinds[DG_KIND_COUNT] = {
    {"stats64", "int64 values", dg_generate_stats64},
    {"stats32", "int32 values", dg_generate_stats32},
    {"knn", "2 KiB rows of 256 int64 features", dg_generate_knn},
    {"grep", "4 KiB rows of text, some holding \"sbpf\"", dg_generate_grep},
    {"bitmap", "2-byte run-length records {count 1..16, byte}", dg_generate_bitmap},
    {"filter", "32-byte TPC-H lineitem rows for query 6", dg_generate_filter},
    {"extract", "64-byte records {8-byte tag, 56-byte payload}", dg_generate_extract},
};

const struct dg_kind *dg_find_kind(const char *name) {
  for (size_t i = 0; i < DG_KIND_COUNT; i++)
    if (strcmp(dg_kinds[i].name, name) == 0) return &dg_kinds[i];
  return NULL;
}

void dg_write(struct dg_writer *w, const void *bytes, size_t size) {
  if (w->failed) return;
  size_t wanted = size < w->remaining ? size : (size_t)w->remaining;
  if (wanted == 0) return;
  errno = 0;
  if (fwrite(bytes, 1, wanted, w->file) != wanted) {
    w->failed = true;
    w->error = errno;
    return;
  }
  w->remaining -= wanted;
}


bool dg_generate(const struct dg_kind *kind, uint64_t size, uint64_t seed, FILE *file, int *error) {
  struct dg_rng rng = {seed};
  struct dg_writer writer = {file, size, false, 0};
  kind->generate(&writer, &rng);
  *error = writer.error;
  return !writer.failed;
}
