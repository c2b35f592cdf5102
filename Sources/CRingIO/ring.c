// Ring helpers (see include/ringio_ring.h).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "CRingIO.h"

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

bool ringio_opcode_supported(struct io_uring *ring, int opcode) {
    struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
    if (probe == NULL) {
        return false;
    }
    bool supported = io_uring_opcode_supported(probe, opcode);
    io_uring_free_probe(probe);
    return supported;
}

/// The kernel's struct io_uring_clone_buffers (6.12; 6.13 named three of the padding words
/// src_off, dst_off and nr, whose 0 means "the whole table"). Same size, same layout.
struct ringio_clone_buffers_arg {
    uint32_t src_fd;
    uint32_t flags;
    uint32_t pad[6];
};
_Static_assert(sizeof(struct ringio_clone_buffers_arg) == 32, "struct io_uring_clone_buffers is 32 bytes");

int ringio_clone_buffers(struct io_uring *ring, int source_ring_fd) {
    struct ringio_clone_buffers_arg arg = {0};
    arg.src_fd = (uint32_t)source_ring_fd;
    long result = syscall(__NR_io_uring_register, ring->ring_fd, RINGIO_REGISTER_CLONE_BUFFERS, &arg, 1);
    return result < 0 ? -errno : (int)result;
}

static _Thread_local struct io_uring *current_ring;

void ringio_set_current_ring(struct io_uring *ring) {
    current_ring = ring;
}

int ringio_send_wake(int target_ring_fd, uint64_t target_data, uint64_t failure_data) {
    struct io_uring *ring = current_ring;
    if (ring == NULL) return -ENXIO;
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (sqe == NULL) return -EBUSY;
    io_uring_prep_msg_ring(sqe, target_ring_fd, 0, target_data, 0);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(sqe, failure_data);
    int submitted = io_uring_submit(ring);
    return submitted < 0 ? submitted : 0;
}
