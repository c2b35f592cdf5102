#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "CRingIO.h"
#include <linux/falloc.h>

// The header spells these out (Swift's Glibc module does not export them); check they match.
_Static_assert(RINGIO_AT_EMPTY_PATH == AT_EMPTY_PATH, "AT_EMPTY_PATH");
_Static_assert(RINGIO_FALLOC_FL_KEEP_SIZE == FALLOC_FL_KEEP_SIZE, "FALLOC_FL_KEEP_SIZE");

int ringio_classify_descriptor(int fd) {
    struct statx st;
    if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &st) != 0) {
        return RINGIO_STREAM;
    }
    unsigned kind = st.stx_mode & S_IFMT;
    if (kind != S_IFREG && kind != S_IFBLK) {
        return RINGIO_STREAM;
    }
    if (lseek(fd, 0, SEEK_CUR) < 0 && errno == ESPIPE) {
        return RINGIO_STREAM;  // e.g. tracefs trace_pipe: a regular file without offsets
    }
    // Device major 0 is an anonymous device: a network, FUSE or virtual file system (and tmpfs,
    // overlayfs, btrfs), whose reads may wait on something other than a disk. Keep those cancellable.
    if (kind == S_IFBLK || st.stx_dev_major != 0) {
        return RINGIO_TRANSFERS_END_ON_THEIR_OWN;
    }
    return 0;
}

unsigned ringio_reap(struct io_uring *ring, ringio_completion *out, unsigned max) {
    unsigned head;
    unsigned n = 0;
    struct io_uring_cqe *cqe;
    io_uring_for_each_cqe(ring, head, cqe) {
        if (n == max) {
            break;
        }
        out[n].user_data = cqe->user_data;
        out[n].res = cqe->res;
        out[n].flags = cqe->flags;
        n++;
    }
    if (n > 0) {
        io_uring_cq_advance(ring, n);
    }
    return n;
}

#include "CRingIO.h"
int ringio_errno(void) {
    return errno;
}

bool ringio_opcode_supported(struct io_uring *ring, int opcode) {
    struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
    if (probe == NULL) {
        return false;
    }
    bool supported = io_uring_opcode_supported(probe, opcode);
    io_uring_free_probe(probe);
    return supported;
}

const char *ringio_empty_path(void) {
    static const char empty[] = "";
    return empty;
}

int ringio_o_direct(void) {
    return O_DIRECT;
}

int ringio_o_directory(void) {
    return O_DIRECTORY;
}

unsigned long long ringio_memlock_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) {
        return RLIM_INFINITY;
    }
    return limit.rlim_cur;
}

int ringio_set_memlock_limit(unsigned long long bytes) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) {
        return -errno;
    }
    limit.rlim_cur = bytes;
    return setrlimit(RLIMIT_MEMLOCK, &limit) == 0 ? 0 : -errno;
}

void ringio_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

// The Swift runtime's cancellation-handler entry points (libswift_Concurrency, swiftcall ABI).
typedef __attribute__((swiftcall)) void (*ringio_swift_handler)(void *__attribute__((swift_context)));
extern __attribute__((swiftcall)) void *swift_task_addCancellationHandler(ringio_swift_handler handler, void *context);
extern __attribute__((swiftcall)) void swift_task_removeCancellationHandler(void *record);

static __attribute__((swiftcall)) void ringio_cancel_trampoline(void *__attribute__((swift_context)) context) {
    ringio_cancel_hook *hook = (ringio_cancel_hook *)context;
    hook->fn(hook->core, hook->user_data);
}

void *ringio_add_cancel_hook(ringio_cancel_hook *hook) {
    return swift_task_addCancellationHandler(ringio_cancel_trampoline, hook);
}

void ringio_remove_cancel_hook(void *record) {
    swift_task_removeCancellationHandler(record);
}

extern __attribute__((swiftcall)) void *swift_task_getCurrent(void);
extern __attribute__((swiftcall)) bool swift_task_isCancelled(void *task);

bool ringio_current_task_is_cancelled(void) {
    void *task = swift_task_getCurrent();
    return task != NULL && swift_task_isCancelled(task);
}

static int ringio_result(long value) {
    return value < 0 ? -errno : (int)value;
}

int ringio_execute_sqe(const struct io_uring_sqe *sqe) {
    long r;
    void *addr = (void *)(uintptr_t)sqe->addr;
    switch (sqe->opcode) {
    case IORING_OP_NOP:
        return 0;
    // Like io_uring, the offset is ignored for pipes, sockets and other streams (ESPIPE).
    case IORING_OP_READ:
    case IORING_OP_READ_FIXED:
        do { r = pread(sqe->fd, addr, sqe->len, (off_t)sqe->off); } while (r < 0 && errno == EINTR);
        if (r < 0 && errno == ESPIPE) {
            do { r = read(sqe->fd, addr, sqe->len); } while (r < 0 && errno == EINTR);
        }
        return ringio_result(r);
    case IORING_OP_WRITE:
    case IORING_OP_WRITE_FIXED:
        do { r = pwrite(sqe->fd, addr, sqe->len, (off_t)sqe->off); } while (r < 0 && errno == EINTR);
        if (r < 0 && errno == ESPIPE) {
            do { r = write(sqe->fd, addr, sqe->len); } while (r < 0 && errno == EINTR);
        }
        return ringio_result(r);
    case IORING_OP_READV:
        do { r = preadv(sqe->fd, (const struct iovec *)addr, (int)sqe->len, (off_t)sqe->off); } while (r < 0 && errno == EINTR);
        if (r < 0 && errno == ESPIPE) {
            do { r = readv(sqe->fd, (const struct iovec *)addr, (int)sqe->len); } while (r < 0 && errno == EINTR);
        }
        return ringio_result(r);
    case IORING_OP_WRITEV:
        do { r = pwritev(sqe->fd, (const struct iovec *)addr, (int)sqe->len, (off_t)sqe->off); } while (r < 0 && errno == EINTR);
        if (r < 0 && errno == ESPIPE) {
            do { r = writev(sqe->fd, (const struct iovec *)addr, (int)sqe->len); } while (r < 0 && errno == EINTR);
        }
        return ringio_result(r);
    case IORING_OP_OPENAT:
        return ringio_result(openat(sqe->fd, (const char *)addr, (int)sqe->open_flags, (mode_t)sqe->len));
    case IORING_OP_CLOSE:
        return ringio_result(close(sqe->fd));
    case IORING_OP_STATX:
        return ringio_result(statx(sqe->fd, (const char *)addr, (int)sqe->statx_flags, sqe->len,
                                   (struct statx *)(uintptr_t)sqe->addr2));
    case IORING_OP_FSYNC:
        return ringio_result((sqe->fsync_flags & IORING_FSYNC_DATASYNC) ? fdatasync(sqe->fd) : fsync(sqe->fd));
    case IORING_OP_FALLOCATE:
        return ringio_result(fallocate(sqe->fd, (int)sqe->len, (off_t)sqe->off, (off_t)sqe->addr));
    case RINGIO_OP_FTRUNCATE:
        return ringio_result(ftruncate(sqe->fd, (off_t)sqe->off));
    case IORING_OP_UNLINKAT:
        return ringio_result(unlinkat(sqe->fd, (const char *)addr, (int)sqe->unlink_flags));
    case IORING_OP_RENAMEAT:
        return ringio_result(renameat2(sqe->fd, (const char *)addr, (int)sqe->len,
                                       (const char *)(uintptr_t)sqe->addr2, sqe->rename_flags));
    case IORING_OP_MKDIRAT:
        return ringio_result(mkdirat(sqe->fd, (const char *)addr, (mode_t)sqe->len));
    default:
        return -EOPNOTSUPP;
    }
}
