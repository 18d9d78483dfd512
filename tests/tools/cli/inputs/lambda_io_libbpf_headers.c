/* A λ function laid out the way λ-IO ships its programs: next to its own
 * copies of libbpf's bpf_helpers.h and bpf_helper_defs.h (the test copies
 * Debian's in beside it), which the quoted include finds before sbpf's
 * stand-ins. Those headers use <linux/types.h>'s whole vocabulary (__be16,
 * __wsum ...), and so does this program: its input is big-endian 32-bit
 * words, its output their sum and their ones'-complement checksum, in the
 * kernel's __wsum and __sum16.
 * Output: {__u64 sum; __sum16 checksum; __be16 words (mod 2^16)}. */
#include "bpf_helpers.h"
#include <stdint.h>
#include "common.h"

struct summary {
    __u64 sum;
    __sum16 checksum;
    __be16 words;
    __u32 pad;
};

static __always_inline __u32 from_be32(__be32 word)
{
    return __builtin_bswap32((__u32)word);
}

/* Adds with end-around carry, as the Internet checksum does. */
static __always_inline __wsum csum_add(__wsum csum, __u32 addend)
{
    __u32 res = (__u32)csum + addend;
    return (__wsum)(res + (res < addend));
}

static __always_inline __sum16 csum_fold(__wsum csum)
{
    __u32 sum = (__u32)csum;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__sum16)~sum;
}

int LIO_PROG(be32_checksum)(struct context *ctx)
{
    int64_t back_cnt = 0;
    __be32 *in = (__be32 *)ctx->buf_i;
    size_t n = ctx->size_i / sizeof(__be32);
    struct summary out = {0};
    __wsum csum = 0;

    for_check(size_t i = 0, i < n, i++) {
        __u32 word = from_be32(deref_check(__be32, in, ctx->size_i, i * sizeof(__be32)));
        out.sum += word;
        csum = csum_add(csum, word);
        back_cnt++;
    }
    out.checksum = csum_fold(csum);
    out.words = (__be16)__builtin_bswap16((__u16)n);
    memcpy(ctx->buf_o, &out, sizeof out);
    return sizeof out;
}
