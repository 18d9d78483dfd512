// A map defined the pre-BTF way, in a section named "maps": libbpf 1.x
// itself refuses it.
struct bpf_map_def {
  unsigned type, key_size, value_size, max_entries, flags;
};

struct bpf_map_def counts __attribute__((section("maps"), used)) = {2, 4, 8, 4, 0};

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

__attribute__((section("lambda/legacy"), used)) int legacy(void *ctx) {
  int key = 0;
  return bpf_map_lookup_elem(&counts, &key) != 0;
}
