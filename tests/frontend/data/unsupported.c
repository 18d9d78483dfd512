// Features of kernel BPF that sbpf cannot offer without a kernel, one per
// section, next to one plain program that must still load on its own.
struct context {
  void *buf_o;
  void *buf_i;
  unsigned long size_i;
};

__attribute__((section("lambda/plain"), used)) int plain(struct context *ctx) {
  return (int)ctx->size_i;
}

// CO-RE: field offsets relocated against the running kernel's BTF.
struct task {
  int pid;
  int tgid;
} __attribute__((preserve_access_index));

__attribute__((section("lambda/core"), used)) int core(struct task *t) { return t->tgid; }

// A kconfig extern: a value libbpf fills in from the kernel's configuration.
extern int LINUX_KERNEL_VERSION __attribute__((section(".kconfig"), weak));

__attribute__((section("lambda/kconfig"), used)) int kconfig(void *ctx) { return LINUX_KERNEL_VERSION; }

// A kfunc: a kernel function resolved by BTF id.
extern int bpf_kfunc_example(int x) __attribute__((section(".ksyms")));

__attribute__((section("lambda/kfunc"), used)) int kfunc(void *ctx) { return bpf_kfunc_example(3); }

// A function pointer handed to a helper (bpf_loop, id 181).
static __attribute__((noinline)) int callback(unsigned index, void *ctx) { return (int)index; }
static long (*bpf_loop)(unsigned n, void *fn, void *ctx, unsigned long flags) = (void *)181;

__attribute__((section("lambda/funcptr"), used)) int funcptr(void *ctx) { return (int)bpf_loop(3, callback, 0, 0); }
