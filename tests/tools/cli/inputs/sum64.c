/* λ: the sum of the input's 64-bit words, as one 64-bit output word. */
#include <sbpf/lambda.h>

SBPF_LAMBDA(sum64) long sum64(struct context *ctx) {
  const sbpf_u64 *words = (const sbpf_u64 *)ctx->buf_i;
  sbpf_u64 sum = 0;
  for (sbpf_u64 i = 0; i < ctx->size_i / 8; i++) sum += words[i];
  if (ctx->size_o_cap < 8) return -1;
  *(sbpf_u64 *)ctx->buf_o = sum;
  return 8;
}
