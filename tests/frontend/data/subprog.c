// A program whose main function calls a static, non-inlined helper, which
// itself calls another one: the loader appends both after the caller.
struct context {
  void *buf_o;
  void *buf_i;
  unsigned long size_i;
};

static __attribute__((noinline)) int twice(int x) { return x * 2; }

// In .text between the two, but never called: not appended. It shifts
// add_twice and twice apart, so a call between them that the compiler
// resolved itself must be re-targeted.
__attribute__((noinline)) int not_called(int x) { return twice(x) - 1; }

static __attribute__((noinline)) int add_twice(int a, int b) {
  return twice(a) + b;  // LINE_ADD_TWICE_BODY
}

__attribute__((section("lambda/subprog"), used)) int subprog_main(struct context *ctx) {
  int n = (int)ctx->size_i;
  int r = add_twice(n, 3);  // LINE_CALL_ADD_TWICE
  return r + twice(r);
}
