// bare-uring: the floor for any io_uring runtime — a plain C loop over liburing with registered
// buffers and a registered file, keeping a fixed number of READ_FIXED / WRITE_FIXED in flight.
// One of the systems of Benchmarks/compare.
//
//   bare-uring --workload randread|directread|seqread|randwrite --file PATH
//              [--qd N] [--seconds S] [--warmup S]
//
// Completions are reaped in batches and every request they free is resubmitted in one
// io_uring_enter (io_uring_submit_and_wait), the batching RingIO's loop does too. The clock is read
// once per batch: requests prepared in a batch share a submit time, completions reaped in a batch
// share a completion time. Operations submitted inside the measured window count; latency goes into
// a log-linear histogram (about 0.1% resolution). Prints one JSON object with the same fields as
// the Swift workers (CompareSupport.Report).
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
#include <sys/resource.h>
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

static void usage(void) {
    fprintf(stderr, "usage: bare-uring --workload randread|directread|seqread|randwrite --file PATH [--qd N] [--seconds S] [--warmup S]\n");
    exit(2);
}

// Log-linear latency histogram: exact below 1024 ns, then 512 sub-buckets per power of two.
#define HIST_BUCKETS (1024 + 64 * 512)
static uint64_t histogram[HIST_BUCKETS];

static unsigned bucket_of(uint64_t v) {
    if (v < 1024) return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - 9;
    return 1024u + (shift - 1) * 512u + (unsigned)((v >> shift) - 512);
}

static uint64_t bucket_high(unsigned b) {
    if (b < 1024) return b;
    unsigned shift = (b - 1024) / 512 + 1;
    uint64_t mantissa = (b - 1024) % 512 + 512;
    return ((mantissa + 1) << shift) - 1;
}

static uint64_t percentile(uint64_t total, double p) {
    uint64_t want = (uint64_t)((p / 100.0) * (double)total + 0.5), seen = 0;
    if (want == 0) want = 1;
    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        seen += histogram[b];
        if (seen >= want) return bucket_high(b);
    }
    return 0;
}

static double cpu_seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char **argv) {
    const char *path = NULL, *workload = "randread";
    unsigned qd = 32;
    double seconds = 3, warmup = 0.5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--file") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--workload") && i + 1 < argc) workload = argv[++i];
        else if (!strcmp(argv[i], "--qd") && i + 1 < argc) qd = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atof(argv[++i]);
        else if (!strcmp(argv[i], "--system") && i + 1 < argc) i++; /* accepted for symmetry: always bare-uring */
        else usage();
    }
    int write_op = !strcmp(workload, "randwrite");
    int direct = !strcmp(workload, "directread");
    int sequential = !strcmp(workload, "seqread");
    if (!write_op && !direct && !sequential && strcmp(workload, "randread")) usage();
    if (!path || qd < 1 || qd > 4096 || seconds <= 0 || warmup < 0) usage();
    unsigned bs = sequential ? 128 * 1024 : 4096;

    int fd = open(path, (write_op ? O_RDWR : O_RDONLY) | O_CLOEXEC | (direct ? O_DIRECT : 0));
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
    char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) die("mmap", errno);
    for (size_t i = 0; i < bytes; i++) memory[i] = (char)i;
    struct iovec *iov = calloc(qd, sizeof *iov);
    uint64_t *submitted_at = calloc(qd, sizeof *submitted_at);
    if (!iov || !submitted_at) die("calloc", ENOMEM);
    for (unsigned i = 0; i < qd; i++) { iov[i].iov_base = memory + (size_t)i * bs; iov[i].iov_len = bs; }
    if ((r = io_uring_register_buffers(&ring, iov, qd)) < 0) die("io_uring_register_buffers", -r);
    if ((r = io_uring_register_files(&ring, &fd, 1)) < 0) die("io_uring_register_files", -r);

    uint64_t state = 0x9E3779B97F4A7C15ull, cursor = 0;
    uint64_t start = now_ns() + (uint64_t)(warmup * 1e9), end = start + (uint64_t)(seconds * 1e9);
    uint64_t ops = 0;
    struct rusage usage_start, usage_end;
    int started = 0, running = 1;

#define PREP(slot, time) do { \
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring); \
        uint64_t offset = (sequential ? (cursor++ % blocks) : (xorshift(&state) % blocks)) * bs; \
        if (write_op) io_uring_prep_write_fixed(sqe, 0, iov[slot].iov_base, bs, offset, (int)(slot)); \
        else io_uring_prep_read_fixed(sqe, 0, iov[slot].iov_base, bs, offset, (int)(slot)); \
        sqe->flags |= IOSQE_FIXED_FILE; \
        io_uring_sqe_set_data64(sqe, slot); \
        submitted_at[slot] = (time); \
    } while (0)

    uint64_t now = now_ns();
    for (unsigned i = 0; i < qd; i++) PREP(i, now);
    unsigned inflight = qd;
    while (inflight > 0) {
        if ((r = io_uring_submit_and_wait(&ring, 1)) < 0 && r != -EINTR) die("io_uring_submit_and_wait", -r);
        now = now_ns();
        if (!started && now >= start) { getrusage(RUSAGE_SELF, &usage_start); started = 1; }
        if (running && now >= end) { getrusage(RUSAGE_SELF, &usage_end); running = 0; }
        unsigned head, seen = 0;
        struct io_uring_cqe *cqe;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            if (cqe->res != (int)bs) die(write_op ? "write" : "read", cqe->res < 0 ? -cqe->res : EIO);
            unsigned slot = (unsigned)cqe->user_data;
            if (submitted_at[slot] >= start && submitted_at[slot] < end) {
                ops++;
                histogram[bucket_of(now - submitted_at[slot])]++;
            }
            if (running) PREP(slot, now);
            else inflight--;
        }
        io_uring_cq_advance(&ring, seen);
    }
    double window = (double)(end - start) / 1e9;
    double user = cpu_seconds(usage_end.ru_utime) - cpu_seconds(usage_start.ru_utime);
    double sys = cpu_seconds(usage_end.ru_stime) - cpu_seconds(usage_start.ru_stime);
    printf("{\"system\": \"bare-uring\", \"workload\": \"%s\", \"depth\": %u, \"block_size\": %u, \"ops\": %llu, "
           "\"bytes\": %llu, \"seconds\": %.6f, \"iops\": %.1f, \"cpu_user_s\": %.6f, \"cpu_sys_s\": %.6f, "
           "\"lat_p50_ns\": %llu, \"lat_p99_ns\": %llu, \"lat_p999_ns\": %llu, "
           "\"note\": \"C liburing loop, %s, registered file, batched submit\"}\n",
           workload, qd, bs, (unsigned long long)ops, (unsigned long long)ops * bs, window, (double)ops / window,
           user, sys, (unsigned long long)percentile(ops, 50), (unsigned long long)percentile(ops, 99),
           (unsigned long long)percentile(ops, 99.9), write_op ? "WRITE_FIXED" : "READ_FIXED");
    io_uring_queue_exit(&ring);
    return 0;
}
