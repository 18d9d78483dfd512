/* Data for samples/lambda/filter.c: 32-byte TPC-H lineitem rows,
 * {int64 quantity, int64 extendedprice (cents), int64 discount (hundredths),
 *  int32 shipdate (days since 1992-01-01), int32 padding}, little-endian.
 *
 * The fields follow TPC-H's domains (quantity 1..50, discount 0..10
 * hundredths, extendedprice = quantity times a retail price of 900.00 to
 * 2098.99, ship dates over the seven years 1992..1998), but a quarter of the
 * time a field takes a value on either side of one of query 6's bounds
 * instead: day 730/731 and 1095/1096, discount 4/5 and 7/8, quantity 23/24.
 * An off-by-one in the predicate therefore changes the result. The padding is
 * random, so a program that reads it by mistake is caught too.
 */
#include "datagen.h"

#define FILTER_ROW_SIZE 32
/* 1992 and 1996 are leap years: 366 + 365 * 5 + 366 days. */
#define FILTER_DAYS_1992_TO_1998 2557

#define FILTER_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* A value in [lo, hi] three times in four, else one of the `count` values of
 * `bounds`. */
static int64_t filter_field(struct dg_rng *rng, int64_t lo, int64_t hi, const int64_t *bounds, size_t count) {
  if (dg_one_in(rng, 4)) return bounds[dg_below(rng, count)];
  return dg_between(rng, lo, hi);
}

void dg_generate_filter(struct dg_writer *w, struct dg_rng *rng) {
  static const int64_t quantity_bounds[] = {23, 24};
  static const int64_t discount_bounds[] = {4, 5, 7, 8};
  static const int64_t shipdate_bounds[] = {730, 731, 1095, 1096};
  unsigned char row[FILTER_ROW_SIZE];

  while (dg_wants_more(w)) {
    int64_t quantity = filter_field(rng, 1, 50, quantity_bounds, FILTER_COUNT(quantity_bounds));
    int64_t extendedprice = quantity * dg_between(rng, 90000, 209899);
    int64_t discount = filter_field(rng, 0, 10, discount_bounds, FILTER_COUNT(discount_bounds));
    int64_t shipdate =
        filter_field(rng, 0, FILTER_DAYS_1992_TO_1998 - 1, shipdate_bounds, FILTER_COUNT(shipdate_bounds));
    dg_store_le64(row, (uint64_t)quantity);
    dg_store_le64(row + 8, (uint64_t)extendedprice);
    dg_store_le64(row + 16, (uint64_t)discount);
    dg_store_le32(row + 24, (uint32_t)shipdate);
    dg_store_le32(row + 28, (uint32_t)dg_next(rng));
    dg_write(w, row, sizeof(row));
  }
}
