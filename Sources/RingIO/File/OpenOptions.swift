internal import CRingIO
import Glibc

extension File {
    /// Read, write or both (O_RDONLY / O_WRONLY / O_RDWR).
    public enum Mode: Sendable, Hashable {
        case readOnly, writeOnly, readWrite

        var flags: Int32 {
            switch self {
            case .readOnly: return O_RDONLY
            case .writeOnly: return O_WRONLY
            case .readWrite: return O_RDWR
            }
        }
    }

    /// Extra open(2) flags. O_CLOEXEC is always added.
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// O_CREAT: create the file if missing, with the given permissions.
        public static let create = Options(rawValue: O_CREAT)
        /// O_EXCL (with `.create`): fail with EEXIST if the file exists.
        public static let exclusive = Options(rawValue: O_EXCL)
        /// O_TRUNC: truncate to 0 bytes.
        public static let truncate = Options(rawValue: O_TRUNC)
        /// O_APPEND: every write goes to the end.
        public static let append = Options(rawValue: O_APPEND)
        /// O_DIRECT: bypass the page cache (offsets, lengths and buffers must be aligned).
        public static let direct = Options(rawValue: ringio_o_direct())
        /// O_DIRECTORY: fail with ENOTDIR unless the path is a directory (open directories to use them
        /// as the base of `relativeTo:` paths).
        public static let directory = Options(rawValue: ringio_o_directory())
        /// O_NONBLOCK: opening a FIFO does not wait for its other end (check `FileStatus.kind`
        /// before reading from what you opened).
        public static let nonBlocking = Options(rawValue: O_NONBLOCK)
    }
}
