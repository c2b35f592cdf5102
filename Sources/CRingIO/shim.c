#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>

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
