import NIOCore

/// Where file bytes come from: RingIO (`RingBackend`) or NIOFileSystem (`NIOBackend`).
///
/// The HTTP logic (`FileResponder`) is the same for both; a backend only inspects paths below the
/// root, opens regular files inside it and reads them. Backends are used as existentials so that the
/// module holding the HTTP server never imports RingIO itself (see the README: RingIO's C module and
/// swift-system's, which Hummingbird pulls in, cannot be loaded into one Swift module).
public protocol FileBackend: Sendable {
    /// The backend's name for logs and stats (`ringio` or `nio`).
    var name: String { get }

    /// What lies at `path` below the root, following symbolic links, without opening it (so a FIFO
    /// is never opened, which would block).
    ///
    /// - Throws: `ServeError` (`.notFound` when nothing is there).
    func kind(of path: RequestPath) async throws(ServeError) -> FileMetadata.Kind

    /// Opens the regular file at `path` and checks that it lies inside the root.
    ///
    /// - Returns: the open file; the caller must `close()` it.
    /// - Throws: `ServeError` (`.forbidden` for a file outside the root or not regular).
    func open(_ path: RequestPath) async throws(ServeError) -> any OpenFile

    /// The task executor that request handlers and body streams should prefer, or nil to run where
    /// they are: RingIO with `--affinity request` answers its executor, so a handler hops onto the
    /// ring thread once and every RingIO call in it runs inline.
    var preferredExecutor: (any TaskExecutor)? { get }

    /// Extra `"key": value` pairs for the stats endpoint (values already JSON).
    func statsFields() -> [(String, String)]

    /// Releases what the backend holds (the root directory, the executor); called once at exit.
    func shutdown() async
}

/// One open regular file from a `FileBackend`.
///
/// Closed exactly once: by `close()` (idempotent), or — if nobody got to it, e.g. the response head
/// could not be written so the body never ran — when the handle is destroyed.
public protocol OpenFile: Sendable {
    /// Size, kind, modification time and inode, as the open descriptor reports them.
    var metadata: FileMetadata { get }

    /// Reads `range` (at most one chunk) into one buffer, for small bodies sent with the head.
    ///
    /// - Throws: `ServeError.failure` when the file ended early, or the backend's I/O error.
    func read(_ range: Range<Int64>) async throws -> ByteBuffer

    /// A reader that hands out `range` chunk by chunk, in order (reading ahead where it can).
    func chunks(_ range: Range<Int64>) -> any ChunkReader

    /// Closes the file (idempotent; errors are ignored: the response is already decided).
    func close() async
}

/// The chunks of a byte range of an open file, in order; used by one task at a time.
public protocol ChunkReader: AnyObject {
    /// The next chunk, or nil after the last one.
    ///
    /// - Throws: `ServeError.failure` when the file shrank below the promised length; I/O errors;
    ///   `CancellationError`.
    func next() async throws -> ByteBuffer?

    /// Stops reading: cancels what is in flight and waits for it, so nothing reads the file any
    /// more (RingIO: every lease is back in the pool) when this returns.
    func cancelAndDrain() async
}
