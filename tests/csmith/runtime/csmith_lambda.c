/* A csmith program as the λ function `csmith`: compile this file with
 * CSMITH_PROGRAM defined to the generated program's path, in quotes, and
 * this directory first on the include path (so that the program's
 * "csmith.h" is ours) followed by csmith's (for safe_math.h).
 *
 * The function runs the program's main once and writes the checksum of its
 * globals, 4 bytes, as the output. Global data starts as the program
 * initialised it in each fresh load, so only the first invocation of a
 * loaded program computes csmith's checksum.
 */
#include <sbpf/lambda.h>

#define main csmith_main
#include CSMITH_PROGRAM
#undef main

SBPF_LAMBDA(csmith) long csmith(struct context *ctx) {
  if (ctx->size_o_cap < sizeof(uint32_t)) return -1;
  csmith_main();
  *(uint32_t *)ctx->buf_o = csmith_checksum;
  return sizeof(uint32_t);
}
