/* clang turns `for (i = 0; i < 4; i++)` over rows of 50 bytes into
 * `add r7, 50; jne r7, 200`: the verifier bounds neither the loop (counted)
 * nor the 25 loads it indexes (guarded); --prove removes the guards here, but
 * in a csmith program of ~1,000 instructions Z3 times out on each of them.
 * Found by tests/csmith (csmith's main hashes every global array this way). */
#include <sbpf/lambda.h>
sbpf_u16 table[4][5][5] = {{{1}}};
SBPF_LAMBDA(loop_ne_stride) long loop_ne_stride(struct context *ctx) {
  sbpf_u32 acc = 0;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 5; j++)
      for (int k = 0; k < 5; k++) acc = acc * 31 + table[i][j][k];
  if (ctx->size_o_cap < 4) return -1;
  *(sbpf_u32 *)ctx->buf_o = acc;
  return 4;
}
