// A table of function pointers: sbpf has no indirect calls of its own
// functions, so the program is rejected (exit 1), naming the variable.
#include <sbpf/lambda.h>

static long twice(long x) { return 2 * x; }
static long thrice(long x) { return 3 * x; }
long (*ops[])(long) = {twice, thrice};

SBPF_LAMBDA(apply) long apply(struct context *ctx) { return ops[ctx->size_i & 1]((long)ctx->size_i) & 0; }
