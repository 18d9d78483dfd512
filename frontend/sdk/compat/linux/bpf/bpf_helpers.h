/* sbpf's stand-in for libbpf's <bpf/bpf_helpers.h>: the attribute macros
 * storage functions use. libbpf's own header declares kernel helpers that
 * sbpf does not provide (maps, tracing); a call to one of them would fail at
 * load time, so they are left out and fail at compile time instead. */
#ifndef SBPF_COMPAT_BPF_HELPERS_H
#define SBPF_COMPAT_BPF_HELPERS_H

#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __hidden
#define __hidden __attribute__((visibility("hidden")))
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#endif /* SBPF_COMPAT_BPF_HELPERS_H */
