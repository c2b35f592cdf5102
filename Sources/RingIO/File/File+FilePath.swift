public import SystemPackage

/// swift-system `FilePath` overloads of every API that takes a path, on an executor and on a group.
///
/// A `FilePath` reaches the kernel byte for byte, so a file whose name is not valid UTF-8 (made
/// by another program, or restored from an old archive) is opened, stat'ed, renamed and removed
/// under its real name. Error messages and `File.path` spell such a name with its invalid bytes
/// repaired (U+FFFD); the operation itself never uses the repaired spelling.
extension File {
    /// The path the file was opened with, as a `FilePath` (for a name that was not valid UTF-8,
    /// its repaired spelling: keep the `FilePath` you opened it with to name it again).
    public var filePath: FilePath? { path.map { FilePath($0) } }

    /// Opens a file (as `open(_:relativeTo:mode:options:permissions:timeout:on:)` with a `String`).
    ///
    /// - Throws: `RingIOError` with the path and errno (ENOENT, EACCES, EISDIR, …).
    /// - Note: issues IORING_OP_OPENAT (and IORING_OP_STATX for `.direct`).
    public static func open(
        _ path: FilePath, relativeTo directory: File? = nil, mode: Mode = .readOnly, options: Options = [],
        permissions: UInt32 = 0o644, timeout: Duration? = nil, on executor: RingExecutor
    ) async throws -> File {
        try await open(
            KernelPath(path), relativeTo: directory, mode: mode, options: options, permissions: permissions,
            timeout: timeout, on: executor, group: nil)
    }

    /// Opens a file for every loop of `group` (as `open(_:relativeTo:mode:options:permissions:timeout:on:)`).
    ///
    /// - Throws: as the executor's `open`.
    /// - Note: issues IORING_OP_OPENAT on the caller's loop (or the next).
    public static func open(
        _ path: FilePath, relativeTo directory: File? = nil, mode: Mode = .readOnly, options: Options = [],
        permissions: UInt32 = 0o644, timeout: Duration? = nil, on group: RingExecutorGroup
    ) async throws -> File {
        try await open(
            KernelPath(path), relativeTo: directory, mode: mode, options: options, permissions: permissions,
            timeout: timeout, on: group.currentLoop ?? group.next(), group: group)
    }

    /// The status of the file at `path` (as `status(of:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EACCES, …).
    /// - Note: issues IORING_OP_STATX.
    public static func status(
        of path: FilePath, relativeTo directory: File? = nil, timeout: Duration? = nil, on executor: RingExecutor
    ) async throws -> FileStatus {
        try await status(of: KernelPath(path), relativeTo: directory, timeout: timeout, on: executor)
    }

    /// The status of the file at `path`, on the caller's loop of `group` (or the next).
    ///
    /// - Throws: as the executor's `status(of:)`.
    /// - Note: issues IORING_OP_STATX.
    public static func status(
        of path: FilePath, relativeTo directory: File? = nil, timeout: Duration? = nil, on group: RingExecutorGroup
    ) async throws -> FileStatus {
        try await status(of: KernelPath(path), relativeTo: directory, timeout: timeout, on: group.currentLoop ?? group.next())
    }

    /// Removes a file or an empty directory (as `remove(_:directory:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EISDIR, ENOTEMPTY, EACCES, …).
    /// - Note: issues IORING_OP_UNLINKAT.
    public static func remove(
        _ path: FilePath, directory: Bool = false, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await remove(KernelPath(path), directory: directory, relativeTo: base, timeout: timeout, on: executor)
    }

    /// Removes a file or an empty directory, on the caller's loop of `group` (or the next).
    ///
    /// - Throws: as the executor's `remove`.
    /// - Note: issues IORING_OP_UNLINKAT.
    public static func remove(
        _ path: FilePath, directory: Bool = false, relativeTo base: File? = nil, timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws {
        try await remove(KernelPath(path), directory: directory, relativeTo: base, timeout: timeout, on: group.currentLoop ?? group.next())
    }

    /// Renames `source` to `destination` (as `rename(_:to:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EXDEV, …).
    /// - Note: issues IORING_OP_RENAMEAT.
    public static func rename(
        _ source: FilePath, to destination: FilePath, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await rename(KernelPath(source), to: KernelPath(destination), relativeTo: base, timeout: timeout, on: executor)
    }

    /// Renames `source` to `destination`, on the caller's loop of `group` (or the next).
    ///
    /// - Throws: as the executor's `rename`.
    /// - Note: issues IORING_OP_RENAMEAT.
    public static func rename(
        _ source: FilePath, to destination: FilePath, relativeTo base: File? = nil, timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws {
        try await rename(
            KernelPath(source), to: KernelPath(destination), relativeTo: base, timeout: timeout, on: group.currentLoop ?? group.next())
    }

    /// Creates a directory (as `makeDirectory(_:permissions:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (EEXIST, ENOENT, …).
    /// - Note: issues IORING_OP_MKDIRAT.
    public static func makeDirectory(
        _ path: FilePath, permissions: UInt32 = 0o755, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await makeDirectory(KernelPath(path), permissions: permissions, relativeTo: base, timeout: timeout, on: executor)
    }

    /// Creates a directory, on the caller's loop of `group` (or the next).
    ///
    /// - Throws: as the executor's `makeDirectory`.
    /// - Note: issues IORING_OP_MKDIRAT.
    public static func makeDirectory(
        _ path: FilePath, permissions: UInt32 = 0o755, relativeTo base: File? = nil, timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws {
        try await makeDirectory(
            KernelPath(path), permissions: permissions, relativeTo: base, timeout: timeout, on: group.currentLoop ?? group.next())
    }
}
