public import Hummingbird
import NIOCore
internal import RingIO
internal import RingIONIO
import FileServerCore

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Hummingbird's `FileProvider` on RingIO: plug it into the stock `FileMiddleware` and every
/// statx, openat, read and close of the files it serves goes through the ring (the reads as
/// READ_FIXED into registered buffers, each chunk copied once into the `ByteBuffer` written out).
///
/// ```swift
/// let provider = try await ringService.fileProvider()
/// router.add(middleware: FileMiddleware(fileProvider: provider))
/// ```
///
/// It is the drop-in counterpart of Hummingbird's `LocalFileSystem` (NIOFileSystem on a thread
/// pool): same identifiers (the request path under the root), same attributes, and, like it, it
/// answers 404 for a file it cannot stat or open. Paths are opened relative to the root directory
/// (`openat` on its descriptor); `FileMiddleware` itself refuses paths containing `..`. Unlike
/// `LocalFileSystem`, which follows a symbolic link wherever it leads, a file whose opened
/// descriptor lies outside the root is not found (`Containment`): links that stay inside are served.
///
/// Requests run fastest when Hummingbird's tasks prefer the ring (`--affinity server`, or the
/// group as the global executor): each call then runs inline on the ring thread instead of
/// hopping to it and back.
public struct RingFileProvider: FileProvider {
    /// What `FileMiddleware` needs to know about a file: from one IORING_OP_STATX.
    public struct FileAttributes: Sendable, FileMiddlewareFileAttributes {
        /// Whether the path is a directory.
        public let isFolder: Bool
        /// The file's size in bytes.
        public let size: Int
        /// The file's last data modification.
        public let modificationDate: Date
    }

    /// The path from the request, relative to the root ("." for the root itself).
    public typealias FileIdentifier = String

    /// Where files are opened: the executor, or a group (each request then does its I/O on the
    /// loop its task runs on).
    enum Place: Sendable {
        case executor(RingExecutor)
        case group(RingExecutorGroup)
    }

    let place: Place
    /// The served directory, open for relative opens.
    let root: File
    /// The root's canonical path, for the containment check.
    let rootPath: String
    /// Bytes per read; at most the pool's buffer size.
    let chunkLength: Int

    init(place: Place, root: File, rootPath: String, chunkLength: Int) {
        self.place = place
        self.root = root
        self.rootPath = rootPath
        self.chunkLength = chunkLength
    }

    /// Closes the root directory; call it after the server has stopped, before the service shuts down.
    ///
    /// - Note: issues IORING_OP_CLOSE.
    public func close() async {
        try? await root.close()
    }

    /// The request path without its leading slashes, relative to the root.
    ///
    /// - Parameter path: the path from the URI (percent-decoded by `FileMiddleware`).
    /// - Returns: the identifier; "." for the root.
    public func getFileIdentifier(_ path: String) -> FileIdentifier? {
        let relative = path.drop { $0 == "/" }
        return relative.isEmpty ? "." : String(relative)
    }

    /// The file's attributes, or nil when it cannot be opened, lies outside the root, or is
    /// neither a regular file nor a directory (as `LocalFileSystem`, nil means 404).
    ///
    /// - Parameter id: the identifier from `getFileIdentifier(_:)`.
    /// - Note: issues IORING_OP_OPENAT relative to the root, IORING_OP_STATX on the descriptor and
    ///   IORING_OP_CLOSE (opening, not a path statx, is what lets the containment check see where
    ///   links led).
    public func getAttributes(id: FileIdentifier) async throws -> FileAttributes? {
        guard let file = try? await open(id) else { return nil }
        guard let status = try? await file.status(), status.kind == .regular || status.kind == .directory else {
            try? await file.close()
            return nil
        }
        try? await file.close()
        return FileAttributes(
            isFolder: status.kind == .directory, size: Int(status.size),
            modificationDate: Date(timeIntervalSince1970: Double(status.modified.seconds) + Double(status.modified.nanoseconds) / 1e9))
    }

    /// Opens `id` relative to the root, or throws `HTTPError(.notFound)` when its descriptor lies
    /// outside the root.
    ///
    /// - Note: issues IORING_OP_OPENAT (O_NONBLOCK, so that a FIFO cannot block the open).
    private func open(_ id: FileIdentifier) async throws -> File {
        let file: File
        switch place {
        case .executor(let executor): file = try await File.open(id, relativeTo: root, options: .nonBlocking, on: executor)
        case .group(let group): file = try await File.open(id, relativeTo: root, options: .nonBlocking, on: group)
        }
        guard let fd = file.descriptor, Containment.descriptor(fd, openedFrom: rootPath + "/" + id, isInside: rootPath) else {
            try? await file.close()
            throw HTTPError(.notFound)
        }
        return file
    }

    /// A body streaming the whole file.
    ///
    /// - Parameters:
    ///   - id: the identifier from `getFileIdentifier(_:)`.
    ///   - context: the request's context.
    /// - Returns: a body of the file's size (empty for an empty file).
    /// - Throws: `HTTPError(.notFound)` when the file cannot be stat'ed.
    /// - Note: issues IORING_OP_STATX now; IORING_OP_OPENAT, IORING_OP_READ_FIXED (two in flight)
    ///   and IORING_OP_CLOSE as the body is written.
    public func loadFile(id: FileIdentifier, context: some RequestContext) async throws -> ResponseBody {
        guard let attributes = try await getAttributes(id: id), !attributes.isFolder else {
            context.coreContext.endpointPath.value = "NotFound"
            throw HTTPError(.notFound)
        }
        guard attributes.size > 0 else { return ResponseBody() }
        return body(id: id, range: 0...(attributes.size - 1))
    }

    /// A body streaming `range` of the file.
    ///
    /// - Parameters:
    ///   - id: the identifier from `getFileIdentifier(_:)`.
    ///   - range: the bytes asked for. `FileMiddleware` passes an open-ended range (`bytes=N-`)
    ///     with `Int.max` as its upper bound, so it is clamped here to the file's size, as
    ///     `LocalFileSystem` does.
    ///   - context: the request's context.
    /// - Returns: a body of the clamped range's size (empty for an empty file).
    /// - Throws: `HTTPError(.notFound)` when the file cannot be stat'ed.
    /// - Note: issues IORING_OP_STATX now; IORING_OP_OPENAT, IORING_OP_READ_FIXED and
    ///   IORING_OP_CLOSE as the body is written.
    public func loadFile(id: FileIdentifier, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        guard let attributes = try await getAttributes(id: id), !attributes.isFolder else {
            context.coreContext.endpointPath.value = "NotFound"
            throw HTTPError(.notFound)
        }
        guard attributes.size > 0 else { return ResponseBody() }
        return body(id: id, range: range.clamped(to: 0...(attributes.size - 1)))
    }

    /// Opens the file when the body is written (not before: a response that is never written
    /// leaves no descriptor open), streams `range` in `chunkLength` chunks, closes it.
    private func body(id: FileIdentifier, range: ClosedRange<Int>) -> ResponseBody {
        ResponseBody(contentLength: range.count) { writer in
            // Checked again on the descriptor that is read: a link swapped since getAttributes
            // ends the response before a byte of the outside file is sent.
            let file = try await open(id)
            do {
                let chunks = file.readChunks(
                    in: Int64(range.lowerBound)..<Int64(range.upperBound) + 1, chunkLength: .bytes(chunkLength))
                for try await chunk in chunks { try await writer.write(chunk) }
                try await file.close()
            } catch {
                try? await file.close()
                throw error
            }
            try await writer.finish(nil)
        }
    }
}

extension RingService {
    /// A `FileProvider` for Hummingbird's `FileMiddleware` serving `rootPath` through this service's
    /// executor or group, reading `chunkSize` bytes at a time.
    ///
    /// - Parameter rootPath: the directory to serve (its canonical path).
    /// - Returns: the provider; it shares the service's pool and is valid until the service shuts down.
    /// - Throws: `RingIOError` when the root cannot be opened as a directory.
    /// - Note: issues IORING_OP_OPENAT (O_DIRECTORY) for the root.
    public func fileProvider(rootPath: String) async throws -> RingFileProvider {
        switch place {
        case .executor(let executor):
            let root = try await File.open(rootPath, options: .directory, on: executor)
            return RingFileProvider(place: place, root: root, rootPath: rootPath, chunkLength: chunkSize)
        case .group(let group):
            let root = try await File.open(rootPath, options: .directory, on: group)
            return RingFileProvider(place: place, root: root, rootPath: rootPath, chunkLength: chunkSize)
        }
    }
}
