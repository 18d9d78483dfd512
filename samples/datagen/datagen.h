/* sbpf-datagen's interface between the driver and the generators of each kind:
 * a seeded pseudo-random generator and a writer that stops at the requested
 * size.
 *
 * A generator produces whole rows and hands them to the writer until the
 * writer has enough; the writer keeps only the bytes that fit, so an output
 * whose size is not a multiple of the row ends with a partial row, which is
 * exactly the case the λ programs must ignore.
 */
#ifndef SBPF_DATAGEN_H
#define SBPF_DATAGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* splitmix64 (Steele, Lea and Flood): one 64-bit state, a fixed increment and
 * a bijective mix. It passes the usual statistical tests, needs no warm-up and
 * gives the same stream on every platform, which is all test data needs. */
struct dg_rng {
  uint64_t state;
};

static inline uint64_t dg_next(struct dg_rng *rng) {
  uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* A value in [0, n), n > 0. The modulo bias is below n / 2^64: irrelevant
 * for test data, and simpler to reproduce elsewhere than rejection sampling. */
static inline uint64_t dg_below(struct dg_rng *rng, uint64_t n) { return dg_next(rng) % n; }

/* A value in [lo, hi], lo <= hi, the span being below 2^63. */
static inline int64_t dg_between(struct dg_rng *rng, int64_t lo, int64_t hi) {
  return lo + (int64_t)dg_below(rng, (uint64_t)(hi - lo) + 1);
}

/* True with probability 1/n. */
static inline bool dg_one_in(struct dg_rng *rng, uint64_t n) { return dg_below(rng, n) == 0; }

/* Little-endian stores, so the files are the same whatever the host's byte
 * order. */
static inline void dg_store_le64(unsigned char *dst, uint64_t v) {
  for (int i = 0; i < 8; i++) dst[i] = (unsigned char)(v >> (8 * i));
}

static inline void dg_store_le32(unsigned char *dst, uint32_t v) {
  for (int i = 0; i < 4; i++) dst[i] = (unsigned char)(v >> (8 * i));
}

/* The output: `remaining` bytes still wanted on `file`. */
struct dg_writer {
  FILE *file;
  uint64_t remaining;
  bool failed; /* a write failed; errno was saved in `error` */
  int error;
};

/* Writes the first min(size, remaining) bytes of `bytes`. */
void dg_write(struct dg_writer *w, const void *bytes, size_t size);

/* Whether the generator should produce another row. */
static inline bool dg_wants_more(const struct dg_writer *w) { return w->remaining > 0 && !w->failed; }

/* One generator per kind: rows from `rng` into `w` until it wants no more. */
typedef void dg_generator(struct dg_writer *w, struct dg_rng *rng);

dg_generator dg_generate_stats64;
dg_generator dg_generate_stats32;
dg_generator dg_generate_knn;
dg_generator dg_generate_grep;
dg_generator dg_generate_bitmap;
dg_generator dg_generate_filter;
dg_generator dg_generate_extract;

/* The kinds, by name (datagen_kinds.c). */
struct dg_kind {
  const char *name;
  const char *summary; /* for --help */
  dg_generator *generate;
};
#define DG_KIND_COUNT 7
extern const struct dg_kind dg_kinds[DG_KIND_COUNT];
/* The kind called `name`, or NULL. */
const struct dg_kind *dg_find_kind(const char *name);

/* Writes `size` bytes of `kind`'s data from `seed` to `file`. False when a
 * write failed, with errno's value in *error (0 when stdio did not set it);
 * the caller flushes and closes. */
bool dg_generate(const struct dg_kind *kind, uint64_t size, uint64_t seed, FILE *file, int *error);

#ifdef __cplusplus
}
#endif

#endif /* SBPF_DATAGEN_H */
