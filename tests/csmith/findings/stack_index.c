/* A local array indexed by a value the verifier cannot bound (here a global
 * the program never sets out of range): valid C, rejected as out-of-bounds
 * ("load of 4 bytes at stack[-32, +17179869151] is outside the 512-byte stack
 * frame") where any other region's access would be guarded. Found by
 * tests/csmith: csmith indexes local arrays with globals (seed 418,
 * `l_2[g_3]`). */
#include <sbpf/lambda.h>
sbpf_u32 index_of = 3;
SBPF_LAMBDA(stack_index) long stack_index(struct context *ctx) {
  volatile sbpf_u32 local[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  if (ctx->size_o_cap < 4) return -1;
  *(sbpf_u32 *)ctx->buf_o = local[index_of];
  return 4;
}
