internal import CRingIO
import Glibc

// Every operation here takes `timeout:`: an IORING_OP_LINK_TIMEOUT is linked to it, and on expiry
// it throws `RingIOError` `.timedOut` once the kernel has cancelled it (io_uring backend only).
extension File {
    /// Reports the file's size, kind, times, permissions and O_DIRECT alignment.
    ///
    /// - Returns: the status of this open file.
    /// - Throws: `RingIOError` (EBADF, …), `CancellationError`.
    /// - Note: issues IORING_OP_STATX with AT_EMPTY_PATH.
    public func status(timeout: Duration? = nil) async throws -> FileStatus {
        let buffer = UnsafeMutablePointer<statx>.allocate(capacity: 1)
        defer { buffer.deallocate() }
        _ = try await withDescriptor(.stat, fixedFile: false, timeout: timeout) { fd, sqe in
            // Safety: the empty path is a static C string and the buffer outlives the operation; a
            // Swift "" literal would be a temporary the kernel could read after it is freed.
            io_uring_prep_statx(sqe, fd, ringio_empty_path(), 0x1000 /* AT_EMPTY_PATH */, FileStatus.mask, buffer)
        }
        return FileStatus(buffer.pointee)
    }

    /// Reports the status of the file at `path` without opening it (symbolic links are followed).
    ///
    /// - Parameters:
    ///   - path: absolute, or relative to `directory` (or to the current directory when nil).
    ///   - directory: an open directory relative paths start from.
    ///   - executor: the executor whose ring performs it.
    /// - Returns: the file's status.
    /// - Throws: `RingIOError` (ENOENT, EACCES, …).
    /// - Note: issues IORING_OP_STATX.
    public static func status(
        of path: String, relativeTo directory: File? = nil, timeout: Duration? = nil, on executor: RingExecutor
    ) async throws -> FileStatus {
        let buffer = UnsafeMutablePointer<statx>.allocate(capacity: 1)
        defer { buffer.deallocate() }
        try await withKernelPath(path, .stat) { cPath in
            _ = try await executor.onLoop {
                let base = try directory?.openDescriptor(for: .stat) ?? AT_FDCWD
                return try await executor.core.perform(.stat, path: path, timeout: timeout) { sqe in
                    io_uring_prep_statx(sqe, base, cPath, 0, FileStatus.mask, buffer)
                }
            }
        }
        return FileStatus(buffer.pointee)
    }

    /// Flushes the file's data and metadata to the device.
    ///
    /// - Throws: `RingIOError` (EIO, …), `CancellationError`.
    /// - Note: issues IORING_OP_FSYNC.
    public func sync(timeout: Duration? = nil) async throws {
        _ = try await withDescriptor(.sync, timeout: timeout) { fd, sqe in io_uring_prep_fsync(sqe, fd, 0) }
    }

    /// Flushes the file's data (and the metadata needed to read it back) to the device.
    ///
    /// - Throws: `RingIOError`, `CancellationError`.
    /// - Note: issues IORING_OP_FSYNC with IORING_FSYNC_DATASYNC.
    public func dataSync(timeout: Duration? = nil) async throws {
        _ = try await withDescriptor(.dataSync, timeout: timeout) { fd, sqe in
            io_uring_prep_fsync(sqe, fd, UInt32(IORING_FSYNC_DATASYNC))
        }
    }

    /// Allocates disk space for `length` bytes from `offset`.
    ///
    /// - Parameters:
    ///   - offset: where the range starts (0 or more).
    ///   - length: how many bytes (more than 0).
    ///   - keepSize: if true, the file's size does not grow (FALLOC_FL_KEEP_SIZE).
    /// - Throws: `RingIOError` (ENOSPC, EOPNOTSUPP where the file system cannot, …).
    /// - Note: issues IORING_OP_FALLOCATE.
    public func allocate(at offset: Int64, length: Int64, keepSize: Bool = false, timeout: Duration? = nil) async throws {
        guard offset >= 0, length > 0, offset <= Int64.max - length else {
            throw RingIOError.invalidArgument(.allocate, path: path, fd: descriptor, "offset must be 0 or more and length more than 0 (got \(offset), \(length))")
        }
        let mode: Int32 = keepSize ? 0x01 : 0  // FALLOC_FL_KEEP_SIZE
        _ = try await withDescriptor(.allocate, timeout: timeout) { fd, sqe in
            io_uring_prep_fallocate(sqe, fd, mode, off_t(offset), off_t(length))
        }
    }

    /// Sets the file's size, cutting it or extending it with zeros.
    ///
    /// - Parameter size: the new size (0 or more).
    /// - Throws: `RingIOError` (EINVAL for files not open for writing, …), `CancellationError`.
    /// - Note: issues IORING_OP_FTRUNCATE (Linux 6.9+); on older kernels runs ftruncate(2) on the
    ///   global concurrent executor so the ring's thread is never blocked (`timeout` then does not apply).
    public func truncate(to size: Int64, timeout: Duration? = nil) async throws {
        guard size >= 0 else {
            throw RingIOError.invalidArgument(.truncate, path: path, fd: descriptor, "The size must be 0 or more (got \(size))")
        }
        if executor.core.supportsFtruncate {
            _ = try await withDescriptor(.truncate, timeout: timeout) { fd, sqe in
                io_uring_prep_rw(RINGIO_OP_FTRUNCATE, sqe, fd, nil, 0, UInt64(size))
            }
        } else {
            let fd = try openDescriptor(for: .truncate)
            // Not on the ring's thread: prefer the global executor for the blocking call. (The
            // preference matters: a plain @concurrent function would run on the ring executor
            // whenever the calling task prefers it.)
            let result = await withTaskExecutorPreference(globalConcurrentExecutor) { @concurrent in
                ftruncate(fd, off_t(size)) == 0 ? Int32(0) : -ringio_errno()
            }
            if result < 0 { throw RingIOError.fromResult(result, operation: .truncate, path: path, fd: fd) }
        }
    }
}
