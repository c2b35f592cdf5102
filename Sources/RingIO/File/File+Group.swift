/// Path operations on a group: each runs on the caller's loop when it is one of the group's,
/// else on the next loop in round-robin order.
extension File {
    /// The status of the file at `path` (as `status(of:relativeTo:timeout:on:)` with an executor).
    ///
    /// - Throws: `RingIOError` (ENOENT, EACCES, …).
    /// - Note: issues IORING_OP_STATX.
    public static func status(
        of path: String, relativeTo directory: File? = nil, timeout: Duration? = nil, on group: RingExecutorGroup
    ) async throws -> FileStatus {
        try await status(of: path, relativeTo: directory, timeout: timeout, on: group.currentLoop ?? group.next())
    }

    /// Removes a file or an empty directory (as `remove(_:directory:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EISDIR, ENOTEMPTY, EACCES, …).
    /// - Note: issues IORING_OP_UNLINKAT.
    public static func remove(
        _ path: String, directory: Bool = false, relativeTo base: File? = nil, timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws {
        try await remove(path, directory: directory, relativeTo: base, timeout: timeout, on: group.currentLoop ?? group.next())
    }

    /// Renames `source` to `destination` (as `rename(_:to:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (ENOENT, EXDEV across file systems, …) naming the source path.
    /// - Note: issues IORING_OP_RENAMEAT.
    public static func rename(
        _ source: String, to destination: String, relativeTo base: File? = nil, timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws {
        try await rename(source, to: destination, relativeTo: base, timeout: timeout, on: group.currentLoop ?? group.next())
    }

    /// Creates a directory (as `makeDirectory(_:permissions:relativeTo:timeout:on:)`).
    ///
    /// - Throws: `RingIOError` (EEXIST, ENOENT for a missing parent, …).
    /// - Note: issues IORING_OP_MKDIRAT.
    public static func makeDirectory(
        _ path: String, permissions: UInt32 = 0o755, relativeTo base: File? = nil, timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws {
        try await makeDirectory(path, permissions: permissions, relativeTo: base, timeout: timeout, on: group.currentLoop ?? group.next())
    }
}
