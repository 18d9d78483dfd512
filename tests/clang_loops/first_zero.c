/* Per 256-byte row: the index of the first byte below 8 (a `while` with a
 * `break`: two exits), or 256; and the sum of the bytes before it. */
#include <sbpf/lambda.h>

#define ROW 256

SBPF_LAMBDA(first_zero) long first_zero(struct context *ctx) {
  const unsigned char *in = ctx->buf_i;
  sbpf_u64 rows = ctx->size_i / ROW;
  sbpf_u64 *out = ctx->buf_o;
  if (rows * 16 > ctx->size_o_cap) return -28;
  for (sbpf_u64 r = 0; r < rows; r++) {
    const unsigned char *row = in + r * ROW;
    sbpf_u64 i = 0, sum = 0;
    while (i < ROW) {
      if (row[i] < 8) break;
      sum += row[i];
      i++;
    }
    out[2 * r] = i;
    out[2 * r + 1] = sum;
  }
  return rows * 16;
}
