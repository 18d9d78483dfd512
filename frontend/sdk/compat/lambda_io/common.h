/* sbpf's stand-in for the `common.h` λ-IO's programs include: the
 * `lambda_io/<name>` section macro, λ-IO's `struct context` (sbpf's, whose
 * first three fields are λ-IO's), and the checking macros λ-IO's programs are
 * written with.
 *
 * On λ-IO the checks were the program's job: deref_check clamps an offset
 * past its boundary to 0 and for_check counts back-edges by hand. On sbpf
 * the toolchain guards every access and loop, so here deref_check keeps only
 * λ-IO's clamping (programs may rely on it) and the loops are plain loops.
 */
#ifndef SBPF_COMPAT_LAMBDA_IO_COMMON_H
#define SBPF_COMPAT_LAMBDA_IO_COMMON_H

#include "bpf_helpers.h"
#include <sbpf/lambda.h>

#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif
/* `int LIO_PROG(stats)(struct context *ctx)`: the λ function `stats`. */
#define LIO_PROG(name) __attribute__((section("lambda_io/" __stringify(name)), used, visibility("default"))) name

#define min(x, y) ((x) < (y) ? (x) : (y))
#define max(x, y) ((x) > (y) ? (x) : (y))
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define deref_check(type, base, boundary, offset) \
  (*(type *)((char *)(base) + (unlikely((offset) > (boundary)) ? 0 : (offset))))
#define ibuf_deref_check(type, offset) deref_check(type, buf_i, size_i, offset)
#define obuf_deref_check(type, offset) deref_check(type, buf_o, size_i, offset)
#define deref_copy(d, s, type) (obuf_deref_check(type, d) = ibuf_deref_check(type, s))
#define deref_copy_2(d, s) deref_copy(d, s, __u16)
#define deref_copy_4(d, s) deref_copy(d, s, __u32)
#define deref_copy_6(d, s) ({ deref_copy(d, s, __u32); deref_copy((d) + 4, (s) + 4, __u16); })
#define deref_copy_8(d, s) deref_copy(d, s, __u64)

#define for_check(init, cond, step) for (init; cond; step)
#define while_check(cond) while (cond)

#define memcpy bpf_memcpy
#define memcmp bpf_memcmp
#define memset bpf_memset

#endif /* SBPF_COMPAT_LAMBDA_IO_COMMON_H */
