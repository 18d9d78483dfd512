/* λ functions for sbpf: the context, the section macro and λ-IO's helpers.
 *
 * The first three fields of the context are λ-IO's `struct context`, so
 * λ-IO's programs run unmodified; sbpf's fields follow. The same header
 * compiles for BPF (`sbpf compile`) and for the host (`sbpf compile
 * --native`), with the same layout on x86-64 and arm64.
 */
#ifndef SBPF_LAMBDA_H
#define SBPF_LAMBDA_H

#include <sbpf/lambda_helpers.h>
#include <sbpf/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How the runtime calls a λ function over a file range: the range is cut
 * into chunks of SBPF_LAMBDA_CHUNK_SIZE bytes at multiples of that size (the
 * last one shorter, and an empty range is one empty chunk), one invocation
 * per chunk, and the outputs are concatenated in order. Host and device cut
 * the same way (the size is λ-IO's device data buffer), so a result does not
 * depend on where it ran. A row whose size divides the chunk size never
 * straddles two chunks. */
#define SBPF_LAMBDA_CHUNK_SIZE (2u << 20)
/* The output buffer's capacity per invocation unless the caller sets it. */
#define SBPF_LAMBDA_OUTPUT_CAPACITY (16u << 20)

struct context {
  void *buf_o;                /* output buffer */
  void *buf_i;                /* input buffer (read-only) */
  __SIZE_TYPE__ size_i;       /* input bytes */
  __SIZE_TYPE__ size_o_cap;   /* sbpf: output buffer capacity */
};

SBPF_STATIC_ASSERT(__builtin_offsetof(struct context, size_i) == 16, "λ-IO's struct context layout");

/* Marks the λ function `name`: `SBPF_LAMBDA(stats) long stats(struct context *ctx)`.
 * It returns the number of output bytes it wrote, or a negative error.
 * The native twin keeps the function in a section of the same name, which is
 * how `sbpf run` finds the entry point in a shared object. */
#define SBPF_LAMBDA(name) __attribute__((section("lambda/" #name), used, visibility("default")))

#ifdef __cplusplus
}
#endif

#endif /* SBPF_LAMBDA_H */
