/* <sbpf/kernel_types.h> first, then the system's own kernel headers: a
 * native twin may reach them (through <linux/time_types.h>, <asm/stat.h>
 * ...). A typedef repeated with another type, or a macro redefined with
 * other tokens, fails this compile. */
#include <linux/types.h>
#include <linux/posix_types.h>
#include <asm/posix_types.h>
#include <asm/stat.h>
#include <asm-generic/int-ll64.h>
#include <linux/time_types.h>
#include <sys/types.h>
#include <stdint.h>

__be16 check_be16;
__wsum check_wsum;
__poll_t check_poll;
__aligned_u64 check_aligned;
__kernel_fd_set check_fd_set;
__kernel_fsid_t check_fsid;
