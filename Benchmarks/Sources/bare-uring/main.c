// bare-uring: the floor for any io_uring runtime — a plain C loop over liburing with registered
// buffers and a registered file, doing 4 KiB random READ_FIXED at a fixed queue depth.
//
//   bare-uring --file PATH [--qd N] [--seconds S] [--bs BYTES] [--direct]
//
// Prints one line: iops=<n> ops=<n> seconds=<s>. Completions are reaped in batches and every
// request they free is resubmitted in one io_uring_enter, the same batching RingIO's loop does.
#define _GNU_SOURCE
#include <sys/select.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t xorshift(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void die(const char *what, int err) {
    fprintf(stderr, "bare-uring: %s: %s\n", what, strerror(err));
    exit(1);
}

int main(int argc, char **argv) {
    const char *path = NULL;
    unsigned qd = 32, bs = 4096;
    double seconds = 5;
    int direct = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--file") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--qd") && i + 1 < argc) qd = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--bs") && i + 1 < argc) bs = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--direct")) direct = 1;
        else { fprintf(stderr, "usage: bare-uring --file PATH [--qd N] [--seconds S] [--bs BYTES] [--direct]\n"); return 2; }
    }
    if (!path || qd < 1 || qd > 4096 || bs < 512 || seconds <= 0) {
        fprintf(stderr, "usage: bare-uring --file PATH [--qd N] [--seconds S] [--bs BYTES] [--direct]\n");
        return 2;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
    if (fd < 0) die(path, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) die("fstat", errno);
    uint64_t blocks = (uint64_t)st.st_size / bs;
    if (blocks == 0) die("file smaller than one block", EINVAL);

    struct io_uring ring;
    struct io_uring_params params;
    unsigned flag_sets[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN,
        IORING_SETUP_COOP_TASKRUN, 0,
    };
    int r = -EINVAL;
    for (unsigned i = 0; i < 3 && r == -EINVAL; i++) {
        memset(&params, 0, sizeof params);
        params.flags = flag_sets[i];
        r = io_uring_queue_init_params(qd * 2 < 8 ? 8 : qd * 2, &ring, &params);
    }
    if (r < 0) die("io_uring_queue_init_params", -r);

    size_t bytes = (size_t)qd * bs;
    void *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) die("mmap", errno);
    struct iovec *iov = calloc(qd, sizeof *iov);
    for (unsigned i = 0; i < qd; i++) { iov[i].iov_base = (char *)memory + (size_t)i * bs; iov[i].iov_len = bs; }
    if ((r = io_uring_register_buffers(&ring, iov, qd)) < 0) die("io_uring_register_buffers", -r);
    if ((r = io_uring_register_files(&ring, &fd, 1)) < 0) die("io_uring_register_files", -r);

    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (unsigned i = 0; i < qd; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_read_fixed(sqe, 0, iov[i].iov_base, bs, (xorshift(&state) % blocks) * bs, (int)i);
        sqe->flags |= IOSQE_FIXED_FILE;
        io_uring_sqe_set_data64(sqe, i);
    }
    uint64_t ops = 0;
    uint64_t start = now_ns(), deadline = start + (uint64_t)(seconds * 1e9);
    int running = 1;
    unsigned inflight = qd;
    while (inflight > 0) {
        if ((r = io_uring_submit_and_wait(&ring, 1)) < 0 && r != -EINTR) die("io_uring_submit_and_wait", -r);
        unsigned head, seen = 0;
        struct io_uring_cqe *cqe;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            if (cqe->res != (int)bs) die("read", cqe->res < 0 ? -cqe->res : EIO);
            ops++;
            unsigned slot = (unsigned)cqe->user_data;
            if (running) {
                struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
                io_uring_prep_read_fixed(sqe, 0, iov[slot].iov_base, bs, (xorshift(&state) % blocks) * bs, (int)slot);
                sqe->flags |= IOSQE_FIXED_FILE;
                io_uring_sqe_set_data64(sqe, slot);
            } else {
                inflight--;
            }
        }
        io_uring_cq_advance(&ring, seen);
        if (running && (ops & 63) < seen + 1 && now_ns() >= deadline) running = 0;
    }
    double elapsed = (double)(now_ns() - start) / 1e9;
    printf("iops=%.0f ops=%llu seconds=%.3f\n", (double)ops / elapsed, (unsigned long long)ops, elapsed);
    io_uring_queue_exit(&ring);
    return 0;
}
