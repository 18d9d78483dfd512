/* Per 64-byte row: the longest run of equal bytes, measured by a function
 * that is not inlined (a loop inside a called function, with a `do while`
 * whose trip count comes from the data). */
#include <sbpf/lambda.h>

#define ROW 64

static __attribute__((noinline)) sbpf_u64 longest_run(const unsigned char *row) {
  sbpf_u64 best = 0, i = 0;
  do {
    sbpf_u64 j = i + 1;
    while (j < ROW && row[j] == row[i]) j++;
    if (j - i > best) best = j - i;
    i = j;
  } while (i < ROW);
  return best;
}

SBPF_LAMBDA(runs_in_callee) long runs_in_callee(struct context *ctx) {
  const unsigned char *in = ctx->buf_i;
  sbpf_u64 rows = ctx->size_i / ROW;
  sbpf_u64 *out = ctx->buf_o;
  if (rows * 8 > ctx->size_o_cap) return -28;
  for (sbpf_u64 r = 0; r < rows; r++) out[r] = longest_run(in + r * ROW);
  return rows * 8;
}
