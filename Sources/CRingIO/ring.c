// Ring helpers (see include/ringio_ring.h).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
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
