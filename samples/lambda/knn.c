/* λ knn: the L1 distance of every row to a fixed query vector, the scan step
 * of a brute-force nearest-neighbour search.
 *
 * Input:  rows of 2 KiB, each 256 little-endian int64 features x[0..255].
 *         A trailing partial row is ignored.
 * Output: one little-endian int64 per complete row, in row order: the
 *         distance sum over i of |x[i] - q[i]|.
 *
 * Each |x[i] - q[i]| is computed exactly as an unsigned 64-bit value (it can
 * reach 2^64 - 1) and the sum wraps modulo 2^64; the result is stored as the
 * int64 with the same bits. The native twin and the BPF program therefore agree
 * on every input, extreme values included, without relying on signed overflow.
 *
 * The query is q[i] = (i - 128) * 1000003: a formula rather than a table, so
 * the program needs no data section. samples/datagen/gen_knn.c mirrors it to
 * put exact and near matches into the data.
 *
 * 2 KiB divides the 2 MiB chunk size, so no row straddles two chunks. Returns
 * -28 (no space) if the distances would not fit into the output buffer.
 */
#include <sbpf/lambda.h>

#define KNN_FEATURES 256

static sbpf_s64 knn_query(sbpf_u64 i) { return ((sbpf_s64)i - 128) * 1000003; }

SBPF_LAMBDA(knn) long knn(struct context *ctx) {
  const sbpf_s64 *features = (const sbpf_s64 *)ctx->buf_i;
  sbpf_u64 rows = ctx->size_i / (KNN_FEATURES * sizeof(sbpf_s64));
  sbpf_s64 *out = (sbpf_s64 *)ctx->buf_o;

  if (rows * sizeof(sbpf_s64) > ctx->size_o_cap) return -28;

  for (sbpf_u64 r = 0; r < rows; r++) {
    const sbpf_s64 *x = features + r * KNN_FEATURES;
    sbpf_u64 distance = 0;
    for (sbpf_u64 i = 0; i < KNN_FEATURES; i++) {
      sbpf_s64 q = knn_query(i);
      /* Subtracting the smaller from the larger as unsigned gives the exact
       * magnitude, where the signed difference could overflow. */
      distance += x[i] >= q ? (sbpf_u64)x[i] - (sbpf_u64)q : (sbpf_u64)q - (sbpf_u64)x[i];
    }
    out[r] = (sbpf_s64)distance;
  }
  return (long)(rows * sizeof(sbpf_s64));
}
