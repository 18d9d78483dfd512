// A program reading constant tables from .rodata and updating globals in
// .data and .bss.
struct context {
  void *buf_o;
  void *buf_i;
  unsigned long size_i;
};

static const unsigned int kTable[8] = {11, 22, 33, 44, 55, 66, 77, 88};
static const unsigned short kSmall[5] = {7, 8, 9, 10, 11};
const char kName[] = "globals";
unsigned long long calls = 5;  // .data
unsigned long long last_size;  // .bss

__attribute__((section("lambda/globals"), used)) int globals_main(struct context *ctx) {
  unsigned long i = ctx->size_i & 7;
  calls += 1;
  last_size = ctx->size_i;  // LINE_STORE_BSS
  return (int)kTable[i] + kSmall[i % 5] + kName[i];
}
