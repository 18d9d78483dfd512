/* Fixed-width integer names for sbpf programs, without a C library.
 *
 * Programs compiled for BPF have no libc; these come from the compiler's own
 * predefined macros, so the same names work in BPF and native builds.
 */
#ifndef SBPF_TYPES_H
#define SBPF_TYPES_H

typedef __UINT8_TYPE__ sbpf_u8;
typedef __UINT16_TYPE__ sbpf_u16;
typedef __UINT32_TYPE__ sbpf_u32;
typedef __UINT64_TYPE__ sbpf_u64;
typedef __INT8_TYPE__ sbpf_s8;
typedef __INT16_TYPE__ sbpf_s16;
typedef __INT32_TYPE__ sbpf_s32;
typedef __INT64_TYPE__ sbpf_s64;

/* A layout check that C and C++ both accept. */
#ifdef __cplusplus
#define SBPF_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define SBPF_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

SBPF_STATIC_ASSERT(sizeof(void *) == 8, "sbpf targets 64-bit machines");

#endif /* SBPF_TYPES_H */
