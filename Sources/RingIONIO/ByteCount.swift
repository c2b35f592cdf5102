/// A number of bytes, as NIOFileSystem spells limits and lengths (`.mebibytes(1)`), so that code
/// written for NIOFileSystem's `readToEnd(maximumSizeAllowed:)` and `readChunks(in:chunkLength:)`
/// keeps its arguments.
public struct ByteCount: Sendable, Hashable, Comparable {
    /// The count in bytes.
    public var bytes: Int

    /// `count` bytes.
    public static func bytes(_ count: Int) -> ByteCount { .init(bytes: count) }
    /// `count` × 1024 bytes.
    public static func kibibytes(_ count: Int) -> ByteCount { .init(bytes: count * 1024) }
    /// `count` × 1024² bytes.
    public static func mebibytes(_ count: Int) -> ByteCount { .init(bytes: count * 1024 * 1024) }
    /// `count` × 1024³ bytes.
    public static func gibibytes(_ count: Int) -> ByteCount { .init(bytes: count * 1024 * 1024 * 1024) }

    public static func < (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes < rhs.bytes }
}
