import FileServerCore
import Glibc
import NIOCore
import _NIOFileSystem

/// Serves files through NIOFileSystem (`FileSystem.shared`), which runs each blocking system call
/// on NIO's thread pool — the comparison for `RingFileBackend`, with the same request logic.
///
/// `kind(of:)` is `FileSystem.info(forFileAt:)` (stat); `open(_:)` is `openFile(forReadingAt:)`,
/// then one `withUnsafeDescriptor` call on the thread pool for fstat and the containment check;
/// bodies use `ReadFileHandle.readChunks(in:chunkLength:)`.
public final class NIOFileBackend: FileBackend {
    /// The root's canonical path.
    let rootPath: String
    let settings: StreamSettings
    let stats: ServerStats
    let fileSystem: FileSystem

    public var name: String { "nio" }

    /// - Parameters:
    ///   - rootPath: the root's canonical path (see `Containment.realPath`).
    ///   - settings: chunk size (read-ahead and affinity do not apply: NIO's chunk stream buffers itself).
    ///   - stats: counters to update.
    public init(rootPath: String, settings: StreamSettings, stats: ServerStats, fileSystem: FileSystem = .shared) {
        self.rootPath = rootPath
        self.settings = settings
        self.stats = stats
        self.fileSystem = fileSystem
    }

    func fullPath(_ path: RequestPath) -> FilePath {
        FilePath(path.segments.isEmpty ? rootPath : rootPath + "/" + path.relative)
    }

    public func kind(of path: RequestPath) async throws(ServeError) -> FileMetadata.Kind {
        let info: FileInfo?
        do {
            info = try await fileSystem.info(forFileAt: fullPath(path), infoAboutSymbolicLink: false)
        } catch {
            throw Self.serveError(error)
        }
        guard let info else { throw ServeError.notFound }
        switch info.type {
        case .regular: return .regular
        case .directory: return .directory
        default: return .other
        }
    }

    public func open(_ path: RequestPath) async throws(ServeError) -> any OpenFile {
        let full = fullPath(path)
        let handle: ReadFileHandle
        do {
            handle = try await fileSystem.openFile(forReadingAt: full, options: .init())
        } catch {
            throw Self.serveError(error)
        }
        do {
            let root = rootPath
            let fullString = full.string
            let checked: (metadata: FileMetadata, inside: Bool)? = try await handle.withUnsafeDescriptor { fd in
                var raw = stat()
                guard fstat(fd.rawValue, &raw) == 0 else { return nil }
                return (FileMetadata(raw), Containment.descriptor(fd.rawValue, openedFrom: fullString, isInside: root))
            }
            guard let checked else { throw ServeError.failure("fstat failed on \(fullString)") }
            guard checked.metadata.kind == .regular else { throw ServeError.forbidden("not a regular file") }
            guard checked.inside else { throw ServeError.forbidden("the path leads outside the served directory") }
            return NIOOpenFile(handle: handle, metadata: checked.metadata, settings: settings, stats: stats)
        } catch {
            try? await handle.close()
            throw Self.serveError(error)
        }
    }

    /// None: NIOFileSystem does its own thread hopping.
    public var preferredExecutor: (any TaskExecutor)? { nil }

    public func statsFields() -> [(String, String)] { [] }

    public func shutdown() async {}

    /// Maps NIOFileSystem's errors to a `ServeError`.
    static func serveError(_ error: any Error) -> ServeError {
        switch error {
        case let error as ServeError: return error
        case let error as FileSystemError:
            switch error.code {
            case .notFound: return .notFound
            case .permissionDenied: return .forbidden("permission denied")
            case .invalidArgument: return .notFound  // e.g. a path component that is not a directory
            default:
                if let system = error.cause as? FileSystemError.SystemCallError {
                    return ServeError(errno: system.errno.rawValue, error.description)
                }
                return .failure(error.description)
            }
        default: return .failure(String(describing: error))
        }
    }
}

extension FileMetadata {
    /// Metadata from `fstat(2)`.
    init(_ raw: stat) {
        let kind: Kind
        switch raw.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        self.init(kind: kind, size: Int64(raw.st_size), modifiedSeconds: Int64(raw.st_mtim.tv_sec),
                  modifiedNanoseconds: Int64(raw.st_mtim.tv_nsec), inode: UInt64(raw.st_ino))
    }
}
