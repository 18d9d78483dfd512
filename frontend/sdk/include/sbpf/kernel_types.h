/* The Linux UAPI's fixed-width names (__u8 ... __s64), for programs written
 * against kernel headers.
 *
 * `sbpf compile` includes this before every source: λ-IO's and BPF-KV's
 * programs use __u32/__u64 from headers that never define them, because the
 * kernel build they came from always had <linux/types.h> in scope. The
 * definitions match the kernel's (64-bit types are `long long`), so a later
 * <linux/types.h> repeats them harmlessly.
 */
#ifndef SBPF_KERNEL_TYPES_H
#define SBPF_KERNEL_TYPES_H

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef signed short __s16;
typedef unsigned int __u32;
typedef signed int __s32;
typedef unsigned long long __u64;
typedef signed long long __s64;

#endif /* SBPF_KERNEL_TYPES_H */
