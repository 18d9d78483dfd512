/* λ filter: TPC-H query 6's scan (forecasting revenue change) over a
 * fixed-width lineitem table.
 *
 * Input:  rows of 32 bytes, all little-endian:
 *           int64 quantity
 *           int64 extendedprice   in cents
 *           int64 discount        in hundredths (6 = 0.06)
 *           int32 shipdate        days since 1992-01-01
 *           int32 padding         ignored
 *         A trailing partial row is ignored.
 * Output: two little-endian int64, 16 bytes:
 *           {sum of extendedprice * discount over the matching rows,
 *            number of matching rows}
 *         The revenue is in units of 1/10000 of a currency unit (cents times
 *         hundredths), so it stays an exact integer.
 *
 * A row matches Q6's predicate when
 *   shipdate >= 1994-01-01 and shipdate < 1995-01-01   (day 731 to day 1095)
 *   discount between 0.05 and 0.07 inclusive           (5 to 7)
 *   quantity < 24
 * Both outputs are sums, so the runtime's per-chunk results add up to the
 * whole table's; the products and the sum wrap modulo 2^64 rather than
 * overflow, which keeps the native twin defined on any input. 32 divides the
 * 2 MiB chunk size, so no row straddles two chunks. Returns -28 (no space) if
 * the output buffer holds fewer than 16 bytes.
 */
#include <sbpf/lambda.h>

/* 1992 is a leap year: 366 + 365 days from 1992-01-01 to 1994-01-01. */
#define FILTER_SHIPDATE_FROM 731
#define FILTER_SHIPDATE_TO (FILTER_SHIPDATE_FROM + 365)
#define FILTER_DISCOUNT_MIN 5
#define FILTER_DISCOUNT_MAX 7
#define FILTER_QUANTITY_BELOW 24

struct lineitem {
  sbpf_s64 quantity;
  sbpf_s64 extendedprice;
  sbpf_s64 discount;
  sbpf_s32 shipdate;
  sbpf_s32 padding;
};

SBPF_STATIC_ASSERT(sizeof(struct lineitem) == 32, "the table's row size");

SBPF_LAMBDA(filter) long filter(struct context *ctx) {
  const struct lineitem *rows = (const struct lineitem *)ctx->buf_i;
  sbpf_u64 count = ctx->size_i / sizeof(struct lineitem);
  sbpf_u64 revenue = 0;
  sbpf_u64 matches = 0;

  for (sbpf_u64 i = 0; i < count; i++) {
    const struct lineitem *row = &rows[i];
    if (row->shipdate < FILTER_SHIPDATE_FROM || row->shipdate >= FILTER_SHIPDATE_TO) continue;
    if (row->discount < FILTER_DISCOUNT_MIN || row->discount > FILTER_DISCOUNT_MAX) continue;
    if (row->quantity >= FILTER_QUANTITY_BELOW) continue;
    revenue += (sbpf_u64)row->extendedprice * (sbpf_u64)row->discount;
    matches++;
  }

  if (ctx->size_o_cap < 2 * sizeof(sbpf_s64)) return -28;
  sbpf_s64 *out = (sbpf_s64 *)ctx->buf_o;
  out[0] = (sbpf_s64)revenue;
  out[1] = (sbpf_s64)matches;
  return 2 * sizeof(sbpf_s64);
}
