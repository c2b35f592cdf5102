// wakeup: what waking another loop blocked in io_uring_enter costs, by mechanism, side by side.
//
//     swift build -c release --package-path Benchmarks --product wakeup
//     Benchmarks/.build/release/wakeup [round trips] [rounds] [same-cpu|two-cpus|unpinned]
//
// Two threads, each with its own ring set up as a RingIO loop's (SINGLE_ISSUER, DEFER_TASKRUN,
// COOP_TASKRUN, SUBMIT_ALL), play ping-pong: each blocks in io_uring_submit_and_wait(1) until the
// other wakes it, then wakes the other. A round trip is two wake-ups. Mechanisms:
//   eventfd   what RingIO's mailbox does: the sleeper keeps a read of its eventfd pending on its
//             ring (re-armed after each wake-up), the waker write()s 8 bytes to that eventfd;
//   msg_ring  IORING_OP_MSG_RING: the waker submits, on its own ring, a message that posts a CQE
//             on the sleeper's ring (IOSQE_CQE_SKIP_SUCCESS, so the waker gets no CQE of its own).
// Rounds alternate the mechanisms; percentiles are over every round trip of every round.
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum { WAKE_TAG = 1, MESSAGE_TAG = 2 };
enum mechanism { EVENTFD, MSG_RING };

struct side {
    struct io_uring ring;
    int eventfd;
    uint64_t buffer;
    int cpu;
};

static struct side sides[2];
static enum mechanism mechanism;
static int round_trips;
static int64_t *samples;
static pthread_barrier_t start_barrier;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *what, int error) {
    fprintf(stderr, "wakeup: %s: %s\n", what, strerror(error < 0 ? -error : error));
    exit(1);
}

static void arm_read(struct side *self) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);
    io_uring_prep_read(sqe, self->eventfd, &self->buffer, 8, 0);
    io_uring_sqe_set_data64(sqe, WAKE_TAG);
}

static void wake(struct side *self, struct side *other) {
    if (mechanism == EVENTFD) {
        uint64_t one = 1;
        if (write(other->eventfd, &one, 8) != 8) die("write eventfd", errno);
    } else {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);
        io_uring_prep_msg_ring(sqe, other->ring.ring_fd, 0, MESSAGE_TAG, 0);
        sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data64(sqe, 99);
        int submitted = io_uring_submit(&self->ring);
        if (submitted < 0) die("submit msg_ring", submitted);
    }
}

/// Blocks until the other side's wake-up arrives (re-arming the eventfd read when it was that).
static void wait_for_wake(struct side *self) {
    for (;;) {
        struct io_uring_cqe *cqe;
        int result = io_uring_submit_and_wait(&self->ring, 1);
        if (result < 0 && result != -EINTR) die("submit_and_wait", result);
        while (io_uring_peek_cqe(&self->ring, &cqe) == 0) {
            uint64_t tag = cqe->user_data;
            int res = cqe->res;
            io_uring_cqe_seen(&self->ring, cqe);
            if (res < 0) die("completion", res);
            if (tag == WAKE_TAG) {
                arm_read(self);
                return;
            }
            if (tag == MESSAGE_TAG) return;
        }
    }
}

static void *run(void *argument) {
    int index = (int)(intptr_t)argument;
    struct side *self = &sides[index], *other = &sides[1 - index];
    if (self->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(self->cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    }
    // SINGLE_ISSUER: the ring belongs to the thread that sets it up.
    struct io_uring_params params = {0};
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL;
    int result = io_uring_queue_init_params(64, &self->ring, &params);
    if (result < 0) die("io_uring_queue_init_params", result);
    self->eventfd = eventfd(0, EFD_CLOEXEC);
    if (self->eventfd < 0) die("eventfd", errno);
    arm_read(self);
    io_uring_submit(&self->ring);
    pthread_barrier_wait(&start_barrier);
    for (int trip = 0; trip < round_trips; trip++) {
        if (index == 0) {
            int64_t start = now_ns();
            wake(self, other);
            wait_for_wake(self);
            samples[trip] = now_ns() - start;
        } else {
            wait_for_wake(self);
            wake(self, other);
        }
    }
    pthread_barrier_wait(&start_barrier);  // both done before either ring goes
    io_uring_queue_exit(&self->ring);
    close(self->eventfd);
    return NULL;
}

static int compare(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile(int64_t *sorted, int count, double p) {
    int index = (int)(count * p);
    if (index >= count) index = count - 1;
    return sorted[index] / 1000.0;
}

int main(int argc, char **argv) {
    round_trips = argc > 1 ? atoi(argv[1]) : 20000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    const char *placement = argc > 3 ? argv[3] : "two-cpus";
    int cpus[2] = {-1, -1};
    if (strcmp(placement, "same-cpu") == 0) {
        cpus[0] = cpus[1] = 0;
    } else if (strcmp(placement, "two-cpus") == 0) {
        cpus[0] = 0;
        cpus[1] = 1;
    } else if (strcmp(placement, "unpinned") != 0) {
        fprintf(stderr, "usage: wakeup [round trips] [rounds] [same-cpu|two-cpus|unpinned]\n");
        return 2;
    }
    int total = round_trips * rounds;
    int64_t *all[2] = {malloc(sizeof(int64_t) * total), malloc(sizeof(int64_t) * total)};
    samples = malloc(sizeof(int64_t) * round_trips);
    for (int round = 0; round < rounds; round++) {
        for (int pass = 0; pass < 2; pass++) {
            mechanism = (round + pass) % 2 == 0 ? EVENTFD : MSG_RING;
            sides[0].cpu = cpus[0];
            sides[1].cpu = cpus[1];
            pthread_barrier_init(&start_barrier, NULL, 2);
            pthread_t threads[2];
            for (intptr_t i = 0; i < 2; i++) pthread_create(&threads[i], NULL, run, (void *)i);
            for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
            pthread_barrier_destroy(&start_barrier);
            memcpy(all[mechanism] + round * round_trips, samples, sizeof(int64_t) * round_trips);
        }
    }
    printf("%d rounds x %d round trips (two wake-ups each), threads %s; us per round trip\n", rounds, round_trips, placement);
    printf("mechanism      p50      p90      p99   p50 / eventfd\n");
    double anchor = 0;
    const char *names[2] = {"eventfd", "msg_ring"};
    for (int m = 0; m < 2; m++) {
        qsort(all[m], total, sizeof(int64_t), compare);
        double p50 = percentile(all[m], total, 0.5);
        if (m == 0) anchor = p50;
        printf("%-10s %8.2f %8.2f %8.2f %10.2f\n", names[m], p50, percentile(all[m], total, 0.9), percentile(all[m], total, 0.99), p50 / anchor);
    }
    return 0;
}
