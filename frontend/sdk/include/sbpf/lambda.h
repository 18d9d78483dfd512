/* λ functions for sbpf: the context, the section macro and λ-IO's helpers.
 *
 * The first three fields of the context are λ-IO's `struct context`, so
 * λ-IO's programs run unmodified; sbpf's fields follow. The same header
 * compiles for BPF (`sbpf compile`) and for the host (`sbpf compile
 * --native`), with the same layout on x86-64 and arm64.
 */
#ifndef SBPF_LAMBDA_H
#define SBPF_LAMBDA_H

#ifdef __cplusplus
extern "C" {
#endif

typedef __UINT8_TYPE__ sbpf_u8;
typedef __UINT16_TYPE__ sbpf_u16;
typedef __UINT32_TYPE__ sbpf_u32;
typedef __UINT64_TYPE__ sbpf_u64;
typedef __INT8_TYPE__ sbpf_s8;
typedef __INT16_TYPE__ sbpf_s16;
typedef __INT32_TYPE__ sbpf_s32;
typedef __INT64_TYPE__ sbpf_s64;

struct context {
  void *buf_o;                /* output buffer */
  void *buf_i;                /* input buffer (read-only) */
  __SIZE_TYPE__ size_i;       /* input bytes */
  __SIZE_TYPE__ size_o_cap;   /* sbpf: output buffer capacity */
};

_Static_assert(sizeof(void *) == 8, "sbpf targets 64-bit machines");
_Static_assert(__builtin_offsetof(struct context, size_i) == 16, "λ-IO's struct context layout");

/* Marks the λ function `name`: `SBPF_LAMBDA(stats) long stats(struct context *ctx)`.
 * It returns the number of output bytes it wrote, or a negative error. */
#ifdef __bpf__
#define SBPF_LAMBDA(name) __attribute__((section("lambda/" #name), used))
#else
#define SBPF_LAMBDA(name) __attribute__((used, visibility("default")))
#endif

/* λ-IO's helpers, under λ-IO's ids (156-162). In a native build they are the
 * C library's functions, with mem_read/mem_write's offset clamping. */
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

#endif /* SBPF_LAMBDA_H */
