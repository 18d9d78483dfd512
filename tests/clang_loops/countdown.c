/* The input backwards, 8 bytes at a time, then the tail byte by byte: a
 * loop counting down with a pointer, and an epilogue loop after an unrolled
 * main loop, as clang's vectoriser would leave them. */
#include <sbpf/lambda.h>

SBPF_LAMBDA(countdown) long countdown(struct context *ctx) {
  const unsigned char *in = ctx->buf_i;
  unsigned char *out = ctx->buf_o;
  sbpf_u64 n = ctx->size_i;
  if (n > ctx->size_o_cap) return -28;
  sbpf_u64 i = 0;
  for (; i + 8 <= n; i += 8)
    for (int b = 0; b < 8; b++) out[n - 1 - i - b] = in[i + b] ^ 0x5a;
  for (; i < n; i++) out[n - 1 - i] = in[i] ^ 0x5a;
  return (long)n;
}
