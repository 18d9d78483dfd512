/* sbpf's stand-in for <linux/types.h>: the UAPI integer names without the
 * architecture headers (<asm/types.h>) a BPF-target compile cannot find. */
#ifndef SBPF_COMPAT_LINUX_TYPES_H
#define SBPF_COMPAT_LINUX_TYPES_H

#include <sbpf/kernel_types.h>

#define __bitwise
typedef __u16 __bitwise __le16;
typedef __u16 __bitwise __be16;
typedef __u32 __bitwise __le32;
typedef __u32 __bitwise __be32;
typedef __u64 __bitwise __le64;
typedef __u64 __bitwise __be64;
typedef __u16 __bitwise __sum16;
typedef __u32 __bitwise __wsum;

#endif /* SBPF_COMPAT_LINUX_TYPES_H */
