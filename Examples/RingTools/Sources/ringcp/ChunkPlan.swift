import Synchronization

/// One piece of the copy: `length` bytes at `offset` (the same offset in both files).
struct Chunk: Sendable, Hashable {
    /// The file offset, a multiple of the chunk size.
    let offset: Int64
    /// Bytes to copy: the chunk size, or less for the file's last chunk.
    let length: Int
}

/// The chunks to copy, handed out one at a time to the pipeline's workers.
///
/// The file is cut into `chunkSize` pieces at multiples of `chunkSize` (so O_DIRECT offsets stay
/// aligned); a piece is copied when it overlaps a data extent, and skipped when it lies wholly in a
/// hole. Holes shorter than a chunk, or not chunk-aligned, become zeros in the copy.
final class ChunkPlan: Sendable {
    /// Bytes per chunk (the buffer size).
    let chunkSize: Int
    /// The source's size.
    let size: Int64
    /// Bytes that will be read and written (less than `size` when holes are skipped).
    let dataBytes: Int64
    private let extents: [Range<Int64>]
    private let cursor: Mutex<Cursor>

    /// Where the next chunk comes from: an extent and the next chunk index not yet handed out.
    private struct Cursor {
        var extent = 0
        var nextIndex: Int64 = 0
    }

    /// Creates the plan.
    ///
    /// - Parameters:
    ///   - extents: data ranges in order (see `DataExtents.find`).
    ///   - size: the source's size.
    ///   - chunkSize: bytes per chunk (more than 0).
    init(extents: [Range<Int64>], size: Int64, chunkSize: Int) {
        self.extents = extents
        self.size = size
        self.chunkSize = chunkSize
        self.cursor = Mutex(Cursor())
        var cursor = Cursor()
        var total: Int64 = 0
        while let chunk = Self.next(&cursor, extents: extents, size: size, chunkSize: chunkSize) {
            total += Int64(chunk.length)
        }
        self.dataBytes = total
    }

    /// The next chunk to copy, or nil when every chunk has been handed out. Safe from any task.
    func next() -> Chunk? {
        cursor.withLock { Self.next(&$0, extents: extents, size: size, chunkSize: chunkSize) }
    }

    private static func next(_ cursor: inout Cursor, extents: [Range<Int64>], size: Int64, chunkSize: Int) -> Chunk? {
        let step = Int64(chunkSize)
        while cursor.extent < extents.count {
            let extent = extents[cursor.extent]
            let first = max(cursor.nextIndex, extent.lowerBound / step)
            let last = (extent.upperBound - 1) / step
            if first > last {
                cursor.extent += 1
                continue
            }
            cursor.nextIndex = first + 1
            let offset = first * step
            return Chunk(offset: offset, length: Int(min(step, size - offset)))
        }
        return nil
    }
}
