/* <sbpf/kernel_types.h> against the kernel's definitions (Debian's
 * <linux/types.h>, <asm-generic/int-ll64.h>, <linux/posix_types.h>,
 * <asm-generic/posix_types.h> and x86-64's and arm64's <asm/posix_types.h>),
 * each name checked for its exact C type. Compiled (never run) for BPF,
 * x86-64 and arm64 with `sbpf compile`'s pre-include. */
#define CHECK(cond) _Static_assert(cond, #cond)
#define IS(type, expected) CHECK(_Generic((type){0}, expected: 1, default: 0))

IS(__s8, signed char);
IS(__u8, unsigned char);
IS(__s16, short);
IS(__u16, unsigned short);
IS(__s32, int);
IS(__u32, unsigned int);
IS(__s64, long long);
IS(__u64, unsigned long long);

IS(__le16, unsigned short);
IS(__be16, unsigned short);
IS(__le32, unsigned int);
IS(__be32, unsigned int);
IS(__le64, unsigned long long);
IS(__be64, unsigned long long);
IS(__sum16, unsigned short);
IS(__wsum, unsigned int);
IS(__poll_t, unsigned int);

struct aligned {
  char c;
  __aligned_u64 u;
  __aligned_s64 s;
  __aligned_be64 be;
  __aligned_le64 le;
};
CHECK(__builtin_offsetof(struct aligned, u) == 8 && sizeof(struct aligned) == 40);
CHECK(_Alignof(struct aligned) == 8);

IS(__kernel_long_t, long);
IS(__kernel_ulong_t, unsigned long);
IS(__kernel_ino_t, unsigned long);
IS(__kernel_mode_t, unsigned int);
IS(__kernel_pid_t, int);
IS(__kernel_ipc_pid_t, int);
IS(__kernel_uid_t, unsigned int);
IS(__kernel_gid_t, unsigned int);
IS(__kernel_suseconds_t, long);
IS(__kernel_daddr_t, int);
IS(__kernel_uid32_t, unsigned int);
IS(__kernel_gid32_t, unsigned int);
#if defined(__x86_64__) || defined(__aarch64__)
IS(__kernel_old_uid_t, unsigned short);
IS(__kernel_old_gid_t, unsigned short);
#else
IS(__kernel_old_uid_t, unsigned int);
IS(__kernel_old_gid_t, unsigned int);
#endif
#if defined(__x86_64__)
IS(__kernel_old_dev_t, unsigned long);
#else
IS(__kernel_old_dev_t, unsigned int);
#endif
IS(__kernel_size_t, unsigned long);
IS(__kernel_ssize_t, long);
IS(__kernel_ptrdiff_t, long);
IS(__kernel_off_t, long);
IS(__kernel_loff_t, long long);
IS(__kernel_old_time_t, long);
IS(__kernel_time_t, long);
IS(__kernel_time64_t, long long);
IS(__kernel_clock_t, long);
IS(__kernel_timer_t, int);
IS(__kernel_clockid_t, int);
IS(__kernel_caddr_t, char *);
IS(__kernel_uid16_t, unsigned short);
IS(__kernel_gid16_t, unsigned short);
IS(__kernel_key_t, int);
IS(__kernel_mqd_t, int);
IS(__kernel_sighandler_t, void (*)(int));
CHECK(sizeof(__kernel_fd_set) == 128 && sizeof(((__kernel_fd_set *)0)->fds_bits[0]) == 8);
CHECK(sizeof(__kernel_fsid_t) == 8 && sizeof(((__kernel_fsid_t *)0)->val[0]) == 4);
