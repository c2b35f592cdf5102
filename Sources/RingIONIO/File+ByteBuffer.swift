public import NIOCore
public import RingIO

/// Reads into and writes from NIO `ByteBuffer`s: each byte is copied once, between a registered
/// buffer (the kernel's side, READ_FIXED / WRITE_FIXED) and the `ByteBuffer`.
extension File {
    /// Reads up to `length` bytes at `offset` into a new `ByteBuffer`.
    ///
    /// - Parameters:
    ///   - offset: where to read.
    ///   - length: the most bytes to read (at most the pool's buffer size).
    ///   - allocator: allocates the result.
    /// - Returns: the bytes read (fewer at end of file; empty at or past it).
    /// - Throws: `RingIOError` (EBADF, EISDIR, …; `.invalidArgument` for a length over the buffer size).
    /// - Note: issues IORING_OP_READ_FIXED into a leased buffer, then copies it out.
    public func readChunk(
        fromAbsoluteOffset offset: Int64, length: ByteCount, allocator: ByteBufferAllocator = .init()
    ) async throws -> ByteBuffer {
        let pool = executor.buffers
        guard length.bytes >= 0 && length.bytes <= pool.bufferSize else {
            throw RingIOError(
                code: .invalidArgument, errno: .invalidArgument, operation: .readFixed, path: path,
                hint: "length must be between 0 and the pool's buffer size \(pool.bufferSize) (got \(length.bytes)); use readChunks for more")
        }
        var lease = try await pool.lease()
        let n = try await read(into: &lease, range: 0..<length.bytes, at: offset)
        var buffer = allocator.buffer(capacity: n)
        _ = lease.withUnsafeBytes { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
        return buffer
    }

    /// The whole file in one `ByteBuffer`, read in chunks with reads kept in flight.
    ///
    /// - Parameters:
    ///   - maximumSizeAllowed: the most bytes to accept.
    ///   - allocator: allocates the result.
    /// - Returns: the file's bytes.
    /// - Throws: `RingIOError` `.invalidArgument` when the file is larger than the limit (the
    ///   message gives both); other `RingIOError`s from the reads; `CancellationError`.
    /// - Note: issues IORING_OP_STATX, then IORING_OP_READ_FIXED two at a time.
    public func readToEnd(maximumSizeAllowed: ByteCount, allocator: ByteBufferAllocator = .init()) async throws -> ByteBuffer {
        let size = try await status().size
        guard size <= Int64(maximumSizeAllowed.bytes) else {
            throw RingIOError(
                code: .invalidArgument, errno: .invalidArgument, operation: .read, path: path,
                hint: "The file is \(size) bytes, more than maximumSizeAllowed \(maximumSizeAllowed.bytes) bytes; raise the limit or stream it with readChunks")
        }
        var buffer = allocator.buffer(capacity: Int(size))
        for try await chunk in chunks(in: 0..<Int64.max) {
            guard buffer.readableBytes + chunk.count <= maximumSizeAllowed.bytes else {
                throw RingIOError(
                    code: .invalidArgument, errno: .invalidArgument, operation: .read, path: path,
                    hint: "The file grew past maximumSizeAllowed \(maximumSizeAllowed.bytes) bytes while it was read")
            }
            _ = chunk.withUnsafeBytes { buffer.writeBytes($0) }
        }
        return buffer
    }

    /// The bytes of `range` as `ByteBuffer`s of up to `chunkLength` bytes, in order, with reads
    /// kept in flight ahead of the consumer.
    ///
    /// - Parameters:
    ///   - range: the bytes to read (clipped at end of file); default the whole file.
    ///   - chunkLength: bytes per chunk, at most the pool's buffer size; default that size.
    ///   - allocator: allocates each chunk.
    /// - Returns: an `AsyncSequence` of `ByteBuffer`s; iterating it throws `RingIOError`s.
    /// - Note: issues IORING_OP_READ_FIXED, two at a time.
    public func readChunks(
        in range: Range<Int64> = 0..<Int64.max, chunkLength: ByteCount? = nil, allocator: ByteBufferAllocator = .init()
    ) -> ByteBufferChunks {
        ByteBufferChunks(chunks: chunks(in: range, chunkLength: chunkLength?.bytes), allocator: allocator)
    }

    /// Writes the readable bytes of `buffer` at `offset` (all of them, through leased buffers).
    ///
    /// - Parameters:
    ///   - buffer: what to write (its reader index does not move).
    ///   - offset: where in the file.
    /// - Returns: the number of bytes written.
    /// - Throws: `RingIOError` (ENOSPC, EBADF, …).
    /// - Note: issues IORING_OP_WRITE_FIXED per buffer-sized chunk.
    @discardableResult
    public func write(contentsOf buffer: ByteBuffer, toAbsoluteOffset offset: Int64) async throws -> Int {
        try await write(contentsOf: buffer.readableBytesView, at: offset)
    }
}

/// The chunks of `File.readChunks(in:chunkLength:allocator:)`: each a `ByteBuffer` holding a copy
/// of one read; its registered buffer goes back to the pool as soon as it is copied.
public struct ByteBufferChunks: AsyncSequence {
    public typealias Element = ByteBuffer
    let chunks: FileChunks
    let allocator: ByteBufferAllocator

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: chunks.makeAsyncIterator(), allocator: allocator)
    }

    /// Reads the next chunk (issues IORING_OP_READ_FIXED for those after it).
    public struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: FileChunks.Iterator
        let allocator: ByteBufferAllocator

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await chunks.next() else { return nil }
            var buffer = allocator.buffer(capacity: chunk.count)
            _ = chunk.withUnsafeBytes { buffer.writeBytes($0) }
            return buffer
        }
    }
}
