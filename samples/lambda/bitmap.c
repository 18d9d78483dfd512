/* λ bitmap: run-length decoding, a λ-write that expands a compressed bitmap
 * on its way to storage.
 *
 * Input:  2-byte records {u8 count, u8 byte}. A record with count 0 ends the
 *         stream: it and everything after it in the chunk are ignored. A
 *         trailing odd byte is ignored.
 * Output: for each record before the end, `count` copies of `byte`, in order.
 *
 * The runtime invokes the function once per 2 MiB chunk, so a count-0 record
 * ends the decoding of its own chunk only; the next chunk starts afresh. A
 * record never straddles two chunks because 2 divides the chunk size.
 *
 * The output grows by up to 255 bytes per 2 input bytes, so it is checked
 * against the output capacity before every run: if a run would not fit, the
 * function returns -28 (no space) rather than a truncated bitmap.
 */
#include <sbpf/lambda.h>

SBPF_LAMBDA(bitmap) long bitmap(struct context *ctx) {
  const sbpf_u8 *records = (const sbpf_u8 *)ctx->buf_i;
  sbpf_u8 *out = (sbpf_u8 *)ctx->buf_o;
  sbpf_u64 written = 0;

  for (sbpf_u64 at = 0; at + 2 <= ctx->size_i; at += 2) {
    sbpf_u64 count = records[at];
    if (count == 0) break;
    if (count > ctx->size_o_cap - written) return -28;
    sbpf_memset(out + written, records[at + 1], count);
    written += count;
  }
  return (long)written;
}
