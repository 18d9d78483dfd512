/* λ-IO's helpers under λ-IO's ids (156-162), for λ functions.
 *
 * Kept apart from <sbpf/lambda.h> so that λ-IO's own headers, which define
 * their own `struct context`, can use them too. In a native build they are
 * the C library's functions, with mem_read/mem_write's offset clamping.
 */
#ifndef SBPF_LAMBDA_HELPERS_H
#define SBPF_LAMBDA_HELPERS_H

#include <sbpf/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __bpf__
static void *(*const sbpf_memcpy)(void *dst, const void *src, sbpf_u64 len) = (void *)156;
static void *(*const sbpf_malloc)(sbpf_u64 size) = (void *)157;
static void (*const sbpf_free)(void *ptr) = (void *)158;
static long (*const sbpf_mem_read)(void *dst, const void *src, sbpf_u64 off, sbpf_u64 size,
                                   sbpf_u64 boundary) = (void *)159;
static long (*const sbpf_mem_write)(void *dst, const void *src, sbpf_u64 off, sbpf_u64 size,
                                    sbpf_u64 boundary) = (void *)160;
static long (*const sbpf_memcmp)(const void *a, const void *b, sbpf_u64 len) = (void *)161;
static void *(*const sbpf_memset)(void *dst, int ch, sbpf_u64 len) = (void *)162;
#else
void *memcpy(void *, const void *, __SIZE_TYPE__);
void *memmove(void *, const void *, __SIZE_TYPE__);
void *malloc(__SIZE_TYPE__);
void free(void *);
int memcmp(const void *, const void *, __SIZE_TYPE__);
void *memset(void *, int, __SIZE_TYPE__);
static inline sbpf_u64 sbpf_clamp_offset_(sbpf_u64 off, sbpf_u64 size, sbpf_u64 boundary) {
  if (size > boundary) return 0;
  return off > boundary - size ? boundary - size : off;
}
static inline void *sbpf_memcpy(void *dst, const void *src, sbpf_u64 len) { return memmove(dst, src, len); }
static inline void *sbpf_malloc(sbpf_u64 size) { return malloc(size); }
static inline void sbpf_free(void *ptr) { free(ptr); }
static inline long sbpf_mem_read(void *dst, const void *src, sbpf_u64 off, sbpf_u64 size, sbpf_u64 boundary) {
  memmove(dst, (const char *)src + sbpf_clamp_offset_(off, size, boundary), size);
  return 0;
}
static inline long sbpf_mem_write(void *dst, const void *src, sbpf_u64 off, sbpf_u64 size, sbpf_u64 boundary) {
  memmove((char *)dst + sbpf_clamp_offset_(off, size, boundary), src, size);
  return 0;
}
static inline long sbpf_memcmp(const void *a, const void *b, sbpf_u64 len) {
  int r = memcmp(a, b, len);
  return r < 0 ? -1 : r > 0;
}
static inline void *sbpf_memset(void *dst, int ch, sbpf_u64 len) { return memset(dst, ch, len); }
#endif

#ifdef __cplusplus
}
#endif

#endif /* SBPF_LAMBDA_HELPERS_H */
