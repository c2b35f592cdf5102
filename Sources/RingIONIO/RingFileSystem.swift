public import RingIO
public import SystemPackage

/// An entry point shaped like NIOFileSystem's `FileSystem`, so that code written for it moves to
/// RingIO with a few changed lines: `withFileHandle(forReadingAt:)`, `info(forFileAt:)`, and on
/// the handle (a RingIO `File`) `readToEnd(maximumSizeAllowed:)` and `readChunks(in:chunkLength:)`.
///
/// ```swift
/// let fileSystem = RingFileSystem(group: group)          // was: FileSystem.shared
/// let bytes = try await fileSystem.withFileHandle(forReadingAt: "/data/a.bin") { handle in
///     try await handle.readToEnd(maximumSizeAllowed: .mebibytes(4))   // a ByteBuffer
/// }
/// ```
public struct RingFileSystem: Sendable {
    private enum Target: Sendable {
        case executor(RingExecutor)
        case group(RingExecutorGroup)
    }

    private let target: Target

    /// File system calls through one executor's ring.
    public init(executor: RingExecutor) { target = .executor(executor) }

    /// File system calls through a group: each on the caller's loop (or the next).
    public init(group: RingExecutorGroup) { target = .group(group) }

    /// Opens the file at `path` for reading, runs `body` with it, and closes it (also when `body` throws).
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - body: what to do with the open file.
    /// - Returns: what `body` returns.
    /// - Throws: `RingIOError` from opening (ENOENT, EACCES, …) or closing; what `body` throws.
    /// - Note: issues IORING_OP_OPENAT, then IORING_OP_CLOSE.
    public func withFileHandle<Result>(
        forReadingAt path: FilePath, _ body: (File) async throws -> Result
    ) async throws -> Result {
        try await with(try await open(path, mode: .readOnly, options: []), body)
    }

    /// Opens (creating it if needed, emptied when `truncate`) the file at `path` for writing,
    /// runs `body` with it, and closes it.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - truncate: empty an existing file first; default false.
    ///   - permissions: mode bits of a created file; default 0o644.
    ///   - body: what to do with the open file.
    /// - Returns: what `body` returns.
    /// - Throws: `RingIOError` from opening or closing; what `body` throws.
    /// - Note: issues IORING_OP_OPENAT, then IORING_OP_CLOSE.
    public func withFileHandle<Result>(
        forWritingAt path: FilePath, truncate: Bool = false, permissions: UInt32 = 0o644,
        _ body: (File) async throws -> Result
    ) async throws -> Result {
        let options: File.Options = truncate ? [.create, .truncate] : [.create]
        return try await with(try await open(path, mode: .writeOnly, options: options, permissions: permissions), body)
    }

    /// The status of the file at `path`, or nil when nothing exists there (as NIOFileSystem's `info(forFileAt:)`).
    ///
    /// - Parameter path: the file (symbolic links are followed).
    /// - Returns: its status, or nil for ENOENT.
    /// - Throws: other `RingIOError`s (EACCES, ENOTDIR, …).
    /// - Note: issues IORING_OP_STATX.
    public func info(forFileAt path: FilePath) async throws -> FileStatus? {
        do {
            switch target {
            case .executor(let executor): return try await File.status(of: path, on: executor)
            case .group(let group): return try await File.status(of: path, on: group)
            }
        } catch let error as RingIOError where error.errno == .noSuchFileOrDirectory {
            return nil
        }
    }

    private func open(_ path: FilePath, mode: File.Mode, options: File.Options, permissions: UInt32 = 0o644) async throws -> File {
        switch target {
        case .executor(let executor): try await File.open(path, mode: mode, options: options, permissions: permissions, on: executor)
        case .group(let group): try await File.open(path, mode: mode, options: options, permissions: permissions, on: group)
        }
    }

    private func with<Result>(_ file: File, _ body: (File) async throws -> Result) async throws -> Result {
        let result: Result
        do {
            result = try await body(file)
        } catch {
            try? await file.close()
            throw error
        }
        try await file.close()
        return result
    }
}
