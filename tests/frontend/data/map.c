// A BTF-defined map, the kernel's way of keeping state: sbpf rejects it.
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

enum { BPF_MAP_TYPE_ARRAY = 2 };

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, int);
  __type(value, long);
} counts __attribute__((section(".maps"), used));

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

__attribute__((section("lambda/map"), used)) int map_main(void *ctx) {
  int key = 0;
  long *value = bpf_map_lookup_elem(&counts, &key);
  if (value) *value += 1;
  return 0;
}
