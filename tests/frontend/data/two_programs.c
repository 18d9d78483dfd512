// Two programs in two sections of one object.
struct context {
  void *buf_o;
  void *buf_i;
  unsigned long size_i;
};

__attribute__((section("lambda/first"), used)) int first(struct context *ctx) {
  return (int)ctx->size_i + 1;
}

__attribute__((section("lambda_io/second"), used)) int second(struct context *ctx) {
  char *out = ctx->buf_o;
  out[0] = 'x';
  return 1;
}
