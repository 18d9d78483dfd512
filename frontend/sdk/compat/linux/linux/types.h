/* sbpf's stand-in for <linux/types.h>: the UAPI's type names without the
 * architecture headers (<asm/types.h>) a BPF-target compile cannot find.
 * They are all in <sbpf/kernel_types.h>, which `sbpf compile` includes
 * before every source anyway; this makes the include work without it. */
#ifndef SBPF_COMPAT_LINUX_TYPES_H
#define SBPF_COMPAT_LINUX_TYPES_H

#include <sbpf/kernel_types.h>

#endif /* SBPF_COMPAT_LINUX_TYPES_H */
