/* Writes the address of its input buffer into the output: rejected. */
#include <sbpf/lambda.h>

SBPF_LAMBDA(leak) long leak(struct context *ctx) {
  if (ctx->size_o_cap < 8) return -28;
  *(void **)ctx->buf_o = ctx->buf_i;
  return 8;
}
