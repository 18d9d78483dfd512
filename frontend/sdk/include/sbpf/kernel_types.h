/* Everything the Linux UAPI's <linux/types.h> defines, for programs written
 * against kernel headers: the integer names (__u8 ... __s64, from
 * <asm-generic/int-ll64.h>), the byte-order and checksum names (__le16 ...
 * __be64, __sum16, __wsum), __poll_t, the __aligned_* macros, and the
 * __kernel_* names of <linux/posix_types.h>.
 *
 * `sbpf compile` includes this before every source. λ-IO's and BPF-KV's
 * programs use these names from headers that never define them (libbpf's
 * bpf_helper_defs.h says __be16, __wsum ...), because the kernel build they
 * came from always had <linux/types.h> in scope; a BPF-target compile has no
 * <asm/types.h> to get them from.
 *
 * Each definition is the kernel's, token for token where it is a macro, so
 * that a native build which later reaches the system's own headers repeats
 * them harmlessly (C11 allows a typedef to be repeated with the same type).
 * The two anonymous structs of the POSIX names could not be repeated: this
 * header claims <linux/posix_types.h>'s include guard, having defined all
 * it defines, and marks __kernel_fsid_t as defined the way an architecture's
 * <asm/posix_types.h> does for <asm-generic/posix_types.h>.
 *
 * The 64-bit types are `long long`, as on every architecture the kernel
 * supports today. The POSIX names follow the target: x86-64's and arm64's
 * own <asm/posix_types.h>, and <asm-generic/posix_types.h> for BPF, which
 * has no architecture headers.
 */
#ifndef SBPF_KERNEL_TYPES_H
#define SBPF_KERNEL_TYPES_H

/* <asm-generic/int-ll64.h> */
typedef signed char __s8;
typedef unsigned char __u8;
typedef signed short __s16;
typedef unsigned short __u16;
typedef signed int __s32;
typedef unsigned int __u32;
#ifdef __GNUC__
__extension__ typedef signed long long __s64;
__extension__ typedef unsigned long long __u64;
#else
typedef signed long long __s64;
typedef unsigned long long __u64;
#endif

/* <linux/types.h>. __bitwise marks a type sparse keeps apart from plain
 * integers; to a compiler it is the integer. */
#ifdef __CHECKER__
#define __bitwise __attribute__((bitwise))
#else
#define __bitwise
#endif
#define __bitwise__ __bitwise

typedef __u16 __bitwise __le16;
typedef __u16 __bitwise __be16;
typedef __u32 __bitwise __le32;
typedef __u32 __bitwise __be32;
typedef __u64 __bitwise __le64;
typedef __u64 __bitwise __be64;

typedef __u16 __bitwise __sum16;
typedef __u32 __bitwise __wsum;

#define __aligned_u64 __u64 __attribute__((aligned(8)))
#define __aligned_s64 __s64 __attribute__((aligned(8)))
#define __aligned_be64 __be64 __attribute__((aligned(8)))
#define __aligned_le64 __le64 __attribute__((aligned(8)))

typedef unsigned __bitwise __poll_t;

/* <linux/posix_types.h> */
#ifndef _LINUX_POSIX_TYPES_H
#define _LINUX_POSIX_TYPES_H

#undef __FD_SETSIZE
#define __FD_SETSIZE 1024

typedef struct {
  unsigned long fds_bits[__FD_SETSIZE / (8 * sizeof(long))];
} __kernel_fd_set;

typedef void (*__kernel_sighandler_t)(int);
typedef int __kernel_key_t;
typedef int __kernel_mqd_t;

/* <asm/posix_types.h>: what x86-64 and arm64 change ... */
#if defined(__x86_64__)
typedef unsigned short __kernel_old_uid_t;
typedef unsigned short __kernel_old_gid_t;
#define __kernel_old_uid_t __kernel_old_uid_t
typedef unsigned long __kernel_old_dev_t;
#define __kernel_old_dev_t __kernel_old_dev_t
#elif defined(__aarch64__)
typedef unsigned short __kernel_old_uid_t;
typedef unsigned short __kernel_old_gid_t;
#define __kernel_old_uid_t __kernel_old_uid_t
#endif

/* ... and <asm-generic/posix_types.h>, on a machine with 64-bit longs. */
typedef long __kernel_long_t;
typedef unsigned long __kernel_ulong_t;
typedef __kernel_ulong_t __kernel_ino_t;
typedef unsigned int __kernel_mode_t;
typedef int __kernel_pid_t;
typedef int __kernel_ipc_pid_t;
typedef unsigned int __kernel_uid_t;
typedef unsigned int __kernel_gid_t;
typedef __kernel_long_t __kernel_suseconds_t;
typedef int __kernel_daddr_t;
typedef unsigned int __kernel_uid32_t;
typedef unsigned int __kernel_gid32_t;
#ifndef __kernel_old_uid_t
typedef __kernel_uid_t __kernel_old_uid_t;
typedef __kernel_gid_t __kernel_old_gid_t;
#endif
#ifndef __kernel_old_dev_t
typedef unsigned int __kernel_old_dev_t;
#endif
typedef __kernel_ulong_t __kernel_size_t;
typedef __kernel_long_t __kernel_ssize_t;
typedef __kernel_long_t __kernel_ptrdiff_t;
typedef struct {
  int val[2];
} __kernel_fsid_t;
#define __kernel_fsid_t __kernel_fsid_t
typedef __kernel_long_t __kernel_off_t;
typedef long long __kernel_loff_t;
typedef __kernel_long_t __kernel_old_time_t;
typedef __kernel_long_t __kernel_time_t;
typedef long long __kernel_time64_t;
typedef __kernel_long_t __kernel_clock_t;
typedef int __kernel_timer_t;
typedef int __kernel_clockid_t;
typedef char *__kernel_caddr_t;
typedef unsigned short __kernel_uid16_t;
typedef unsigned short __kernel_gid16_t;

#endif /* _LINUX_POSIX_TYPES_H */

#endif /* SBPF_KERNEL_TYPES_H */
