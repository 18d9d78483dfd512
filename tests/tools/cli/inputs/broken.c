#include <sbpf/lambda.h>

SBPF_LAMBDA(broken) long broken(struct context *ctx) {
  return ctx->no_such_field;
}
