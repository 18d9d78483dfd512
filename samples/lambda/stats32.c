/* λ stats32: the maximum, minimum and sum of a column of 32-bit integers.
 *
 * Input:  little-endian int32 values, back to back. A trailing partial value
 *         (size_i not a multiple of 4) is ignored.
 * Output: three little-endian int64, {max, min, sum}, 24 bytes.
 *
 * The results are widened to int64 so that the output has the same shape as
 * stats64's and the sum of a chunk cannot overflow: a 2 MiB chunk holds 2^19
 * values of at most 2^31 in magnitude. An empty chunk yields
 * {INT64_MIN, INT64_MAX, 0}, the identities of the three reductions, so that
 * combining it with other chunks' results changes nothing. Returns -28 (no
 * space) if the output buffer holds fewer than 24 bytes.
 */
#include <sbpf/lambda.h>

#define STATS32_INT64_MAX ((sbpf_s64)0x7fffffffffffffffLL)
#define STATS32_INT64_MIN (-STATS32_INT64_MAX - 1)

SBPF_LAMBDA(stats32) long stats32(struct context *ctx) {
  const sbpf_s32 *values = (const sbpf_s32 *)ctx->buf_i;
  sbpf_u64 count = ctx->size_i / sizeof(sbpf_s32);
  sbpf_s64 max = STATS32_INT64_MIN;
  sbpf_s64 min = STATS32_INT64_MAX;
  /* Unsigned so that a caller passing a chunk larger than the contract still
   * gets a defined (wrapping) sum in the native twin. */
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
