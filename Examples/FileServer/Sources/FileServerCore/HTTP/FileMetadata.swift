/// What the server needs to know about an open file, whichever backend opened it.
public struct FileMetadata: Sendable, Hashable {
    /// Regular file, directory, or anything else (FIFO, device, socket…, never served).
    public enum Kind: Sendable, Hashable {
        case regular, directory, other
    }

    public var kind: Kind
    /// Size in bytes.
    public var size: Int64
    /// Last modification of the contents: seconds since the Unix epoch.
    public var modifiedSeconds: Int64
    /// The nanoseconds part of the modification time (for the ETag).
    public var modifiedNanoseconds: Int64
    /// The inode number (for the ETag).
    public var inode: UInt64

    public init(kind: Kind, size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64, inode: UInt64) {
        self.kind = kind
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.inode = inode
    }

    /// A strong entity tag built from inode, size and modification time: `"inode-size-mtime"` in hex.
    /// Both backends derive it from the same `stat` fields, so it is the same for either.
    public var entityTag: String {
        let nanoseconds = modifiedSeconds &* 1_000_000_000 &+ modifiedNanoseconds
        return "\"\(String(inode, radix: 16))-\(String(size, radix: 16))-\(String(nanoseconds, radix: 16))\""
    }

    /// The `Last-Modified` value.
    public var lastModified: String { HTTPDate.format(modifiedSeconds) }
}
