/* Data for samples/lambda/grep.c: 4 KiB rows of text, searched for "sbpf".
 *
 * Each row is one of the cases a search can get wrong:
 *   - no occurrence at all (the answer is -1);
 *   - an occurrence at offset 0, or at offset 4092, the last place where it
 *     fits wholly inside the row;
 *   - "sbp" in the last three bytes, with the next row starting with 'f', an
 *     occurrence only across the row boundary, which must not count;
 *   - an occurrence right after the near miss "sbp" ("sbpsbpf"), which a
 *     search that skips past a failed partial match would miss;
 *   - two occurrences, of which the first must be reported;
 *   - one occurrence at a random offset.
 * Before that, each quarter of the row may get one near miss ("sbpa", "sbpF",
 * "Sbpf", "sbf", "spbf", "sbp", "sb", "s") that must not match.
 *
 * The filler holds neither 's' nor 'f' and the near misses never overlap one
 * another, so no occurrence arises by accident: a row holds "sbpf" only where
 * it is put on purpose, which keeps the "no occurrence" rows honest.
 */
#include <string.h>

#include "datagen.h"

#define GREP_ROW_SIZE 4096
#define GREP_PATTERN "sbpf"
#define GREP_PATTERN_SIZE 4

#define GREP_QUARTER (GREP_ROW_SIZE / 4)

static const char grep_filler[] = "abcdeghijklmnopqrtuvwxyz      ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;'\n";

static const char *const grep_near_misses[] = {"sbpa", "sbpF", "Sbpf", "sbf", "spbf", "sbp", "sb", "s"};

#define GREP_NEAR_MISS_COUNT (sizeof(grep_near_misses) / sizeof(grep_near_misses[0]))

/* Puts `text` at `offset`, which the caller keeps inside the row. */
static void grep_place(unsigned char *row, size_t offset, const char *text) {
  memcpy(row + offset, text, strlen(text));
}

static size_t grep_random_offset(struct dg_rng *rng, size_t length) {
  return (size_t)dg_below(rng, GREP_ROW_SIZE - length + 1);
}

void dg_generate_grep(struct dg_writer *w, struct dg_rng *rng) {
  unsigned char row[GREP_ROW_SIZE];
  bool starts_with_f = false; /* the previous row ended in "sbp" */

  while (dg_wants_more(w)) {
    for (size_t i = 0; i < sizeof(row); i++) row[i] = (unsigned char)grep_filler[dg_below(rng, sizeof(grep_filler) - 1)];
    if (starts_with_f) row[0] = 'f';
    starts_with_f = false;

    /* Near misses first, so that the occurrences placed next stay whole; one
     * per quarter at most, so that two of them cannot combine into a match. */
    for (size_t quarter = 0; quarter < GREP_ROW_SIZE; quarter += GREP_QUARTER) {
      if (dg_one_in(rng, 2)) continue;
      const char *miss = grep_near_misses[dg_below(rng, GREP_NEAR_MISS_COUNT)];
      grep_place(row, quarter + (size_t)dg_below(rng, GREP_QUARTER - strlen(miss) + 1), miss);
    }

    switch (dg_below(rng, 8)) {
      case 0:
        break;
      case 1:
        grep_place(row, 0, GREP_PATTERN);
        break;
      case 2:
        grep_place(row, GREP_ROW_SIZE - GREP_PATTERN_SIZE, GREP_PATTERN);
        break;
      case 3:
        grep_place(row, GREP_ROW_SIZE - 3, "sbp");
        starts_with_f = true;
        break;
      case 4:
        grep_place(row, grep_random_offset(rng, 7), "sbpsbpf");
        break;
      case 5: {
        /* The later one first: if the two overlap, the earlier one wins. */
        size_t first = grep_random_offset(rng, GREP_PATTERN_SIZE);
        size_t second = first + (size_t)dg_below(rng, GREP_ROW_SIZE - GREP_PATTERN_SIZE - first + 1);
        grep_place(row, second, GREP_PATTERN);
        grep_place(row, first, GREP_PATTERN);
        break;
      }
      default:
        grep_place(row, grep_random_offset(rng, GREP_PATTERN_SIZE), GREP_PATTERN);
        break;
    }
    dg_write(w, row, sizeof(row));
  }
}
