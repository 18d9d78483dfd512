/* Sums the 4-byte words of the input whose low bit is clear, and counts the
 * others: a `continue` makes a second latch. The words are read through a
 * pointer the loop advances, and the last partial word is ignored. */
#include <sbpf/lambda.h>

SBPF_LAMBDA(skip_odd) long skip_odd(struct context *ctx) {
  const sbpf_u32 *w = ctx->buf_i;
  sbpf_u64 n = ctx->size_i / 4;
  sbpf_u64 sum = 0, odd = 0;
  if (ctx->size_o_cap < 16) return -28;
  for (sbpf_u64 i = 0; i < n; i++) {
    sbpf_u32 v = w[i];
    if (v & 1) {
      odd++;
      continue;
    }
    sum += v >> 3;
    if ((v & 0xff) == 0x40) sum ^= i;
  }
  ((sbpf_u64 *)ctx->buf_o)[0] = sum;
  ((sbpf_u64 *)ctx->buf_o)[1] = odd;
  return 16;
}
