// Blocking execution for the thread-pool backend (see include/ringio_blocking.h).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "CRingIO.h"

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
