#ifndef CRINGIO_SHIM_H
#define CRINGIO_SHIM_H

// liburing.h defines _XOPEN_SOURCE/_GNU_SOURCE before it includes glibc headers, which makes
// its fd_set clash with the one SwiftGlibc already imported. Pull the system headers in first.
#include <sys/select.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdbool.h>
#include <stdint.h>
// liburing ships its own copy of <linux/io_uring.h> (same include guard, slightly different field
// types), while swift-system's CSystem module (used by NIOFileSystem and Hummingbird) includes the
// kernel's. A Swift module that loads both C modules then fails to compile: clang sees two
// different definitions of `struct io_uring_sqe`. Including the kernel's header first makes
// liburing use it too, so both modules share one definition. Only when the installed kernel
// headers are at least as new as the kernel the installed liburing was made for: older ones may
// lack what it needs. (liburing 2.3 has no version header; 2.4 added io_uring_version.h. A
// liburing newer than this table keeps its own copy, and with it the clash.)
#include <linux/version.h>
#if __has_include(<liburing/io_uring_version.h>)
#include <liburing/io_uring_version.h>
#endif
#if !defined(IO_URING_VERSION_MAJOR)
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 1, 0)   /* liburing 2.3 and older */
#elif IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR == 4
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 3, 0)
#elif IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR == 5
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 7, 0)
#elif IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR == 6
#define RINGIO_LIBURING_KERNEL KERNEL_VERSION(6, 9, 0)
#endif
#if defined(RINGIO_LIBURING_KERNEL) && defined(LINUX_VERSION_CODE) && LINUX_VERSION_CODE >= RINGIO_LIBURING_KERNEL
#include <linux/io_uring.h>
#endif
#include <liburing.h>

/// One completion copied out of the CQ ring.
typedef struct ringio_completion {
    uint64_t user_data;
    int32_t res;
    uint32_t flags;
} ringio_completion;

/// Copies up to `max` ready completions into `out` and advances the CQ past them.
///
/// Wraps `io_uring_for_each_cqe`, a macro Swift cannot import. Returns how many were copied.
unsigned ringio_reap(struct io_uring *ring, ringio_completion *out, unsigned max);

/// True when the kernel holds completions in its overflow list (CQ ring was full).
static inline bool ringio_cq_overflowed(const struct io_uring *ring) {
    return io_uring_cq_has_overflow(ring);
}

/// Number of SQEs prepared but not yet handed to the kernel.
static inline unsigned ringio_sq_pending(const struct io_uring *ring) {
    return ring->sq.sqe_tail - ring->sq.sqe_head;
}

/// The soft RLIMIT_MEMLOCK in bytes; RLIM_INFINITY when unlimited.
unsigned long long ringio_memlock_limit(void);

/// Sets RLIMIT_MEMLOCK's soft limit (tests); returns 0 or -errno.
int ringio_set_memlock_limit(unsigned long long bytes);

/// Names the calling thread (shown by top/ps/gdb).
void ringio_set_thread_name(const char *name);

/// A cancellation hook: `fn(core, user_data)` runs when the task that installed it is cancelled.
typedef struct ringio_cancel_hook {
    void (*fn)(void *core, uint64_t user_data);
    void *core;
    uint64_t user_data;
} ringio_cancel_hook;

/// Installs `hook` as a cancellation handler of the current Swift task; returns the record for removal.
///
/// Calls the Swift runtime's `swift_task_addCancellationHandler` (what `withTaskCancellationHandler`
/// uses) so no async closure, and so no executor hop, is involved. `hook` must stay valid until removed.
/// Runs `hook` at once if the task is already cancelled.
void *ringio_add_cancel_hook(ringio_cancel_hook *hook);

/// Removes a hook installed by `ringio_add_cancel_hook`.
void ringio_remove_cancel_hook(void *record);

/// Whether the current Swift task is cancelled (false outside a task).
///
/// `swift_task_getCurrent` + `swift_task_isCancelled`, what `Task.isCancelled` does, without the
/// retain and release of the task that `Task.checkCancellation()` costs on every I/O.
bool ringio_current_task_is_cancelled(void);

/// What an open descriptor is, for the File layer (bits of `ringio_classify_descriptor`).
enum {
    /// Reads and writes end on their own: a regular file on a file system backed by a block
    /// device (ext4, xfs, … on a disk), or a block device. Not: network, FUSE and virtual file
    /// systems (NFS, sshfs, procfs, tracefs, tmpfs, overlayfs), pipes, sockets, character devices.
    RINGIO_TRANSFERS_END_ON_THEIR_OWN = 1,
    /// No offsets: a pipe, socket, terminal or other character device, or a file lseek refuses
    /// (ESPIPE). Its reads must not overlap.
    RINGIO_STREAM = 2,
};

/// Classifies `fd` without waiting on a device or a server: statx with AT_STATX_DONT_SYNC (cached
/// attributes only, so no network round trip) for the file type and the device of its file
/// system, and lseek(SEEK_CUR) for ESPIPE. When statx fails, the answer is the cautious one
/// (a stream whose transfers may not end).
int ringio_classify_descriptor(int fd);

/// The calling thread's errno (positive), for libc calls that set it.
int ringio_errno(void);

/// IOSQE_FIXED_FILE (a macro over an enum, which Swift does not import).
static const uint8_t RINGIO_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;

/// IOSQE_IO_LINK (a macro over an enum, which Swift does not import).
static const uint8_t RINGIO_IOSQE_IO_LINK = IOSQE_IO_LINK;

/// AT_EMPTY_PATH: statx of the descriptor itself (Glibc's module does not export it to Swift).
static const int RINGIO_AT_EMPTY_PATH = 0x1000;

/// FALLOC_FL_KEEP_SIZE from <linux/falloc.h>: allocate without changing the file's size.
static const int RINGIO_FALLOC_FL_KEEP_SIZE = 0x01;

/// IORING_OP_FTRUNCATE (kernel 6.9+; liburing 2.3 predates it).
#define RINGIO_OP_FTRUNCATE 55

/// True when the ring's kernel supports `opcode` (io_uring_get_probe_ring).
bool ringio_opcode_supported(struct io_uring *ring, int opcode);

/// Performs the request an SQE describes with the equivalent blocking syscall (pread, pwrite,
/// openat, statx, …) on the calling thread: the thread-pool backend used where io_uring is not
/// available. Returns what the CQE's `res` would be: the result, or -errno. IOSQE_FIXED_FILE,
/// links and cancellation are not supported (-EOPNOTSUPP for unknown opcodes).
int ringio_execute_sqe(const struct io_uring_sqe *sqe);

/// A static empty C string (statx with AT_EMPTY_PATH; the kernel may read it after submission).
const char *ringio_empty_path(void);

/// O_DIRECT for this architecture (its value differs between x86-64 and arm64).
int ringio_o_direct(void);

/// O_DIRECTORY for this architecture.
int ringio_o_directory(void);

#endif
