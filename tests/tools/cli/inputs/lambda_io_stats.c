/* A λ function written the way λ-IO's programs are: its own includes, the
 * lambda_io/ section macro, hand-written checks. sbpf compiles it unchanged
 * against the SDK's compatibility headers. Output: {max, min, sum}. */
#include <stdint.h>
#include "common.h"

int LIO_PROG(minmax)(struct context *ctx)
{
    int64_t back_cnt = 0;
    int64_t *in = (int64_t *)ctx->buf_i;
    int64_t *out = (int64_t *)ctx->buf_o;
    int64_t hi = INT64_MIN, lo = INT64_MAX;
    uint64_t sum = 0; /* wraps, as the result defines */

    for_check(size_t i = 0, i < ctx->size_i / sizeof(int64_t), i++) {
        int64_t v = deref_check(int64_t, in, ctx->size_i, i * sizeof(int64_t));
        hi = max(hi, v);
        lo = min(lo, v);
        sum += (uint64_t)v;
        back_cnt++;
    }
    int64_t result[3] = {hi, lo, (int64_t)sum};
    memcpy(out, result, sizeof result);
    return sizeof result;
}
