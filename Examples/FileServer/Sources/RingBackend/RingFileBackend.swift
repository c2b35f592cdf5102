import FileServerCore
internal import RingIO

/// Serves files through RingIO: every statx, openat, READ_FIXED and close goes through the ring.
///
/// The root directory is opened once (`File.open(…, options: .directory)`) and every path is opened
/// relative to it (`openat`). `kind(of:)` is an IORING_OP_STATX on the path; `open(_:)` is
/// IORING_OP_OPENAT, then IORING_OP_STATX on the descriptor, then the containment check.
final class RingFileBackend: FileBackend {
    /// The executor, or for a group its first loop (whose `buffers` is the group's pool).
    let executor: RingExecutor
    /// With `--loops`: the group; files are opened on it, so each request's I/O runs on its loop.
    let group: RingExecutorGroup?
    /// The root directory, open for `relativeTo:`.
    let root: File
    /// The root's canonical path.
    let rootPath: String
    let settings: StreamSettings
    let stats: ServerStats

    var name: String { "ringio" }

    /// Opens the root directory through the ring.
    ///
    /// - Throws: `RingIOError` when the root cannot be opened as a directory.
    init(rootPath: String, settings: StreamSettings, stats: ServerStats, executor: RingExecutor) async throws {
        self.executor = executor
        self.group = nil
        self.rootPath = rootPath
        self.settings = settings
        self.stats = stats
        self.root = try await File.open(rootPath, options: .directory, on: executor)
    }

    /// Opens the root directory on `group` (relative opens then work from every loop).
    init(rootPath: String, settings: StreamSettings, stats: ServerStats, group: RingExecutorGroup) async throws {
        self.executor = group.loops[0]
        self.group = group
        self.rootPath = rootPath
        self.settings = settings
        self.stats = stats
        self.root = try await File.open(rootPath, options: .directory, on: group)
    }

    /// Whether the calling task runs on the ring thread (on one of the group's loops).
    private var onTheRing: Bool {
        if let group { return group.currentLoop != nil }
        return executor.isIsolatingCurrentContext() == true
    }

    func kind(of path: RequestPath) async throws(ServeError) -> FileMetadata.Kind {
        // The first call of every request: debug builds (the tests) check that `--affinity request`
        // really put the handler on the ring thread.
        assert(settings.affinity != .request || onTheRing,
               "--affinity request: the handler is not on the ring thread")
        assert(settings.affinity != .global || onTheRing,
               "--affinity global: the handler is not on a loop of the installed group")
        do {
            let status = if let group {
                try await File.status(of: path.relative, relativeTo: root, on: group)
            } else {
                try await File.status(of: path.relative, relativeTo: root, on: executor)
            }
            return FileMetadata.Kind(status.kind)
        } catch {
            throw Self.serveError(error)
        }
    }

    func open(_ path: RequestPath) async throws(ServeError) -> any OpenFile {
        let file: File
        do {
            file = if let group {
                try await File.open(path.relative, relativeTo: root, on: group)
            } else {
                try await File.open(path.relative, relativeTo: root, on: executor)
            }
        } catch {
            throw Self.serveError(error)
        }
        do {
            let status = try await file.status()
            guard status.kind == .regular else { throw ServeError.forbidden("not a regular file") }
            guard let fd = file.descriptor,
                  Containment.descriptor(fd, openedFrom: rootPath + "/" + path.relative, isInside: rootPath)
            else { throw ServeError.forbidden("the path leads outside the served directory") }
            return RingOpenFile(file: file, metadata: FileMetadata(status), settings: settings, stats: stats)
        } catch {
            try? await file.close()
            throw Self.serveError(error)
        }
    }

    var preferredExecutor: (any TaskExecutor)? {
        guard settings.affinity == .request else { return nil }
        if let group { return group }
        return executor
    }

    func statsFields() -> [(String, String)] {
        [("poolBuffers", String(executor.buffers.count)),
         ("poolAvailable", String(executor.buffers.available)),
         ("fixedBuffers", String(executor.buffers.isRegistered))]
    }

    func shutdown() async {
        try? await root.close()
        if let group { await group.shutdown() } else { await executor.shutdown() }
    }

    /// Maps RingIO's errors (by errno) and anything else to a `ServeError`.
    static func serveError(_ error: any Error) -> ServeError {
        switch error {
        case let error as ServeError: return error
        case let error as RingIOError:
            guard let errno = error.errno else { return .failure(error.description) }
            return ServeError(errno: errno.rawValue, error.description)
        case is CancellationError: return .failure("cancelled")
        default: return .failure(String(describing: error))
        }
    }
}

extension FileMetadata {
    /// Metadata from RingIO's statx result.
    init(_ status: FileStatus) {
        self.init(kind: Kind(status.kind), size: status.size, modifiedSeconds: status.modified.seconds,
                  modifiedNanoseconds: Int64(status.modified.nanoseconds), inode: status.inode)
    }
}

extension FileMetadata.Kind {
    /// The kind from RingIO's `FileStatus.Kind`.
    init(_ kind: FileStatus.Kind) {
        switch kind {
        case .regular: self = .regular
        case .directory: self = .directory
        default: self = .other
        }
    }
}
