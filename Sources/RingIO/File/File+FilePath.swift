public import SystemPackage

/// swift-system `FilePath` overloads of every API that takes a path, on an executor and on a group.
///
/// RingIO passes paths to the kernel as UTF-8: a `FilePath` whose bytes are not valid UTF-8 is
/// refused with `.invalidArgument` (EINVAL) before any I/O, never opened under a repaired name.
extension File {
    /// The path the file was opened with, as a `FilePath`.
    public var filePath: FilePath? { path.map { FilePath($0) } }

    /// Opens a file (as `open(_:relativeTo:mode:options:permissions:timeout:on:)` with a `String`).
    ///
    /// - Throws: `RingIOError` with the path and errno (ENOENT, EACCES, EISDIR, …); `.invalidArgument`
    ///   for a path that is not valid UTF-8.
    /// - Note: issues IORING_OP_OPENAT (and IORING_OP_STATX for `.direct`).
    public static func open(
        _ path: FilePath, relativeTo directory: File? = nil, mode: Mode = .readOnly, options: Options = [],
        permissions: UInt32 = 0o644, timeout: Duration? = nil, on executor: RingExecutor
    ) async throws -> File {
        try await open(
            try utf8(path, .open), relativeTo: directory, mode: mode, options: options, permissions: permissions,
            timeout: timeout, on: executor)
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
            try utf8(path, .open), relativeTo: directory, mode: mode, options: options, permissions: permissions,
            timeout: timeout, on: group)
    }

    /// The status of the file at `path` (as `status(of:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EACCES, …; `.invalidArgument` for a path that is not UTF-8).
    /// - Note: issues IORING_OP_STATX.
    public static func status(
        of path: FilePath, relativeTo directory: File? = nil, timeout: Duration? = nil, on executor: RingExecutor
    ) async throws -> FileStatus {
        try await status(of: try utf8(path, .stat), relativeTo: directory, timeout: timeout, on: executor)
    }

    /// The status of the file at `path`, on the caller's loop of `group` (or the next).
    ///
    /// - Throws: as the executor's `status(of:)`.
    /// - Note: issues IORING_OP_STATX.
    public static func status(
        of path: FilePath, relativeTo directory: File? = nil, timeout: Duration? = nil, on group: RingExecutorGroup
    ) async throws -> FileStatus {
        try await status(of: try utf8(path, .stat), relativeTo: directory, timeout: timeout, on: group)
    }

    /// Removes a file or an empty directory (as `remove(_:directory:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EISDIR, ENOTEMPTY, EACCES, …; `.invalidArgument` for a path that is not UTF-8).
    /// - Note: issues IORING_OP_UNLINKAT.
    public static func remove(
        _ path: FilePath, directory: Bool = false, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await remove(try utf8(path, .unlink), directory: directory, relativeTo: base, timeout: timeout, on: executor)
    }

    /// Removes a file or an empty directory, on the caller's loop of `group` (or the next).
    ///
    /// - Throws: as the executor's `remove`.
    /// - Note: issues IORING_OP_UNLINKAT.
    public static func remove(
        _ path: FilePath, directory: Bool = false, relativeTo base: File? = nil, timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws {
        try await remove(try utf8(path, .unlink), directory: directory, relativeTo: base, timeout: timeout, on: group)
    }

    /// Renames `source` to `destination` (as `rename(_:to:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EXDEV, …; `.invalidArgument` for a path that is not UTF-8).
    /// - Note: issues IORING_OP_RENAMEAT.
    public static func rename(
        _ source: FilePath, to destination: FilePath, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await rename(
            try utf8(source, .rename), to: try utf8(destination, .rename), relativeTo: base, timeout: timeout, on: executor)
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
            try utf8(source, .rename), to: try utf8(destination, .rename), relativeTo: base, timeout: timeout, on: group)
    }

    /// Creates a directory (as `makeDirectory(_:permissions:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (EEXIST, ENOENT, …; `.invalidArgument` for a path that is not UTF-8).
    /// - Note: issues IORING_OP_MKDIRAT.
    public static func makeDirectory(
        _ path: FilePath, permissions: UInt32 = 0o755, relativeTo base: File? = nil, timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws {
        try await makeDirectory(
            try utf8(path, .makeDirectory), permissions: permissions, relativeTo: base, timeout: timeout, on: executor)
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
            try utf8(path, .makeDirectory), permissions: permissions, relativeTo: base, timeout: timeout, on: group)
    }

    /// `path` as the UTF-8 string RingIO hands the kernel, or `.invalidArgument` naming it.
    private static func utf8(_ path: FilePath, _ operation: Operation) throws(RingIOError) -> String {
        guard let string = String(validating: path) else {
            throw .invalidArgument(
                operation, path: path.description,
                "The path is not valid UTF-8; RingIO passes paths to the kernel as UTF-8, so it cannot name this file exactly")
        }
        return string
    }
}
