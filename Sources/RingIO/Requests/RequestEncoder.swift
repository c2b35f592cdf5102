internal import CRingIO

/// Turns an `IORequest` into SQEs: the only place that decides between a fixed and a plain
/// buffer, the registered file and the raw descriptor, and that links a timeout.
///
/// Each backend holds one, made at setup from what it has: the io_uring backend with the pool's
/// registration and its file table, the thread-pool backend with neither (its blocking syscalls
/// take raw descriptors and any memory).
struct RequestEncoder {
    /// The pool's buffers are registered: leased reads and writes use READ_FIXED / WRITE_FIXED.
    let fixedBuffers: Bool
    /// Registered-file slots are valid here: requests that accept one name their file by slot.
    let registeredFiles: Bool

    /// Fills in `sqe` for `request` and tags it with `userData`.
    @inline(__always)
    func encode(_ request: IORequest, userData: UInt64, into sqe: UnsafeMutablePointer<io_uring_sqe>) {
        let fd = request.fd
        switch request.kind {
        case .nop:
            // Safety: sqe is a writable SQE (the ring's next free one, or the caller's local); a NOP carries no pointer.
            unsafe io_uring_prep_nop(sqe)
        case let .read(address, length, offset, index):
            if fixedBuffers && index >= 0 {
                // Safety: stores the address only; the lease stays valid until completion, and the kernel checks it lies in registered buffer index.
                unsafe io_uring_prep_read_fixed(sqe, fd, address, length, offset, index)
            } else {
                // Safety: stores the address only; its owner keeps length bytes there valid until the completion (IORequest).
                unsafe io_uring_prep_read(sqe, fd, address, length, offset)
            }
        case let .write(address, length, offset, index):
            if fixedBuffers && index >= 0 {
                // Safety: as for read_fixed: the lease outlives the operation, and the kernel checks the range against registered buffer index.
                unsafe io_uring_prep_write_fixed(sqe, fd, address, length, offset, index)
            } else {
                // Safety: as for read: the owner keeps length bytes at address valid until the completion.
                unsafe io_uring_prep_write(sqe, fd, address, length, offset)
            }
        case let .readVectored(iovecs, count, offset):
            // Safety: stores the iovec array's address; its builder keeps the array and the buffers it names valid until completion.
            unsafe io_uring_prep_readv(sqe, fd, iovecs, count, offset)
        case let .writeVectored(iovecs, count, offset):
            unsafe io_uring_prep_writev(sqe, fd, iovecs, count, offset)
        case let .open(path, flags, permissions):
            // Safety: path is a NUL-terminated string its builder keeps alive until completion (the kernel may read it after submission).
            unsafe io_uring_prep_openat(sqe, fd, path, flags, permissions)
        case .close:
            // Safety: CLOSE carries no pointer, only the descriptor.
            unsafe io_uring_prep_close(sqe, fd)
        case let .status(path, flags, mask, buffer):
            // Safety: path and the statx buffer are kept valid by the request's builder until the completion has written it.
            unsafe io_uring_prep_statx(sqe, fd, path, flags, mask, buffer)
        case let .sync(dataOnly):
            // Safety: FSYNC, FALLOCATE and FTRUNCATE carry no pointer (FTRUNCATE: nil address, length 0, the size in the offset).
            unsafe io_uring_prep_fsync(sqe, fd, dataOnly ? UInt32(IORING_FSYNC_DATASYNC) : 0)
        case let .allocate(mode, offset, length):
            unsafe io_uring_prep_fallocate(sqe, fd, mode, off_t(offset), off_t(length))
        case let .truncate(size):
            unsafe io_uring_prep_rw(RINGIO_OP_FTRUNCATE, sqe, fd, nil, 0, UInt64(size))
        case let .unlink(path, flags):
            // Safety: the paths are NUL-terminated strings their builder keeps alive until completion (the kernel may read them later).
            unsafe io_uring_prep_unlinkat(sqe, fd, path, flags)
        case let .rename(source, destination):
            unsafe io_uring_prep_renameat(sqe, fd, source, fd, destination, 0)
        case let .makeDirectory(path, permissions):
            unsafe io_uring_prep_mkdirat(sqe, fd, path, permissions)
        }
        if registeredFiles && request.fileSlot >= 0 && request.acceptsRegisteredFile {
            // Safety: sqe is a writable SQE; fileSlot is an index into the registered-file table (the kernel rejects a bad one with EBADF).
            unsafe sqe.pointee.fd = request.fileSlot
            unsafe sqe.pointee.flags |= RINGIO_IOSQE_FIXED_FILE
        }
        // Safety: sqe is a writable SQE (the caller's contract); user_data is a plain integer.
        unsafe io_uring_sqe_set_data64(sqe, userData)
    }

    /// Encodes `request` into the ring's next SQE, followed by a linked IORING_OP_LINK_TIMEOUT
    /// when `timeout` is set (the kernel then cancels the request when the time is up).
    ///
    /// - Parameters:
    ///   - timeoutStorage: where the timespec lives until the request completes (the kernel
    ///     reads it at submission); the in-flight slot's.
    /// - Throws: `RingIOError` when the submission queue has no room (EBUSY) or its flush fails.
    @inline(__always)
    func encode(
        _ request: IORequest, userData: UInt64, timeout: Duration?,
        timeoutStorage: UnsafeMutablePointer<__kernel_timespec>, on ring: Ring
    ) throws(RingIOError) {
        guard let timeout else {
            // Safety: nextSQE returns the ring's next free SQE, filled at once, before anything else takes or submits SQEs.
            unsafe encode(request, userData: userData, into: try ring.nextSQE())
            return
        }
        // The operation and its timeout must reach the kernel in the same submission.
        try ring.reserve(2)
        // Safety: after reserve(2) neither nextSQE call flushes, so sqe stays the unsubmitted SQE it points to while it is written.
        let sqe = unsafe try ring.nextSQE()
        unsafe encode(request, userData: userData, into: sqe)
        unsafe sqe.pointee.flags |= RINGIO_IOSQE_IO_LINK
        // Zero or less (either component may be negative then) expires at once: a 0 timespec.
        let (seconds, attoseconds) = timeout > .zero ? timeout.components : (0, 0)
        // Safety: timeoutStorage is the held in-flight slot's timespec (initialized by the table), valid until the operation completes.
        unsafe timeoutStorage.pointee = __kernel_timespec(tv_sec: seconds, tv_nsec: attoseconds / 1_000_000_000)
        // Safety: the kernel reads the timespec when it takes this SQE (this turn's submit); the slot keeps it valid until after completion.
        let timer = unsafe try ring.nextSQE()
        unsafe io_uring_prep_link_timeout(timer, timeoutStorage, 0)
        unsafe io_uring_sqe_set_data64(timer, UserData.linkTimeout)
    }
}
