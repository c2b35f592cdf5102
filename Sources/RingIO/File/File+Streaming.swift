import DequeModule
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
    /// reads as 0) cannot make this return more than `maximumSize` bytes. Reads go one registered
    /// buffer at a time, through one lease that is back in the pool when this returns or throws.
    ///
    /// - Parameter maximumSize: the most bytes to accept (0 or more).
    /// - Returns: the file's bytes.
    /// - Throws: `RingIOError` `.invalidArgument` when the file is larger than `maximumSize` (the
    ///   message gives the size and the limit) or `maximumSize` is negative; other `RingIOError`s
    ///   from the reads; `CancellationError`.
    /// - Note: issues IORING_OP_STATX, then IORING_OP_READ_FIXED as many times as needed.
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
        var lease = try await executor.buffers.lease()
        var offset: Int64 = 0
        while true {
            let n = try await readFully(into: &lease, at: offset)
            if n > maximumSize - result.count {
                let total = Int64(result.count) + Int64(n)
                throw RingIOError.invalidArgument(.readToEnd, path: path, fd: descriptor, "The file is at least \(total) bytes (it grew while being read, or reports no size), more than the limit of maximumSize \(maximumSize) bytes; raise the limit or stream it with chunks()")
            }
            lease.withUnsafeBytes { result.append(contentsOf: $0) }
            offset += Int64(n)
            if n < lease.capacity { return result }  // readFully is short only at end of file
        }
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
        FileChunks(file: self, size: size, readAhead: readAhead, offset: offset)
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
            let filled: Int = lease.withUnsafeMutableBytes { target in
                // Contiguous storage: memcpy the next piece (the storage is the same on every call).
                if let copied = bytes.withContiguousStorageIfAvailable({ source -> Int in
                    let n = min(capacity, source.count - total)
                    if n > 0 {
                        target.baseAddress!.copyMemory(from: UnsafeRawPointer(source.baseAddress! + total), byteCount: n)
                    }
                    return n
                }) {
                    return copied
                }
                var n = 0
                while n < capacity, let byte = iterator.next() {
                    target[n] = byte
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
    ///   - destination: the file to write (opened for writing); must use the same executor.
    ///   - readAhead: how many reads to keep in flight (1 or more); default 2.
    /// - Returns: the number of bytes copied.
    /// - Throws: `RingIOError` (`.invalidArgument` when the files use different executors or
    ///   `readAhead` is under 1; errors of the reads and writes), `CancellationError`.
    /// - Note: issues IORING_OP_READ_FIXED and IORING_OP_WRITE_FIXED.
    @discardableResult
    public static func copy(from source: File, to destination: File, readAhead: Int = 2) async throws -> Int64 {
        guard source.executor === destination.executor else {
            throw RingIOError.invalidArgument(.copy, path: destination.path, fd: destination.descriptor, "The source and destination files use different RingExecutors; open both on the same executor (leases are registered with one ring)")
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
        switch lease {
        case .some(let held): return try held.withUnsafeBytes(body)
        case .none: preconditionFailure("FileChunk at offset \(offset) was used after release() or consumeLease()")
        }
    }

    /// The chunk's bytes, copied into an array.
    public var bytes: [UInt8] {
        withUnsafeBytes { [UInt8]($0) }
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
    let offset: Int64

    /// Starts an iteration; reads start with its first `next()`.
    public func makeAsyncIterator() -> Iterator {
        Iterator(state: StreamState(file: file, size: size, readAhead: readAhead, offset: offset))
    }

    /// Hands out the chunks in file order; dropping it cancels the reads still in flight.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = FileChunk
        public typealias Failure = any Error

        let state: StreamState

        /// The next chunk, or nil after the last one (or after an error was thrown).
        ///
        /// - Returns: the next chunk in file order, or nil at end of file.
        /// - Throws: `RingIOError`, `CancellationError` (the consuming task was cancelled).
        /// - Note: issues IORING_OP_READ_FIXED to keep `readAhead` reads in flight.
        public mutating func next() async throws -> FileChunk? {
            try await state.next()
        }

        /// The next chunk, running in the caller's isolation (what `for try await` calls).
        ///
        /// - Parameter actor: the caller's isolation.
        /// - Returns: the next chunk in file order, or nil at end of file.
        /// - Throws: `RingIOError`, `CancellationError`.
        /// - Note: issues IORING_OP_READ_FIXED to keep `readAhead` reads in flight.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> FileChunk? {
            try await state.next()
        }
    }
}

/// A finished read handed from its task to the iterator.
// Safety: the chunk is created by the read task and only ever touched again by the iterator that
// awaits the task's value (or destroyed with the task when nobody does), never by two at once.
struct ChunkTransfer: @unchecked Sendable {
    let chunk: FileChunk
}

/// One iteration's reads in flight: a FIFO of tasks, the oldest holding the next chunk.
///
/// Each read is an unstructured task preferring the file's executor, so it runs on the ring thread:
/// it leases a buffer and reads its chunk with `readFully`. `next()` awaits the oldest and then
/// starts one more, so `readAhead` reads are in flight while the consumer works on a chunk.
/// Cancellation: while `next()` waits, cancelling the consuming task cancels every read in flight;
/// at end of file, after an error, and on cancellation the rest are cancelled and awaited (their
/// chunks, and so their leases, are destroyed); when the iterator is dropped they are cancelled
/// and their leases return as they finish (a finished task's value is destroyed with the task).
final class StreamState {
    let file: File
    let requestedSize: Int?
    let readAhead: Int
    var chunkSize = 0
    var nextOffset: Int64
    var inFlight = Deque<Task<ChunkTransfer, any Error>>()
    var started = false
    var finished = false
    /// A stream (reads must not overlap, or their data would interleave) or a procfs or sysfs
    /// file (reads at later offsets regenerate what comes before): one read at a time.
    var readsInOrder = false

    init(file: File, size: Int?, readAhead: Int, offset: Int64) {
        self.file = file
        self.requestedSize = size
        self.readAhead = readAhead
        self.nextOffset = offset
    }

    deinit {
        for task in inFlight { task.cancel() }
    }

    func next() async throws -> FileChunk? {
        if finished { return nil }
        if !started {
            started = true
            do { try validate() } catch {
                finished = true
                throw error
            }
            readsInOrder = file.readsInOrder
            for _ in 0..<(readsInOrder ? 1 : readAhead) { startRead() }
        }
        if Task.isCancelled {
            await finish()
            throw CancellationError()
        }
        guard let oldest = inFlight.popFirst() else {
            finished = true
            return nil
        }
        let all = Array(inFlight) + [oldest]
        let chunk: FileChunk
        do {
            chunk = try await withTaskCancellationHandler {
                try await oldest.value.chunk
            } onCancel: {
                for task in all { task.cancel() }
            }
        } catch {
            await finish()
            throw error
        }
        if chunk.count < chunkSize {  // readFully is short only at end of file
            await finish()
            return chunk.count > 0 ? chunk : nil
        }
        startRead()
        return chunk
    }

    private func validate() throws {
        let bufferSize = file.executor.buffers.bufferSize
        let size = requestedSize ?? bufferSize
        guard size >= 1, size <= bufferSize else {
            throw RingIOError.invalidArgument(.readChunks, path: file.path, fd: file.descriptor, "The chunk size must be 1 ... \(bufferSize) bytes, the pool's buffer size (got \(size)); re-register larger buffers or ask for smaller chunks")
        }
        guard readAhead >= 1 else {
            throw RingIOError.invalidArgument(.readChunks, path: file.path, fd: file.descriptor, "readAhead must be 1 or more (got \(readAhead))")
        }
        guard nextOffset >= 0 else {
            throw RingIOError.invalidArgument(.readChunks, path: file.path, fd: file.descriptor, "The file offset must be 0 or more (got \(nextOffset))")
        }
        chunkSize = size
    }

    private func startRead() {
        let file = self.file
        let offset = nextOffset
        let size = chunkSize
        nextOffset += Int64(size)
        inFlight.append(Task(executorPreference: file.executor) {
            var lease = try await file.executor.buffers.lease()
            _ = try await file.readFully(into: &lease, range: 0..<size, at: offset)
            return ChunkTransfer(chunk: FileChunk(offset: offset, lease: lease))
        })
    }

    /// Ends the iteration: cancels the reads still in flight and waits until each has given its lease back.
    private func finish() async {
        finished = true
        let rest = inFlight
        inFlight.removeAll()
        for task in rest { task.cancel() }
        for task in rest { _ = try? await task.value }
    }
}
