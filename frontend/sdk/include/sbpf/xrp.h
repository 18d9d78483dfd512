/* XRP storage functions for sbpf: the context, the section macro and the
 * constants of the resubmission ABI.
 *
 * An XRP function runs each time a read completes. It inspects the block in
 * `data`, may keep state in `scratch` (shared with the caller), and either
 * asks for the next read (next_addr[i]/size[i]) or sets `done`. It returns 0
 * to go on (or finish, when done) and non-zero to abort the request.
 *
 * The context is the XRP paper's `struct bpf_xrp`, field for field, so XRP's
 * and BPF-KV's programs run unmodified. The header compiles for BPF and for
 * the host, with the same layout on x86-64 and arm64.
 */
#ifndef SBPF_XRP_H
#define SBPF_XRP_H

#include <sbpf/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SBPF_XRP_SCRATCH_SIZE 4096 /* bytes of scratch per request */
#define SBPF_XRP_MAX_FANOUT 16     /* next_addr/size slots */
#define SBPF_XRP_BLOCK_SIZE 512    /* the smallest read */

#ifndef SBPF_XRP_CONTEXT_DEFINED
#define SBPF_XRP_CONTEXT_DEFINED
struct bpf_xrp {
  char *data;                                /* the block just read (read-only) */
  int done;                                  /* set to 1: return to the caller */
  sbpf_u64 next_addr[SBPF_XRP_MAX_FANOUT];   /* file offsets to read next */
  sbpf_u64 size[SBPF_XRP_MAX_FANOUT];        /* bytes per slot; 0: no read */
  char *scratch;                             /* SBPF_XRP_SCRATCH_SIZE bytes */
};
#endif

SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpf_xrp, done) == 8, "XRP context layout");
SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpf_xrp, next_addr) == 16, "XRP context layout");
SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpf_xrp, size) == 144, "XRP context layout");
SBPF_STATIC_ASSERT(__builtin_offsetof(struct bpf_xrp, scratch) == 272, "XRP context layout");
SBPF_STATIC_ASSERT(sizeof(struct bpf_xrp) == 280, "XRP context layout");

/* Marks the XRP function `name`: `SBPF_XRP(lookup) unsigned lookup(struct bpf_xrp *ctx)`.
 * Any section name works for a function whose parameter is `struct bpf_xrp *`
 * (sbpf reads the type from BTF); this macro gives the `xrp/` prefix. */
#define SBPF_XRP(name) __attribute__((section("xrp/" #name), used, visibility("default")))

/* Asks for the next read, `size` bytes at file offset `offset`, in slot 0.
 * sbpf reads every slot whose size is not 0 and runs the function again
 * once all of them have completed, on their blocks one after another in
 * slot order (XRP's prototype read slot 0 only). Returns 0, the value for
 * the function to return. */
static inline unsigned int sbpf_xrp_resubmit(struct bpf_xrp *ctx, sbpf_u64 offset, sbpf_u64 size) {
  ctx->next_addr[0] = offset;
  ctx->size[0] = size;
  return 0;
}

/* Ends the request. The slot is cleared too, so the caller never sees the
 * last read's request next to `done`. Returns 0. */
static inline unsigned int sbpf_xrp_finish(struct bpf_xrp *ctx) {
  ctx->done = 1;
  ctx->size[0] = 0;
  return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* SBPF_XRP_H */
