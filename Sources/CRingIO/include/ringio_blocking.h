#ifndef RINGIO_BLOCKING_H
#define RINGIO_BLOCKING_H

// Blocking execution for the thread-pool backend: an SQE performed with the equivalent syscall.
// Included by CRingIO.h after the system and liburing headers, which it orders.

/// Performs the request an SQE describes with the equivalent blocking syscall (pread, pwrite,
/// openat, statx, …) on the calling thread: the thread-pool backend used where io_uring is not
/// available. Returns what the CQE's `res` would be: the result, or -errno. IOSQE_FIXED_FILE,
/// links and cancellation are not supported (-EOPNOTSUPP for unknown opcodes).
int ringio_execute_sqe(const struct io_uring_sqe *sqe);

#endif
