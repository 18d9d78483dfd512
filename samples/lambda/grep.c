/* λ grep: where a fixed pattern first occurs in every row of a text file.
 *
 * Input:  rows of 4 KiB of arbitrary bytes. A trailing partial row is ignored.
 * Output: one little-endian int64 per complete row, in row order: the offset
 *         within the row of the first occurrence of the 4 bytes "sbpf", or -1
 *         if the row holds none.
 *
 * Only occurrences lying wholly inside one row count: a row ending in "sbp"
 * followed by a row starting with "f" matches in neither. Rows are independent,
 * which is what lets the runtime cut the file anywhere on a row boundary; 4 KiB
 * divides the 2 MiB chunk size, so no row straddles two chunks.
 *
 * The search is the plain one, trying every offset: with a 4-byte pattern the
 * first-byte test rejects most offsets at once, and a smarter skip table would
 * cost more than it saves. Returns -28 (no space) if the offsets would not
 * fit into the output buffer.
 */
#include <sbpf/lambda.h>

#define GREP_ROW_SIZE 4096
#define GREP_PATTERN_SIZE 4

static const char grep_pattern[GREP_PATTERN_SIZE] = {'s', 'b', 'p', 'f'};

/* The offset of the first occurrence of grep_pattern in row, or -1. */
static sbpf_s64 grep_row(const char *row) {
  for (sbpf_u64 off = 0; off + GREP_PATTERN_SIZE <= GREP_ROW_SIZE; off++) {
    if (row[off] != grep_pattern[0]) continue;
    sbpf_u64 matched = 1;
    while (matched < GREP_PATTERN_SIZE && row[off + matched] == grep_pattern[matched]) matched++;
    if (matched == GREP_PATTERN_SIZE) return (sbpf_s64)off;
  }
  return -1;
}

SBPF_LAMBDA(grep) long grep(struct context *ctx) {
  const char *text = (const char *)ctx->buf_i;
  sbpf_u64 rows = ctx->size_i / GREP_ROW_SIZE;
  sbpf_s64 *out = (sbpf_s64 *)ctx->buf_o;

  if (rows * sizeof(sbpf_s64) > ctx->size_o_cap) return -28;

  for (sbpf_u64 r = 0; r < rows; r++) out[r] = grep_row(text + r * GREP_ROW_SIZE);
  return (long)(rows * sizeof(sbpf_s64));
}
