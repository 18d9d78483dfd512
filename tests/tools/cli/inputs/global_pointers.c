#include <sbpf/lambda.h>
/* Tables of strings and of pointers in global data, read and written. */
static const char *names[] = {"alpha", "beta", "gamma"};           /* .data: written below */
struct keyword { const char *word; long id; };
static const struct keyword keywords[] = {{"if", 1}, {"else", 2}, {"while", 3}};  /* .rodata */
static long counter;
struct ops { const char *first; const char *second; long *count; };
static struct ops ops = {"one", "two", &counter};
static struct ops *const active = &ops;                             /* .rodata -> .data */
static const char **cursor = &names[0];                             /* pointer to a pointer */
static struct ops *spare;                                           /* .bss, starts null */

static int put(char *out, int k, const char *s) {
  for (; *s; s++) out[k++] = *s;
  return k;
}

SBPF_LAMBDA(tables) long tables(struct context *ctx) {
  char *out = ctx->buf_o;
  const unsigned char *in = ctx->buf_i;
  int k = 0;
  for (int i = 0; i < 3; i++) k = put(out, k, names[i]);
  for (int i = 0; i < 3; i++) { out[k++] = keywords[i].word[0]; out[k++] = (char)('0' + keywords[i].id); }
  k = put(out, k, active->first);
  k = put(out, k, active->second);
  *active->count += 1;
  out[k++] = (char)('0' + counter);
  if (!spare) { out[k++] = 'n'; spare = &ops; }
  k = put(out, k, spare->second);
  *cursor = ctx->size_i > 0 && in[0] > 128 ? "big" : "small";
  names[1] = names[2];
  k = put(out, k, names[0]);
  k = put(out, k, names[1]);
  return k;
}
