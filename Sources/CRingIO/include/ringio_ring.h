#ifndef RINGIO_RING_H
#define RINGIO_RING_H

// Ring helpers: what liburing offers only as macros or inline code Swift cannot import.
// Included by CRingIO.h after the system and liburing headers, which it orders.

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

/// IOSQE_FIXED_FILE (a macro over an enum, which Swift does not import).
static const uint8_t RINGIO_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;

/// IOSQE_IO_LINK (a macro over an enum, which Swift does not import).
static const uint8_t RINGIO_IOSQE_IO_LINK = IOSQE_IO_LINK;

/// IORING_OP_FTRUNCATE (kernel 6.9+; liburing 2.3 predates it).
#define RINGIO_OP_FTRUNCATE 55

/// True when the ring's kernel supports `opcode` (io_uring_get_probe_ring).
bool ringio_opcode_supported(struct io_uring *ring, int opcode);

/// IORING_REGISTER_CLONE_BUFFERS (kernel 6.12; liburing 2.3 predates it).
#define RINGIO_REGISTER_CLONE_BUFFERS 30

/// Clones the registered buffers of the ring whose descriptor is `source_ring_fd` into `ring`,
/// which must have none (IORING_REGISTER_CLONE_BUFFERS, kernel 6.12). The two rings then share
/// the same pinned pages: memory is pinned, and charged to RLIMIT_MEMLOCK, once.
///
/// Returns 0, or -errno: -EINVAL on kernels without the opcode, -EBUSY when `ring` already has
/// buffers, -EBADF when the source is not a ring.
int ringio_clone_buffers(struct io_uring *ring, int source_ring_fd);

/// Makes `ring` the calling loop thread's own (for `ringio_send_wake`); NULL before it closes.
void ringio_set_current_ring(struct io_uring *ring);

/// Wakes another loop's ring from the calling loop thread: an IORING_OP_MSG_RING on the thread's
/// own ring that posts a CQE with `target_data` on the ring `target_ring_fd`, submitted at once.
/// The sender gets no CQE on success (IOSQE_CQE_SKIP_SUCCESS); a failure arrives on the sender's
/// ring as a CQE with `failure_data`. Returns 0, or -ENXIO when the thread has no ring, -EBUSY
/// when its SQ is full, or the submission's negative errno: then nothing was sent.
int ringio_send_wake(int target_ring_fd, uint64_t target_data, uint64_t failure_data);

#endif
