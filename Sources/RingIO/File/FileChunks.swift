/// A piece of a file read by `File.chunks(size:readAhead:from:)`, held in a registered buffer.
///
/// The chunk owns the buffer's lease until `release()` or `consumeLease()` is called, or until the
/// chunk is destroyed; the buffer then goes back to the pool. A class (not a `~Copyable` struct)
/// because `AsyncSequence` elements must be copyable; not `Sendable`, like the lease it holds.
/// Reading its bytes after `release()`/`consumeLease()` is a programming error and traps.
public final class FileChunk {
    /// The file offset of the first byte.
    public let offset: Int64
    /// How many bytes the chunk holds.
    public let count: Int
    private var lease: BufferLease?

    init(offset: Int64, lease: consuming BufferLease) {
        self.offset = offset
        self.count = lease.count
        self.lease = consume lease
    }

    /// Whether the chunk still holds its buffer (false after `release()` or `consumeLease()`).
    public var holdsLease: Bool {
        switch lease {
        case .some: return true
        case .none: return false
        }
    }

    /// Gives read access to the chunk's bytes.
    ///
    /// - Parameter body: receives a `RawSpan` of the `count` bytes; it must not escape.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    public func withBytes<Result, Failure: Error>(_ body: (RawSpan) throws(Failure) -> Result) throws(Failure) -> Result {
        switch lease {
        case .some(let held): return try held.withBytes(body)
        case .none: preconditionFailure("FileChunk at offset \(offset) was used after release() or consumeLease()")
        }
    }

    /// Gives raw read access to the chunk's bytes.
    ///
    /// - Parameter body: receives the `count` bytes; the pointer must not escape.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // Safety: held is borrowed from lease for the whole call, so its buffer stays leased (count bytes valid) while body runs.
        switch lease {
        case .some(let held): return unsafe try held.withUnsafeBytes(body)
        case .none: preconditionFailure("FileChunk at offset \(offset) was used after release() or consumeLease()")
        }
    }

    /// The chunk's bytes, copied into an array.
    public var bytes: [UInt8] {
        // Safety: the bytes are copied into the array inside the closure; the pointer does not escape.
        unsafe withUnsafeBytes { unsafe [UInt8]($0) }
    }

    /// Returns the buffer to its pool now (idempotent); the chunk's bytes can no longer be read.
    public func release() {
        lease = nil
    }

    /// Takes the lease out of the chunk, e.g. to write its bytes elsewhere with `writeFully(from:at:)`.
    ///
    /// - Returns: the lease; its `count` is the chunk's `count`.
    /// - Precondition: the chunk still holds its lease (not released or consumed before).
    public func consumeLease() -> BufferLease {
        guard let held = lease.take() else {
            preconditionFailure("FileChunk at offset \(offset) has no lease left: release() or consumeLease() was called before")
        }
        return held
    }
}

@available(*, unavailable)
extension FileChunk: Sendable {}

/// The chunks of a file, in order, with reads ahead in flight (see `File.chunks(size:readAhead:from:)`).
public struct FileChunks: AsyncSequence, Sendable {
    public typealias Element = FileChunk
    public typealias Failure = any Error

    let file: File
    let size: Int?
    let readAhead: Int
    let range: Range<Int64>

    /// Starts an iteration; reads start with its first `next()`.
    public func makeAsyncIterator() -> Iterator {
        Iterator(engine: ReadAhead(file: file, chunkSize: size, depth: readAhead, range: range))
    }

    /// Hands out the chunks in file order; dropping it cancels the reads still in flight.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = FileChunk
        public typealias Failure = any Error

        let engine: ReadAhead

        /// The next chunk, or nil after the last one (or after an error was thrown).
        ///
        /// - Returns: the next chunk in file order, or nil at end of file.
        /// - Throws: `RingIOError`, `CancellationError` (the consuming task was cancelled).
        /// - Note: issues IORING_OP_READ_FIXED to keep `readAhead` reads in flight.
        public mutating func next() async throws -> FileChunk? {
            try await engine.next()
        }

        /// Stops the iteration now: cancels the reads in flight (where the file's transfers can
        /// block; reads of disk files finish) and returns once every lease the iteration holds is
        /// back in the pool. `next()` returns nil afterwards. (Dropping the iterator does the same,
        /// but without a way to wait for it.)
        public func cancelAndDrain() async {
            await engine.cancelAndDrain()
        }

        /// The next chunk, running in the caller's isolation (what `for try await` calls).
        ///
        /// - Parameter actor: the caller's isolation.
        /// - Returns: the next chunk in file order, or nil at end of file.
        /// - Throws: `RingIOError`, `CancellationError`.
        /// - Note: issues IORING_OP_READ_FIXED to keep `readAhead` reads in flight.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> FileChunk? {
            try await engine.next()
        }
    }
}

