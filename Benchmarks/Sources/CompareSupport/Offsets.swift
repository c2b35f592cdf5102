import Synchronization

/// The cursor that sequential readers share: each claims the next block, wrapping at the end of
/// the file, so N readers keep N consecutive blocks in flight.
public final class SharedCursor: Sendable {
    private let next: Atomic<Int64>

    public init() { next = Atomic(0) }

    /// The offset of the next `blockSize` bytes; wraps to 0 after `fileSize`.
    @inline(__always)
    public func claim(blockSize: Int64, fileSize: Int64) -> Int64 {
        let blocks = max(1, fileSize / blockSize)
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return (index % blocks) &* blockSize
    }
}

/// Where one worker's next operation goes: random block-aligned offsets (xorshift64*, a
/// different stream per worker) or the shared sequential cursor.
public struct OffsetSource: Sendable {
    private var state: UInt64
    private let blocks: UInt64
    private let blockSize: Int64
    private let fileSize: Int64
    private let cursor: SharedCursor?

    /// - Parameters:
    ///   - worker: the worker's index (seeds its random stream).
    ///   - workload: decides block size and pattern.
    ///   - fileSize: size of the file in bytes.
    ///   - cursor: the shared cursor for sequential workloads.
    public init(worker: Int, workload: Workload, fileSize: Int64, cursor: SharedCursor) {
        state = 0x9E37_79B9_7F4A_7C15 &+ UInt64(worker) &* 0x1_0000_0001
        blockSize = Int64(workload.blockSize)
        self.fileSize = fileSize
        blocks = UInt64(max(1, fileSize / Int64(workload.blockSize)))
        self.cursor = workload.isSequential ? cursor : nil
    }

    @inline(__always)
    public mutating func next() -> Int64 {
        if let cursor { return cursor.claim(blockSize: blockSize, fileSize: fileSize) }
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        let value = state &* 0x2545_F491_4F6C_DD1D
        return Int64(value % blocks) &* blockSize
    }
}
