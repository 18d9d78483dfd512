/* For each 512-byte row, how many of its bytes equal the row's first byte.
 * clang enters the inner loop by a jump into its condition: the loop's
 * header is not its lowest-addressed block (the JIT once versioned it from
 * the wrong end). */
#include <sbpf/lambda.h>

#define ROW 512

SBPF_LAMBDA(row_count) long row_count(struct context *ctx) {
  const unsigned char *in = ctx->buf_i;
  sbpf_u64 rows = ctx->size_i / ROW;
  sbpf_u64 *out = ctx->buf_o;
  if (rows * 8 > ctx->size_o_cap) return -28;
  for (sbpf_u64 r = 0; r < rows; r++) {
    unsigned char f = in[r * ROW];
    sbpf_u64 k = 0;
    for (sbpf_u64 j = 0; j < ROW; j++) k += in[r * ROW + j] == f;
    out[r] = k;
  }
  return rows * 8;
}
