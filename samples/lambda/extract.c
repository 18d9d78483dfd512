/* λ extract: keep the payloads of the records carrying one tag, through
 * λ-IO's memcmp and memcpy helpers.
 *
 * Input:  64-byte records {8-byte tag, 56-byte payload}. A trailing partial
 *         record is ignored.
 * Output: the payloads of the records whose tag is the 8 bytes "SBPF_TAG",
 *         56 bytes each, concatenated in record order.
 *
 * The tag is compared as bytes (not as an integer) so that its meaning does
 * not depend on the machine's byte order; it lives in .rodata, which the
 * helper reads like any other region. 64 divides the 2 MiB chunk size, so no
 * record straddles two chunks. The output is at most 7/8 of the input, but the
 * capacity is still checked before every copy: the function returns -28 (no
 * space) rather than a truncated result.
 */
#include <sbpf/lambda.h>

#define EXTRACT_RECORD_SIZE 64
#define EXTRACT_TAG_SIZE 8
#define EXTRACT_PAYLOAD_SIZE (EXTRACT_RECORD_SIZE - EXTRACT_TAG_SIZE)

static const char extract_tag[EXTRACT_TAG_SIZE] = {'S', 'B', 'P', 'F', '_', 'T', 'A', 'G'};

SBPF_LAMBDA(extract) long extract(struct context *ctx) {
  const char *records = (const char *)ctx->buf_i;
  sbpf_u64 count = ctx->size_i / EXTRACT_RECORD_SIZE;
  char *out = (char *)ctx->buf_o;
  sbpf_u64 written = 0;

  for (sbpf_u64 i = 0; i < count; i++) {
    const char *record = records + i * EXTRACT_RECORD_SIZE;
    if (sbpf_memcmp(record, extract_tag, EXTRACT_TAG_SIZE) != 0) continue;
    if (EXTRACT_PAYLOAD_SIZE > ctx->size_o_cap - written) return -28;
    sbpf_memcpy(out + written, record + EXTRACT_TAG_SIZE, EXTRACT_PAYLOAD_SIZE);
    written += EXTRACT_PAYLOAD_SIZE;
  }
  return (long)written;
}
