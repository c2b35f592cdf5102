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
        // Safety: freed once, when withDescriptor has returned or thrown, by which time any STATX it submitted completed; nothing writes it later.
        defer { unsafe buffer.deallocate() }
        _ = try await withDescriptor(.stat, timeout: timeout) { _ in
            // Safety: the empty path is a static C string and the buffer outlives the operation; a
            // Swift "" literal would be a temporary the kernel could read after it is freed.
            unsafe .status(path: ringio_empty_path(), flags: RINGIO_AT_EMPTY_PATH, mask: FileStatus.mask, into: buffer)
        }
        // Safety: the stat succeeded (withDescriptor would have thrown), so the kernel (or helper's statx) filled *buffer; still allocated.
        return unsafe FileStatus(buffer.pointee)
    }

    /// Reports the status of the file at `path` without opening it (symbolic links are followed).
    ///
    /// - Parameters:
    ///   - path: absolute, or relative to `directory` (or to the current directory when nil).
    ///   - directory: an open directory relative paths start from.
    ///   - timeout: if set, the kernel cancels the operation when it takes longer (`.timedOut`).
    ///   - executor: the executor whose ring performs it.
    /// - Returns: the file's status.
    /// - Throws: `RingIOError` (ENOENT, EACCES, …).
    /// - Note: issues IORING_OP_STATX.
    public static func status(
        of path: String, relativeTo directory: File? = nil, timeout: Duration? = nil, on executor: RingExecutor
    ) async throws -> FileStatus {
        try await status(of: KernelPath(path), relativeTo: directory, timeout: timeout, on: executor)
    }

    /// The one implementation of `status(of:)`, for a `String` or a `FilePath`.
    static func status(
        of kernelPath: KernelPath, relativeTo directory: File?, timeout: Duration?, on executor: RingExecutor
    ) async throws -> FileStatus {
        let path = kernelPath.description
        let buffer = UnsafeMutablePointer<statx>.allocate(capacity: 1)
        // Safety: freed once, when withKernelPath has returned or thrown, by which time any STATX submitted completed; nothing writes it later.
        defer { unsafe buffer.deallocate() }
        // Safety: cPath and buffer stay allocated until perform returns, which is only after the STATX's completion.
        unsafe try await withKernelPath(kernelPath, .stat) { cPath in
            _ = try await executor.onLoop {
                let base = try directory?.openDescriptor(for: .stat) ?? AT_FDCWD
                return unsafe try await executor.door.perform(
                    IORequest(.status(path: cPath, flags: 0, mask: FileStatus.mask, into: buffer), fd: base),
                    .stat, path: path, timeout: timeout)
            }
        }
        // Safety: the stat succeeded (perform would have thrown), so the kernel (or helper's statx) filled *buffer; still allocated.
        return unsafe FileStatus(buffer.pointee)
    }

    /// Flushes the file's data and metadata to the device.
    ///
    /// - Throws: `RingIOError` (EIO, …), `CancellationError`.
    /// - Note: issues IORING_OP_FSYNC.
    public func sync(timeout: Duration? = nil) async throws {
        _ = try await withDescriptor(.sync, timeout: timeout) { _ in .sync(dataOnly: false) }
    }

    /// Flushes the file's data (and the metadata needed to read it back) to the device.
    ///
    /// - Throws: `RingIOError`, `CancellationError`.
    /// - Note: issues IORING_OP_FSYNC with IORING_FSYNC_DATASYNC.
    public func dataSync(timeout: Duration? = nil) async throws {
        _ = try await withDescriptor(.dataSync, timeout: timeout) { _ in .sync(dataOnly: true) }
    }

    /// Allocates disk space for `length` bytes from `offset`.
    ///
    /// - Parameters:
    ///   - offset: where the range starts (0 or more).
    ///   - length: how many bytes (more than 0).
    ///   - keepSize: if true, the file's size does not grow (FALLOC_FL_KEEP_SIZE).
    ///   - timeout: if set, the kernel cancels the operation when it takes longer (`.timedOut`).
    /// - Throws: `RingIOError` (ENOSPC, EOPNOTSUPP where the file system cannot, …).
    /// - Note: issues IORING_OP_FALLOCATE.
    public func allocate(at offset: Int64, length: Int64, keepSize: Bool = false, timeout: Duration? = nil) async throws {
        guard offset >= 0, length > 0, offset <= Int64.max - length else {
            throw RingIOError.invalidArgument(.allocate, path: path, fd: descriptor, "offset must be 0 or more and length more than 0 (got \(offset), \(length))")
        }
        let mode: Int32 = keepSize ? RINGIO_FALLOC_FL_KEEP_SIZE : 0
        _ = try await withDescriptor(.allocate, timeout: timeout) { _ in
            .allocate(mode: mode, offset: offset, length: length)
        }
    }

    /// Sets the file's size, cutting it or extending it with zeros.
    ///
    /// - Parameters:
    ///   - size: the new size (0 or more).
    ///   - timeout: if set, the kernel cancels the operation when it takes longer (`.timedOut`).
    /// - Throws: `RingIOError` (EINVAL for files not open for writing, …), `CancellationError`.
    /// - Note: issues IORING_OP_FTRUNCATE (Linux 6.9+); on older kernels a helper thread of the
    ///   executor runs ftruncate(2), so the ring's thread is never blocked (`timeout` then does not apply).
    public func truncate(to size: Int64, timeout: Duration? = nil) async throws {
        guard size >= 0 else {
            throw RingIOError.invalidArgument(.truncate, path: path, fd: descriptor, "The size must be 0 or more (got \(size))")
        }
        _ = try await withDescriptor(.truncate, timeout: timeout) { _ in .truncate(size: size) }
    }
}
