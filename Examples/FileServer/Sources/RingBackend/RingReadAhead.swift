import FileServerCore
import NIOCore
internal import RingIO

/// Reads a byte range of a file as a sequence of `ByteBuffer`s with up to `depth` reads in flight.
///
/// A thin layer over RingIO's own read-ahead engine, `File.chunks(in:chunkLength:readAhead:)`
/// (one pipeline of READ_FIXED on the ring, chunks handed out in file order): each chunk is
/// copied into a `ByteBuffer` and its lease goes straight back to the pool, so the reads ahead
/// keep going while the caller writes to the socket. Used by one task at a time (not `Sendable`).
final class RingReadAhead: ChunkReader {
    private var iterator: FileChunks.Iterator
    private var remaining: Int64
    private let path: String?

    /// - Parameters:
    ///   - file: the open file.
    ///   - range: the bytes to read.
    ///   - chunkSize: bytes per read (at most the pool's buffer size).
    ///   - depth: reads in flight (1 or more).
    init(file: File, range: Range<Int64>, chunkSize: Int, depth: Int) {
        self.iterator = file.chunks(in: range, chunkLength: max(1, chunkSize), readAhead: max(1, depth)).makeAsyncIterator()
        self.remaining = Int64(range.count)
        self.path = file.path
    }

    /// The next chunk in file order, or nil after the last one.
    ///
    /// - Throws: `ServeError` when the file ended before the range did (it shrank after the
    ///   response head promised its size), `RingIOError`, or `CancellationError` when the calling
    ///   task is cancelled.
    func next() async throws -> ByteBuffer? {
        guard remaining > 0 else { return nil }
        guard let chunk = try await iterator.next() else {
            throw ServeError.failure("\(path ?? "file") ended \(remaining) bytes early (it shrank while being served)")
        }
        remaining -= Int64(chunk.count)
        defer { chunk.release() }
        return chunk.withUnsafeBytes { bytes in
            var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return buffer
        }
    }

    /// Cancels the reads still in flight and waits until each has finished (and so given its lease
    /// back), so the file can be closed with nothing in flight on it.
    func cancelAndDrain() async {
        remaining = 0
        await iterator.cancelAndDrain()
    }
}
