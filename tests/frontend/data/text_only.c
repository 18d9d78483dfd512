// Functions, but none in a program section: nothing to load.
static __attribute__((noinline)) int increment(int x) { return x + 1; }

int triple_increment(int x) { return increment(x) * 3; }
