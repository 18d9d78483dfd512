/* csmith's runtime for a csmith program that runs as a λ function.
 *
 * A generated program includes "csmith.h" for its integer types, the safe
 * math wrappers and the checksum helpers, and ends its `main` by printing the
 * checksum of its globals. This header takes the place of csmith's own
 * (/usr/include/csmith/csmith.h), which needs a C library: everything here
 * comes from the compiler's predefined macros and builtins, so the same
 * program compiles for BPF (freestanding) and for the host (its native twin)
 * and computes the same checksum. Instead of printing, platform_main_end
 * keeps the checksum in `csmith_checksum`, and csmith_lambda.c hands it back
 * as the λ function's output.
 *
 * The checksum is csmith's: CRC-32 over the bytes of each global, 8 bytes per
 * value, so a native build of the program against csmith's own header prints
 * the same number.
 */
#ifndef SBPF_CSMITH_RUNTIME_H
#define SBPF_CSMITH_RUNTIME_H

/* <stdint.h>, <limits.h> and <float.h>, as far as csmith's code and its
 * safe math wrappers use them. */
typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;

#define INT8_MIN (-__INT8_MAX__ - 1)
#define INT8_MAX __INT8_MAX__
#define INT16_MIN (-__INT16_MAX__ - 1)
#define INT16_MAX __INT16_MAX__
#define INT32_MIN (-__INT32_MAX__ - 1)
#define INT32_MAX __INT32_MAX__
#define INT64_MIN (-__INT64_MAX__ - 1)
#define INT64_MAX __INT64_MAX__
#define UINT8_MAX __UINT8_MAX__
#define UINT16_MAX __UINT16_MAX__
#define UINT32_MAX __UINT32_MAX__
#define UINT64_MAX __UINT64_MAX__
#define CHAR_BIT __CHAR_BIT__
#define INT_MIN (-__INT_MAX__ - 1)
#define INT_MAX __INT_MAX__
#define UINT_MAX (__INT_MAX__ * 2U + 1U)
#define FLT_MAX __FLT_MAX__
#define DBL_MAX __DBL_MAX__

/* The float wrappers of safe_math.h name these; csmith programs generated
 * without --float never call them. */
#define fabsf __builtin_fabsf
#define fabs __builtin_fabs
#define ldexpf __builtin_ldexpf
#define ldexp __builtin_ldexp

/* Nothing is printed: print_hash_value is always 0 in a generated program,
 * and a λ function has no console. */
#define printf(...) 0

/* csmith's wrapper hooks, without wrapper logging (random_inc.h). */
#define UNDEFINED(value) (value)
#define LOG_INDEX
#define LOG_EXEC
#define STATIC static
#define INT_BIT (sizeof(int) * CHAR_BIT)
#define _CSMITH_BITFIELD(x) (((x) > INT_BIT) ? ((x) % INT_BIT) : (x))

/* The safe math wrappers, csmith's own: plain static functions. */
#define FUNC_NAME(x) (safe_##x)
#include "safe_math.h"
#undef FUNC_NAME

static uint32_t crc32_tab[256];
static uint32_t crc32_context = 0xFFFFFFFFu;
/* What platform_main_end was given: the program's result. */
static uint32_t csmith_checksum;

static void crc32_gentab(void) {
  const uint32_t poly = 0xEDB88320u;
  for (int i = 0; i < 256; i++) {
    uint32_t crc = (uint32_t)i;
    for (int j = 8; j > 0; j--) crc = (crc & 1) ? (crc >> 1) ^ poly : crc >> 1;
    crc32_tab[i] = crc;
  }
}

static void crc32_byte(uint8_t b) {
  crc32_context = ((crc32_context >> 8) & 0x00FFFFFFu) ^ crc32_tab[(crc32_context ^ b) & 0xFF];
}

/* Out of line: main hashes every global through it, and eight inlined
 * table lookups per global would make the program mostly checksum. */
static __attribute__((noinline)) void crc32_8bytes(uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) crc32_byte((uint8_t)(value >> shift));
}

/* The name and flag are for printing, which never happens here. */
#define transparent_crc(value, name, flag) crc32_8bytes((uint64_t)(value))

static void transparent_crc_bytes(char *bytes, int count, char *name, int flag) {
  (void)name;
  (void)flag;
  for (int i = 0; i < count; i++) crc32_byte((uint8_t)bytes[i]);
}

static void platform_main_begin(void) {}

static void platform_main_end(uint32_t crc, int flag) {
  (void)flag;
  csmith_checksum = crc;
}

#endif /* SBPF_CSMITH_RUNTIME_H */
