internal import CRingIO
import Glibc

// Every operation here takes `timeout:`: an IORING_OP_LINK_TIMEOUT is linked to it, and on expiry
// it throws `RingIOError` `.timedOut` once the kernel has cancelled it (io_uring backend only).
extension File {
    /// Removes the file (or, with `directory: true`, the empty directory) at `path`.
    ///
    /// - Parameters:
    ///   - path: absolute, or relative to `base` (or to the current directory when nil).
    ///   - directory: remove a directory (AT_REMOVEDIR) instead of a file.
    ///   - base: an open directory relative paths start from.
    ///   - timeout: if set, the kernel cancels the operation when it takes longer (`.timedOut`).
    ///   - executor: the executor whose ring performs it.
    /// - Throws: `RingIOError` (ENOENT, EISDIR, ENOTEMPTY, EACCES, …).
    /// - Note: issues IORING_OP_UNLINKAT.
    public static func remove(
        _ path: String, directory: Bool = false, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await remove(KernelPath(path), directory: directory, relativeTo: base, timeout: timeout, on: executor)
    }

    /// The one implementation of `remove`, for a `String` or a `FilePath`.
    static func remove(
        _ kernelPath: KernelPath, directory: Bool, relativeTo base: File?, timeout: Duration?, on executor: RingExecutor
    ) async throws {
        let path = kernelPath.description
        let flags: Int32 = directory ? AT_REMOVEDIR : 0
        // Safety: cPath stays allocated until this closure returns, which is after perform has the UNLINKAT's completion.
        unsafe try await withKernelPath(kernelPath, .unlink) { cPath in
            _ = try await executor.onLoop {
                let dfd = try base?.openDescriptor(for: .unlink) ?? AT_FDCWD
                return unsafe try await executor.door.perform(
                    IORequest(.unlink(path: cPath, flags: flags), fd: dfd), .unlink, path: path, timeout: timeout)
            }
        }
    }

    /// Renames `source` to `destination`, replacing a file already there.
    ///
    /// - Parameters:
    ///   - source: the existing path.
    ///   - destination: the new path.
    ///   - base: an open directory both relative paths start from.
    ///   - timeout: if set, the kernel cancels the operation when it takes longer (`.timedOut`).
    ///   - executor: the executor whose ring performs it.
    /// - Throws: `RingIOError` (ENOENT, EXDEV across file systems, …) naming the source path.
    /// - Note: issues IORING_OP_RENAMEAT.
    public static func rename(
        _ source: String, to destination: String, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await rename(KernelPath(source), to: KernelPath(destination), relativeTo: base, timeout: timeout, on: executor)
    }

    /// The one implementation of `rename`, for `String`s or `FilePath`s.
    static func rename(
        _ kernelSource: KernelPath, to kernelDestination: KernelPath, relativeTo base: File?, timeout: Duration?,
        on executor: RingExecutor
    ) async throws {
        let source = kernelSource.description
        // Safety: both C strings stay allocated until their closures return, which is after perform has the RENAMEAT's completion.
        unsafe try await withKernelPath(kernelSource, .rename) { cSource in
            unsafe try await withKernelPath(kernelDestination, .rename) { cDestination in
                _ = try await executor.onLoop {
                    let dfd = try base?.openDescriptor(for: .rename) ?? AT_FDCWD
                    return unsafe try await executor.door.perform(
                        IORequest(.rename(from: cSource, to: cDestination), fd: dfd), .rename, path: source, timeout: timeout)
                }
            }
        }
    }

    /// Creates a directory at `path`.
    ///
    /// - Parameters:
    ///   - path: absolute, or relative to `base` (or to the current directory when nil).
    ///   - permissions: mode bits before the umask; default 0o755.
    ///   - base: an open directory relative paths start from.
    ///   - timeout: if set, the kernel cancels the operation when it takes longer (`.timedOut`).
    ///   - executor: the executor whose ring performs it.
    /// - Throws: `RingIOError` (EEXIST, ENOENT for a missing parent, …).
    /// - Note: issues IORING_OP_MKDIRAT.
    public static func makeDirectory(
        _ path: String, permissions: UInt32 = 0o755, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await makeDirectory(KernelPath(path), permissions: permissions, relativeTo: base, timeout: timeout, on: executor)
    }

    /// The one implementation of `makeDirectory`, for a `String` or a `FilePath`.
    static func makeDirectory(
        _ kernelPath: KernelPath, permissions: UInt32, relativeTo base: File?, timeout: Duration?, on executor: RingExecutor
    ) async throws {
        let path = kernelPath.description
        // Safety: cPath stays allocated until this closure returns, which is after perform has the MKDIRAT's completion.
        unsafe try await withKernelPath(kernelPath, .makeDirectory) { cPath in
            _ = try await executor.onLoop {
                let dfd = try base?.openDescriptor(for: .makeDirectory) ?? AT_FDCWD
                return unsafe try await executor.door.perform(
                    IORequest(.makeDirectory(path: cPath, permissions: permissions), fd: dfd),
                    .makeDirectory, path: path, timeout: timeout)
            }
        }
    }
}
