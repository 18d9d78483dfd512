/* Per 128-byte row: the first pair of positions i < j whose bytes add up to
 * 0x1ff - the row's first byte, found by nested loops that leave both at
 * once (a `goto` out of the inner loop: an exit the loops share). */
#include <sbpf/lambda.h>

#define ROW 128

SBPF_LAMBDA(find_pair) long find_pair(struct context *ctx) {
  const unsigned char *in = ctx->buf_i;
  sbpf_u64 rows = ctx->size_i / ROW;
  sbpf_s64 *out = ctx->buf_o;
  if (rows * 8 > ctx->size_o_cap) return -28;
  for (sbpf_u64 r = 0; r < rows; r++) {
    const unsigned char *row = in + r * ROW;
    unsigned target = 0x1ff - row[0];
    sbpf_s64 found = -1;
    for (unsigned i = 1; i < ROW; i++)
      for (unsigned j = i + 1; j < ROW; j++)
        if ((unsigned)row[i] + row[j] == target) {
          found = (sbpf_s64)(i * ROW + j);
          goto done;
        }
  done:
    out[r] = found;
  }
  return rows * 8;
}
