/* sbpf's stand-in for the `bpf_helpers.h` λ-IO's programs include.
 *
 * λ-IO's programs call its helpers as bpf_memcpy ... bpf_memset; these are
 * sbpf's helpers under λ-IO's ids (see <sbpf/lambda_helpers.h>), so the same
 * source runs on sbpf unchanged, in BPF and in a native build.
 */
#ifndef SBPF_COMPAT_LAMBDA_IO_BPF_HELPERS_H
#define SBPF_COMPAT_LAMBDA_IO_BPF_HELPERS_H

#include <stddef.h> /* size_t, which λ-IO's struct context uses */

#include <sbpf/lambda_helpers.h>

#define bpf_memcpy sbpf_memcpy
#define bpf_malloc sbpf_malloc
#define bpf_free sbpf_free
#define bpf_mem_read sbpf_mem_read
#define bpf_mem_write sbpf_mem_write
#define bpf_memcmp sbpf_memcmp
#define bpf_memset sbpf_memset

#endif /* SBPF_COMPAT_LAMBDA_IO_BPF_HELPERS_H */
