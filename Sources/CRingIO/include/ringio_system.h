#ifndef RINGIO_SYSTEM_H
#define RINGIO_SYSTEM_H

// System helpers: limits, thread names, descriptor classification, constants Swift cannot import.
// Included by CRingIO.h after the system and liburing headers, which it orders.

/// The soft RLIMIT_MEMLOCK in bytes; RLIM_INFINITY when unlimited.
unsigned long long ringio_memlock_limit(void);

/// Sets RLIMIT_MEMLOCK's soft limit (tests); returns 0 or -errno.
int ringio_set_memlock_limit(unsigned long long bytes);

/// Names the calling thread (shown by top/ps/gdb).
void ringio_set_thread_name(const char *name);

/// What an open descriptor is (bits of `ringio_classify_descriptor`).
enum {
    /// Reads and writes end on their own: a regular file on a file system backed by a block
    /// device (ext4, xfs, … on a disk), or a block device. Not: network, FUSE and virtual file
    /// systems (NFS, sshfs, procfs, tracefs, tmpfs, overlayfs), pipes, sockets, character devices.
    RINGIO_TRANSFERS_END_ON_THEIR_OWN = 1,
    /// No offsets: a pipe, socket, terminal or other character device, or a file lseek refuses
    /// (ESPIPE). Its reads must not overlap.
    RINGIO_STREAM = 2,
    /// Offsets, but its content is generated as it is read (procfs, sysfs): reads at later
    /// offsets cost the generation of everything before them, so read it in order, one at a time.
    RINGIO_READ_IN_ORDER = 4,
};

/// Classifies `fd` without waiting on a device or a server: statx with AT_STATX_DONT_SYNC (cached
/// attributes only, so no network round trip) for the file type and the device of its file
/// system, lseek(SEEK_CUR) for ESPIPE, and fstatfs for procfs and sysfs. When statx fails, the answer is the cautious one
/// (a stream whose transfers may not end).
int ringio_classify_descriptor(int fd);

/// The CPUs this process may run on (sched_getaffinity), written to `out` (at most `max`);
/// returns how many, or -errno.
int ringio_allowed_cpus(int *out, int max);

/// The CPU the calling thread runs on now (sched_getcpu), or -1.
int ringio_current_cpu(void);

/// Pins the calling thread to `cpu` (pthread_setaffinity_np); returns 0 or an errno.
int ringio_pin_current_thread(int cpu);

/// Which loop of which group the calling thread runs (0 and -1 on other threads): a
/// thread-local the loop thread sets once, so the file layer finds "the loop I am on" with one
/// load instead of comparing thread ids with every loop of a group.
typedef struct ringio_loop_identity {
    uint64_t group;
    int64_t index;
} ringio_loop_identity;

/// The calling thread's loop identity.
ringio_loop_identity ringio_current_loop(void);

/// Sets the calling thread's loop identity (a loop thread, once, before it runs jobs).
void ringio_set_current_loop(uint64_t group, int64_t index);

/// The loop (an unretained `LoopCore`) whose thread this is, or NULL; set by the loop thread
/// itself, which keeps its core alive while it runs.
void *ringio_current_loop_core(void);

/// Sets what `ringio_current_loop_core` answers on this thread.
void ringio_set_current_loop_core(void *core);

/// The calling thread's errno (positive), for libc calls that set it.
int ringio_errno(void);

/// AT_EMPTY_PATH: statx of the descriptor itself (Glibc's module does not export it to Swift).
static const int RINGIO_AT_EMPTY_PATH = 0x1000;

/// FALLOC_FL_KEEP_SIZE from <linux/falloc.h>: allocate without changing the file's size.
static const int RINGIO_FALLOC_FL_KEEP_SIZE = 0x01;

/// A static empty C string (statx with AT_EMPTY_PATH; the kernel may read it after submission).
const char *ringio_empty_path(void);

/// O_DIRECT for this architecture (its value differs between x86-64 and arm64).
int ringio_o_direct(void);

/// O_DIRECTORY for this architecture.
int ringio_o_directory(void);

/// CLOCK_MONOTONIC in nanoseconds (vDSO; no syscall).
uint64_t ringio_monotonic_nanoseconds(void);

/// A spin-wait hint to the CPU (`pause` on x86, `yield` on arm64).
static inline void ringio_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
