import FileServerCore
import NIOCore
import _NIOFileSystem

/// A file opened through NIOFileSystem; bodies stream with `readChunks(in:chunkLength:)`, which
/// reads ahead on NIO's thread pool by itself.
///
/// NIOFileSystem traps when a handle is dropped while open, so if no body ever runs (the head
/// could not be written) the descriptor is detached and closed when this object is destroyed.
public final class NIOOpenFile: OpenFile {
    let handle: ReadFileHandle
    public let metadata: FileMetadata
    let settings: StreamSettings
    let stats: ServerStats
    private let closed = OnceFlag()

    init(handle: ReadFileHandle, metadata: FileMetadata, settings: StreamSettings, stats: ServerStats) {
        self.handle = handle
        self.metadata = metadata
        self.settings = settings
        self.stats = stats
        stats.fileOpened()
    }

    deinit {
        if closed.claim() {
            stats.fileClosed()
            if let descriptor = try? handle.detachUnsafeFileDescriptor() { try? descriptor.close() }
        }
    }

    public func read(_ range: Range<Int64>) async throws -> ByteBuffer {
        guard !range.isEmpty else { return ByteBuffer() }
        let buffer = try await handle.readChunk(fromAbsoluteOffset: range.lowerBound, length: .bytes(Int64(range.count)))
        guard buffer.readableBytes == range.count else {
            throw ServeError.failure("the file ended early (it shrank while being served)")
        }
        return buffer
    }

    public func chunks(_ range: Range<Int64>) -> any ChunkReader {
        NIOChunkReader(handle.readChunks(in: range, chunkLength: .bytes(Int64(settings.chunkSize))),
                       expected: Int64(range.count))
    }

    public func close() async {
        guard closed.claim() else { return }
        stats.fileClosed()
        try? await handle.close()
    }
}
