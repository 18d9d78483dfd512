/* λ stats64: the maximum, minimum and sum of a column of 64-bit integers.
 *
 * Input:  little-endian int64 values, back to back. A trailing partial value
 *         (size_i not a multiple of 8) is ignored.
 * Output: three little-endian int64, {max, min, sum}, 24 bytes.
 *
 * The sum wraps modulo 2^64, so the runtime's per-chunk results can be added
 * together in any order. An empty chunk yields the identities of the three
 * reductions, {INT64_MIN, INT64_MAX, 0}, which leave a combined result
 * unchanged. Returns -28 (no space) if the output buffer holds fewer than 24
 * bytes.
 */
#include <sbpf/lambda.h>

#define STATS64_INT64_MAX ((sbpf_s64)0x7fffffffffffffffLL)
#define STATS64_INT64_MIN (-STATS64_INT64_MAX - 1)

SBPF_LAMBDA(stats64) long stats64(struct context *ctx) {
  const sbpf_s64 *values = (const sbpf_s64 *)ctx->buf_i;
  sbpf_u64 count = ctx->size_i / sizeof(sbpf_s64);
  sbpf_s64 max = STATS64_INT64_MIN;
  sbpf_s64 min = STATS64_INT64_MAX;
  /* Unsigned, because signed overflow would be undefined in the native twin. */
  sbpf_u64 sum = 0;

  for (sbpf_u64 i = 0; i < count; i++) {
    sbpf_s64 v = values[i];
    if (v > max) max = v;
    if (v < min) min = v;
    sum += (sbpf_u64)v;
  }

  if (ctx->size_o_cap < 3 * sizeof(sbpf_s64)) return -28;
  sbpf_s64 *out = (sbpf_s64 *)ctx->buf_o;
  out[0] = max;
  out[1] = min;
  out[2] = (sbpf_s64)sum;
  return 3 * sizeof(sbpf_s64);
}
