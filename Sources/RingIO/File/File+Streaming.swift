import Glibc

extension RingIOError.Operation {
    /// Reading a whole file into memory (`File.readToEnd(maximumSize:)`).
    public static let readToEnd = RingIOError.Operation("read to end (READ_FIXED)")
    /// Streaming a file in chunks (`File.chunks(size:readAhead:from:)`).
    public static let readChunks = RingIOError.Operation("read chunks (READ_FIXED)")
    /// Writing a sequence of bytes through leases (`File.write(contentsOf:at:)`).
    public static let writeContents = RingIOError.Operation("write contents (WRITE_FIXED)")
    /// Copying one file into another (`File.copy(from:to:readAhead:)`).
    public static let copy = RingIOError.Operation("copy (READ_FIXED/WRITE_FIXED)")
}

extension File {
    /// Reads the whole file, from offset 0 to end of file, into a new array.
    ///
    /// The file's size is checked with `status()` first, and the bytes that actually arrive are
    /// counted too, so a file that grows while it is read (or a pipe or `/proc` file, whose size
    /// reads as 0) cannot make this return more than `maximumSize` bytes. Reads go through the
    /// same read-ahead engine as `chunks()`, two registered buffers at a time (one, in order, for
    /// streams and procfs or sysfs files); every lease is back in the pool when this returns or throws.
    ///
    /// - Parameter maximumSize: the most bytes to accept (0 or more).
    /// - Returns: the file's bytes.
    /// - Throws: `RingIOError` `.invalidArgument` when the file is larger than `maximumSize` (the
    ///   message gives the size and the limit) or `maximumSize` is negative; other `RingIOError`s
    ///   from the reads; `CancellationError`.
    /// - Note: issues IORING_OP_STATX, then IORING_OP_READ_FIXED as many times as needed, two at a time.
    public func readToEnd(maximumSize: Int) async throws -> [UInt8] {
        guard maximumSize >= 0 else {
            throw RingIOError.invalidArgument(.readToEnd, path: path, fd: descriptor, "maximumSize must be 0 or more (got \(maximumSize))")
        }
        let size = try await status().size
        guard size <= Int64(maximumSize) else {
            throw RingIOError.invalidArgument(.readToEnd, path: path, fd: descriptor, "The file is \(size) bytes, more than the limit of maximumSize \(maximumSize) bytes; raise the limit or stream it with chunks()")
        }
        var result: [UInt8] = []
        result.reserveCapacity(Int(size))
        let engine = ReadAhead(file: self, chunkSize: nil, depth: 2, range: 0..<Int64.max)
        while let chunk = try await engine.next() {
            if chunk.count > maximumSize - result.count {
                let total = Int64(result.count) + Int64(chunk.count)
                throw RingIOError.invalidArgument(.readToEnd, path: path, fd: descriptor, "The file is at least \(total) bytes (it grew while being read, or reports no size), more than the limit of maximumSize \(maximumSize) bytes; raise the limit or stream it with chunks()")
            }
            // Safety: the pointer is used only inside the closure, to copy the chunk's bytes out while the chunk still holds its lease.
            unsafe chunk.withUnsafeBytes { unsafe result.append(contentsOf: $0) }
        }
        return result
    }

    /// Streams the file in order as chunks read into registered buffers, with reads ahead in flight.
    ///
    /// Each chunk owns a `BufferLease` until it is released (`FileChunk.release()`, `consumeLease()`,
    /// or when the chunk is destroyed). Up to `readAhead` reads run while you process a chunk, each
    /// holding its own lease, so keep fewer chunks alive than the pool's `count − readAhead` (minus
    /// whatever other tasks lease): read-ahead stalls while the pool is empty, and a consumer that
    /// holds every buffer and asks for the next chunk waits forever. Usually let each chunk go at
    /// the end of the loop body.
    ///
    /// Every chunk but the last is `size` bytes; the last one may be shorter; an empty file (or an
    /// `offset` at or past its end) gives no chunks. A pipe, socket or other stream has no offsets to
    /// read ahead at: there the reads go one at a time, in order, from wherever the stream is (each
    /// chunk is full unless the stream ended; `offset` and the chunks' `offset` then only count
    /// bytes). Breaking out of the loop, dropping the iterator,
    /// or cancelling the consuming task cancels the reads in flight, and their leases return to the
    /// pool as they finish. Argument errors are thrown by the first `next()`.
    ///
    /// ```swift
    /// for try await chunk in file.chunks(readAhead: 4) {
    ///     chunk.withBytes { span in hash.update(span) }
    /// }   // each chunk's buffer goes back to the pool here
    /// ```
    ///
    /// - Parameters:
    ///   - size: bytes per chunk (1 ... `executor.buffers.bufferSize`); default the pool's buffer size.
    ///   - readAhead: how many reads to keep in flight (1 or more); default 2.
    ///   - offset: the file offset of the first chunk (0 or more); default 0.
    /// - Returns: an `AsyncSequence` of `FileChunk`s.
    /// - Throws: nothing here; iteration throws `RingIOError` (`.invalidArgument` for a size over the
    ///   pool's buffer size, a size or read-ahead under 1, or a negative offset), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED, `readAhead` at a time.
    public func chunks(size: Int? = nil, readAhead: Int = 2, from offset: Int64 = 0) -> FileChunks {
        FileChunks(file: self, size: size, readAhead: readAhead, range: offset..<Int64.max)
    }

    /// Streams the bytes of `range` in order as chunks read into registered buffers, with reads
    /// ahead in flight: `chunks(size:readAhead:from:)` bounded at both ends, shaped like
    /// NIOFileSystem's `readChunks(in:chunkLength:)`.
    ///
    /// The chunks cover `range` up to end of file; every chunk but the last is `chunkLength`
    /// bytes. Everything else is as for `chunks(size:readAhead:from:)`.
    ///
    /// - Parameters:
    ///   - range: the file offsets to read (its lower bound 0 or more).
    ///   - chunkLength: bytes per chunk (1 ... `executor.buffers.bufferSize`); default the pool's buffer size.
    ///   - readAhead: how many reads to keep in flight (1 or more); default 2.
    /// - Returns: an `AsyncSequence` of `FileChunk`s.
    /// - Throws: nothing here; iteration throws as for `chunks(size:readAhead:from:)`.
    /// - Note: issues IORING_OP_READ_FIXED, `readAhead` at a time.
    public func chunks(in range: Range<Int64>, chunkLength: Int? = nil, readAhead: Int = 2) -> FileChunks {
        FileChunks(file: self, size: chunkLength, readAhead: readAhead, range: range)
    }

    /// Writes the bytes of a sequence at `offset`, copying them into a leased buffer chunk by chunk.
    ///
    /// Contiguous collections (`[UInt8]`, `Data`-like, slices) are copied with memcpy; other
    /// sequences byte by byte. The sequence is iterated once.
    ///
    /// - Parameters:
    ///   - bytes: what to write.
    ///   - offset: the file offset of the first byte (0 or more; ignored with `.append`).
    /// - Returns: the number of bytes written (all of them).
    /// - Throws: `RingIOError` (`.invalidArgument` for a negative offset, ENOSPC, EBADF, …),
    ///   `CancellationError` (the bytes of earlier chunks are then already written).
    /// - Note: issues IORING_OP_WRITE_FIXED, as many as needed.
    @discardableResult
    public func write(contentsOf bytes: some Sequence<UInt8>, at offset: Int64) async throws -> Int {
        guard offset >= 0 else {
            throw RingIOError.invalidArgument(.writeContents, path: path, fd: descriptor, "The file offset must be 0 or more (got \(offset))")
        }
        var lease = try await executor.buffers.lease()
        let capacity = lease.capacity
        var total = 0
        var iterator = bytes.makeIterator()
        while true {
            // Safety: target is this lease's whole buffer (capacity bytes), used only inside the closure; no I/O is in flight on the lease here.
            let filled: Int = unsafe lease.withUnsafeMutableBytes { target in
                // Contiguous storage: memcpy the next piece (the storage is the same on every call).
                if let copied = bytes.withContiguousStorageIfAvailable({ source -> Int in
                    let n = min(capacity, source.count - total)
                    if n > 0 {
                        // Safety: n <= capacity fits target, and total + n <= source.count keeps the copy inside source (n > 0, so its base is non-nil).
                        unsafe target.baseAddress!.copyMemory(from: UnsafeRawPointer(source.baseAddress! + total), byteCount: n)
                    }
                    return n
                }) {
                    return copied
                }
                var n = 0
                while n < capacity, let byte = iterator.next() {
                    // Safety: the loop condition keeps n < capacity, the size of target.
                    unsafe target[n] = byte
                    n += 1
                }
                return n
            }
            if filled == 0 { return total }
            lease.count = filled
            try await writeFully(from: lease, at: offset + Int64(total))
            total += filled
            if filled < capacity { return total }
        }
    }

    /// Copies all of `source`, from offset 0 to its end, into `destination` at the same offsets.
    ///
    /// Reads and writes are pipelined: up to `readAhead` reads run while a chunk is written, each
    /// through its own leased buffer (so `readAhead + 1` buffers are used at most). Bytes of
    /// `destination` past the copied length are left as they are; truncate it first if needed.
    ///
    /// - Parameters:
    ///   - source: the file to read (opened for reading).
    ///   - destination: the file to write (opened for writing); must use the same executor (or group).
    ///   - readAhead: how many reads to keep in flight (1 or more); default 2.
    /// - Returns: the number of bytes copied.
    /// - Throws: `RingIOError` (`.invalidArgument` when the files use different executors or
    ///   `readAhead` is under 1; errors of the reads and writes), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED and IORING_OP_WRITE_FIXED.
    @discardableResult
    public static func copy(from source: File, to destination: File, readAhead: Int = 2) async throws -> Int64 {
        guard source.executor.buffers === destination.executor.buffers else {
            throw RingIOError.invalidArgument(.copy, path: destination.path, fd: destination.descriptor, "The source and destination files use different RingExecutors; open both on the same executor or group (leases are registered with one pool)")
        }
        var total: Int64 = 0
        for try await chunk in source.chunks(readAhead: readAhead) {
            let lease = chunk.consumeLease()
            try await destination.writeFully(from: lease, at: chunk.offset)
            total += Int64(chunk.count)
        }
        return total
    }
}

