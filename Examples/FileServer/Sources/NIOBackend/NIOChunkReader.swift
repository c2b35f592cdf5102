import FileServerCore
import NIOCore
import _NIOFileSystem

/// NIOFileSystem's chunk stream as a `ChunkReader`: `readChunks(in:chunkLength:)` reads ahead on
/// NIO's thread pool by itself; dropping the iterator stops it.
final class NIOChunkReader: ChunkReader {
    private var iterator: FileChunks.AsyncIterator
    private var remaining: Int64

    /// - Parameters:
    ///   - chunks: the stream.
    ///   - expected: the bytes promised to the client (Content-Length).
    init(_ chunks: FileChunks, expected: Int64) {
        self.iterator = chunks.makeAsyncIterator()
        self.remaining = expected
    }

    /// `@concurrent`, like NIO's own iterator: it runs off the caller's executor anyway.
    @concurrent func next() async throws -> ByteBuffer? {
        guard remaining > 0 else { return nil }
        guard let chunk = try await iterator.next() else {
            throw ServeError.failure("the file ended \(remaining) bytes early (it shrank while being served)")
        }
        remaining -= Int64(chunk.readableBytes)
        return chunk
    }

    func cancelAndDrain() async {
        remaining = 0
    }
}
