/* The canonical λ loop: 8-byte words while i < size_i. The input region is
 * size_i rounded up to 8 bytes, so the verifier proves every load in bounds
 * and the loop bounded, without a guard or a counter. */
#include <sbpf/lambda.h>

SBPF_LAMBDA(sum) long sum(struct context *ctx) {
  long x = 0;
  for (sbpf_u64 i = 0; i < ctx->size_i; i += 8) x += *(long *)((char *)ctx->buf_i + i);
  if (ctx->size_o_cap < 8) return -28;
  *(long *)ctx->buf_o = x;
  return 8;
}
