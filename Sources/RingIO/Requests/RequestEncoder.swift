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
            unsafe io_uring_prep_nop(sqe)
        case let .read(address, length, offset, index):
            if fixedBuffers && index >= 0 {
                unsafe io_uring_prep_read_fixed(sqe, fd, address, length, offset, index)
            } else {
                unsafe io_uring_prep_read(sqe, fd, address, length, offset)
            }
        case let .write(address, length, offset, index):
            if fixedBuffers && index >= 0 {
                unsafe io_uring_prep_write_fixed(sqe, fd, address, length, offset, index)
            } else {
                unsafe io_uring_prep_write(sqe, fd, address, length, offset)
            }
        case let .readVectored(iovecs, count, offset):
            unsafe io_uring_prep_readv(sqe, fd, iovecs, count, offset)
        case let .writeVectored(iovecs, count, offset):
            unsafe io_uring_prep_writev(sqe, fd, iovecs, count, offset)
        case let .open(path, flags, permissions):
            unsafe io_uring_prep_openat(sqe, fd, path, flags, permissions)
        case .close:
            unsafe io_uring_prep_close(sqe, fd)
        case let .status(path, flags, mask, buffer):
            unsafe io_uring_prep_statx(sqe, fd, path, flags, mask, buffer)
        case let .sync(dataOnly):
            unsafe io_uring_prep_fsync(sqe, fd, dataOnly ? UInt32(IORING_FSYNC_DATASYNC) : 0)
        case let .allocate(mode, offset, length):
            unsafe io_uring_prep_fallocate(sqe, fd, mode, off_t(offset), off_t(length))
        case let .truncate(size):
            unsafe io_uring_prep_rw(RINGIO_OP_FTRUNCATE, sqe, fd, nil, 0, UInt64(size))
        case let .unlink(path, flags):
            unsafe io_uring_prep_unlinkat(sqe, fd, path, flags)
        case let .rename(source, destination):
            unsafe io_uring_prep_renameat(sqe, fd, source, fd, destination, 0)
        case let .makeDirectory(path, permissions):
            unsafe io_uring_prep_mkdirat(sqe, fd, path, permissions)
        }
        if registeredFiles && request.fileSlot >= 0 && request.acceptsRegisteredFile {
            unsafe sqe.pointee.fd = request.fileSlot
            unsafe sqe.pointee.flags |= RINGIO_IOSQE_FIXED_FILE
        }
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
            unsafe encode(request, userData: userData, into: try ring.nextSQE())
            return
        }
        // The operation and its timeout must reach the kernel in the same submission.
        try ring.reserve(2)
        let sqe = unsafe try ring.nextSQE()
        unsafe encode(request, userData: userData, into: sqe)
        unsafe sqe.pointee.flags |= RINGIO_IOSQE_IO_LINK
        let (seconds, attoseconds) = timeout.components
        unsafe timeoutStorage.pointee = __kernel_timespec(
            tv_sec: max(0, seconds), tv_nsec: seconds < 0 ? 0 : attoseconds / 1_000_000_000)
        let timer = unsafe try ring.nextSQE()
        unsafe io_uring_prep_link_timeout(timer, timeoutStorage, 0)
        unsafe io_uring_sqe_set_data64(timer, UserData.linkTimeout)
    }
}
