/* Data for samples/lambda/extract.c: 64-byte records {8-byte tag, 56-byte
 * payload}.
 *
 * About a third of the records carry the wanted tag "SBPF_TAG". The others
 * carry a tag one byte off (in a random position, so that a comparison of too
 * few bytes is caught), the tag in lower case, or random bytes. A payload
 * starts with its record's index as a little-endian int64, followed by random
 * bytes, so every payload in an output can be traced back to its record.
 */
#include <string.h>

#include "datagen.h"

#define EXTRACT_RECORD_SIZE 64
#define EXTRACT_TAG_SIZE 8

/* The tag of samples/lambda/extract.c; the two must change together. */
static const unsigned char extract_tag[EXTRACT_TAG_SIZE] = {'S', 'B', 'P', 'F', '_', 'T', 'A', 'G'};
static const unsigned char extract_lower_tag[EXTRACT_TAG_SIZE] = {'s', 'b', 'p', 'f', '_', 't', 'a', 'g'};

void dg_generate_extract(struct dg_writer *w, struct dg_rng *rng) {
  unsigned char record[EXTRACT_RECORD_SIZE];
  for (uint64_t index = 0; dg_wants_more(w); index++) {
    uint64_t pick = dg_below(rng, 6);
    if (pick < 2) {
      memcpy(record, extract_tag, EXTRACT_TAG_SIZE);
    } else if (pick < 4) {
      memcpy(record, extract_tag, EXTRACT_TAG_SIZE);
      /* Adding 1..255 changes the byte whatever it was. */
      record[dg_below(rng, EXTRACT_TAG_SIZE)] += (unsigned char)dg_between(rng, 1, 255);
    } else if (pick == 4) {
      memcpy(record, extract_lower_tag, EXTRACT_TAG_SIZE);
    } else {
      dg_store_le64(record, dg_next(rng));
    }
    dg_store_le64(record + EXTRACT_TAG_SIZE, index);
    for (size_t at = EXTRACT_TAG_SIZE + 8; at < EXTRACT_RECORD_SIZE; at += 8) dg_store_le64(record + at, dg_next(rng));
    dg_write(w, record, sizeof(record));
  }
}
