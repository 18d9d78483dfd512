/* sbpf-datagen: input files for the λ samples in samples/lambda/.
 *
 *   sbpf-datagen KIND --size BYTES [--seed N] [-o FILE]
 *
 * Writes exactly BYTES bytes of KIND's input format, the same bytes for the
 * same seed on every machine, so a benchmark or a test can regenerate its data
 * instead of storing it. The generators never look at the size, so a larger
 * size with the same seed extends a smaller one: a test can check a small file
 * and time a large one of the same data. Exit codes follow the sbpf command's:
 * 0 success, 2 bad usage or an I/O error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datagen.h"

/* Bad usage and I/O errors alike, as for the sbpf command. */
#define EXIT_ERROR 2

static void print_usage(FILE *out) {
  fprintf(out,
          "usage: sbpf-datagen KIND --size BYTES [--seed N] [-o FILE]\n"
          "\n"
          "Writes BYTES bytes of input data for the λ sample KIND, the same bytes for\n"
          "the same seed. A size that is not a multiple of KIND's row ends with a\n"
          "partial row.\n"
          "\n"
          "  --size BYTES   output size: a number, optionally with a binary suffix\n"
          "                 K, M or G (4K = 4096); 0 is allowed\n"
          "  --seed N       seed of the pseudo-random data (default 1)\n"
          "  -o FILE        write to FILE instead of standard output (- for stdout)\n"
          "  --help         show this help\n"
          "\n"
          "kinds:\n");
  for (size_t i = 0; i < DG_KIND_COUNT; i++) fprintf(out, "  %-9s %s\n", dg_kinds[i].name, dg_kinds[i].summary);
}

/* Reports a usage or I/O error and exits; the one place that decides the
 * message's shape. */
_Noreturn static void fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("sbpf-datagen: error: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(EXIT_ERROR);
}

/* Parses an unsigned decimal number with an optional K, M or G suffix (powers
 * of 1024). strtoull is avoided on purpose: it accepts a sign, leading blanks
 * and, in base 0, octal, none of which a size should mean. */
static bool parse_count(const char *text, bool allow_suffix, uint64_t *value) {
  uint64_t n = 0;
  const char *p = text;
  if (*p < '0' || *p > '9') return false;
  for (; *p >= '0' && *p <= '9'; p++) {
    unsigned digit = (unsigned)(*p - '0');
    if (n > (UINT64_MAX - digit) / 10) return false;
    n = n * 10 + digit;
  }
  if (allow_suffix && *p != '\0') {
    unsigned shift;
    switch (*p) {
      case 'K': case 'k': shift = 10; break;
      case 'M': case 'm': shift = 20; break;
      case 'G': case 'g': shift = 30; break;
      default: return false;
    }
    if (n > (UINT64_MAX >> shift)) return false;
    n <<= shift;
    p++;
  }
  if (*p != '\0') return false;
  *value = n;
  return true;
}

/* Reports a failed write to `path` (NULL: standard output) and exits. stdio
 * does not promise to set errno, hence the fallback text. */
_Noreturn static void fail_write(const char *path, int error) {
  const char *reason = error != 0 ? strerror(error) : "I/O error";
  if (path == NULL) fail("cannot write standard output: %s", reason);
  fail("cannot write '%s': %s", path, reason);
}

/* The value of option `name` at argv[*i]: either glued as --name=VALUE or the
 * next argument. Returns NULL if argv[*i] is not this option. */
static const char *option_value(int argc, char **argv, int *i, const char *name) {
  size_t length = strlen(name);
  const char *arg = argv[*i];
  if (strncmp(arg, name, length) != 0) return NULL;
  if (arg[length] == '=') return arg + length + 1;
  if (arg[length] != '\0') return NULL;
  if (*i + 1 >= argc) fail("option %s needs a value", name);
  return argv[++*i];
}

int main(int argc, char **argv) {
  const struct dg_kind *kind = NULL;
  const char *size_text = NULL;
  const char *seed_text = NULL;
  const char *path = NULL;

  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *value;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      print_usage(stdout);
      return 0;
    } else if ((value = option_value(argc, argv, &i, "--size")) != NULL) {
      size_text = value;
    } else if ((value = option_value(argc, argv, &i, "--seed")) != NULL) {
      seed_text = value;
    } else if ((value = option_value(argc, argv, &i, "-o")) != NULL ||
               (value = option_value(argc, argv, &i, "--output")) != NULL) {
      path = value;
    } else if (arg[0] == '-' && arg[1] != '\0') {
      fail("unknown option '%s' (see --help)", arg);
    } else if (kind != NULL) {
      fail("more than one KIND: '%s' and '%s'", kind->name, arg);
    } else if ((kind = dg_find_kind(arg)) == NULL) {
      char names[128] = "";
      for (size_t k = 0; k < DG_KIND_COUNT; k++) {
        if (k > 0) strcat(names, " ");
        strcat(names, dg_kinds[k].name);
      }
      fail("unknown kind '%s' (expected one of: %s)", arg, names);
    }
  }

  if (kind == NULL) fail("missing KIND (see --help)");
  if (size_text == NULL) fail("missing --size BYTES");
  uint64_t size;
  if (!parse_count(size_text, true, &size))
    fail("bad size '%s': expected a number of bytes, optionally followed by K, M or G", size_text);
  uint64_t seed = 1;
  if (seed_text != NULL && !parse_count(seed_text, false, &seed))
    fail("bad seed '%s': expected a decimal number below 2^64", seed_text);

  if (path != NULL && strcmp(path, "-") == 0) path = NULL;
  FILE *file = path == NULL ? stdout : fopen(path, "wb");
  if (file == NULL) fail("cannot open '%s' for writing: %s", path, strerror(errno));

  int error = 0;
  /* A failed write may only show when the buffer is flushed, so the verdict
   * waits for fflush and fclose. */
  if (!dg_generate(kind, size, seed, file, &error)) fail_write(path, error);
  errno = 0;
  if (fflush(file) != 0 || ferror(file)) fail_write(path, errno);
  if (path != NULL && fclose(file) != 0) fail_write(path, errno);
  return 0;
}
