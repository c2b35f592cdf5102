import FileServerCore
import NIOCore
internal import RingIO

/// A file opened through RingIO, read with READ_FIXED into leased registered buffers.
///
/// A lease is held only while its read is in flight: the bytes are copied into a `ByteBuffer` right
/// after, and the buffer goes back to the pool before the socket write. So a slow client holds
/// ByteBuffers (ordinary memory, `readAhead` of them at most) and never registered buffers, and
/// cannot starve other requests of leases.
final class RingOpenFile: OpenFile {
    let file: File
    let metadata: FileMetadata
    let settings: StreamSettings
    let stats: ServerStats
    private let closed = OnceFlag()

    init(file: File, metadata: FileMetadata, settings: StreamSettings, stats: ServerStats) {
        self.file = file
        self.metadata = metadata
        self.settings = settings
        self.stats = stats
        stats.fileOpened()
    }

    deinit {
        // Only reached when neither close() nor a body ran (e.g. the head could not be written):
        // File's own deinit closes the descriptor with close(2).
        if closed.claim() { stats.fileClosed() }
    }

    func read(_ range: Range<Int64>) async throws -> ByteBuffer {
        try await Self.readChunk(of: file, at: range.lowerBound, length: Int(range.count))
    }

    func close() async {
        guard closed.claim() else { return }
        stats.fileClosed()
        try? await file.close()
    }

    func chunks(_ range: Range<Int64>) -> any ChunkReader {
        RingReadAhead(file: file, range: range, chunkSize: settings.chunkSize, depth: settings.readAhead)
    }

    /// Leases a buffer, reads `length` bytes at `offset` with READ_FIXED (retrying short reads), and
    /// copies them into a new `ByteBuffer`; the lease is back in the pool when this returns.
    ///
    /// - Throws: `ServeError.failure` when the file ended before `length` bytes (it shrank after the
    ///   response head promised its size); `RingIOError`; `CancellationError`.
    static func readChunk(of file: File, at offset: Int64, length: Int) async throws -> ByteBuffer {
        guard length > 0 else { return ByteBuffer() }
        var lease = try await file.executor.buffers.lease()
        let count = try await file.readFully(into: &lease, range: 0..<length, at: offset)
        guard count == length else {
            throw ServeError.failure("\(file.path ?? "file") ended at \(offset + Int64(count)) while \(offset + Int64(length)) bytes were expected (it shrank while being served)")
        }
        return lease.withUnsafeBytes { bytes in
            var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return buffer
        }
    }
}
