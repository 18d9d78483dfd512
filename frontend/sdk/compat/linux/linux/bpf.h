/* sbpf's stand-in for <linux/bpf.h> as the XRP kernel extends it: the place
 * BPF-KV's programs get `struct bpf_xrp` from. Only what storage functions
 * use is here; sbpf runs no other kernel program types. */
#ifndef SBPF_COMPAT_LINUX_BPF_H
#define SBPF_COMPAT_LINUX_BPF_H

#include <linux/types.h>
#include <sbpf/xrp.h>

#endif /* SBPF_COMPAT_LINUX_BPF_H */
