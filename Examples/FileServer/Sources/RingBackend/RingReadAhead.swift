import FileServerCore
import NIOCore
internal import RingIO

/// Reads a byte range of a file as a sequence of `ByteBuffer`s with up to `depth` reads in flight.
///
/// Each read is a task that prefers the file's executor (so it runs on the ring thread): it leases
/// a registered buffer, reads one chunk with READ_FIXED, copies it into a ByteBuffer and returns the
/// lease. `next()` hands the chunks out in order and starts the next read, keeping the pipeline full
/// while the caller writes to the socket. Used by one task at a time (not `Sendable`).
final class RingReadAhead: ChunkReader {
    private let file: File
    private var nextOffset: Int64
    private let end: Int64
    private let chunkSize: Int
    private let depth: Int
    private var inFlight: [Task<ByteBuffer, any Error>] = []

    /// - Parameters:
    ///   - file: the open file.
    ///   - range: the bytes to read.
    ///   - chunkSize: bytes per read (at most the pool's buffer size).
    ///   - depth: reads in flight (1 or more).
    init(file: File, range: Range<Int64>, chunkSize: Int, depth: Int) {
        self.file = file
        self.nextOffset = range.lowerBound
        self.end = range.upperBound
        self.chunkSize = max(1, chunkSize)
        self.depth = max(1, depth)
    }

    deinit {
        for task in inFlight { task.cancel() }
    }

    /// The next chunk in file order, or nil after the last one.
    ///
    /// - Throws: the read's error (`ServeError` when the file shrank, `RingIOError`), or
    ///   `CancellationError` when the calling task is cancelled.
    func next() async throws -> ByteBuffer? {
        while inFlight.count < depth && nextOffset < end { startRead() }
        guard !inFlight.isEmpty else { return nil }
        let oldest = inFlight.removeFirst()
        let all = inFlight + [oldest]
        return try await withTaskCancellationHandler {
            try await oldest.value
        } onCancel: {
            for task in all { task.cancel() }
        }
    }

    /// Cancels the reads still in flight and waits until each has finished (and so given its lease
    /// back), so the file can be closed with nothing in flight on it.
    func cancelAndDrain() async {
        let rest = inFlight
        inFlight.removeAll()
        for task in rest { task.cancel() }
        for task in rest { _ = try? await task.value }
    }

    private func startRead() {
        let file = self.file
        let offset = nextOffset
        let length = Int(min(Int64(chunkSize), end - offset))
        nextOffset += Int64(length)
        inFlight.append(Task(executorPreference: file.executor) {
            try await RingOpenFile.readChunk(of: file, at: offset, length: length)
        })
    }
}
