internal import CRingIO
import Glibc

/// What `statx` reports about a file.
public struct FileStatus: Sendable, Hashable {
    /// The kind of file.
    public enum Kind: Sendable, Hashable {
        case regular, directory, symbolicLink, characterDevice, blockDevice, fifo, socket, unknown
    }

    /// A point in time: seconds and nanoseconds since the Unix epoch.
    public struct Timestamp: Sendable, Hashable, Comparable {
        public var seconds: Int64
        public var nanoseconds: UInt32

        public init(seconds: Int64, nanoseconds: UInt32) {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
        }

        public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
            (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
        }
    }

    /// What O_DIRECT requires of this file (STATX_DIOALIGN, Linux 6.1+ and supporting file systems).
    public struct DirectIOAlignment: Sendable, Hashable {
        /// Alignment in bytes of user buffers.
        public var memory: Int
        /// Alignment in bytes of file offsets and lengths.
        public var offset: Int

        /// - Parameters:
        ///   - memory: alignment in bytes of user buffers.
        ///   - offset: alignment in bytes of file offsets and lengths.
        public init(memory: Int, offset: Int) {
            self.memory = memory
            self.offset = offset
        }
    }

    /// A device number, split as the kernel reports it (`makedev(major, minor)`).
    public struct Device: Sendable, Hashable {
        public var major: UInt32
        public var minor: UInt32

        public init(major: UInt32, minor: UInt32) {
            self.major = major
            self.minor = minor
        }
    }

    public var kind: Kind
    /// Size in bytes.
    public var size: Int64
    /// The file system's preferred I/O size.
    public var blockSize: Int
    /// Space allocated, in 512-byte units.
    public var allocatedBlocks: Int64
    /// Permission bits (including set-user-ID, set-group-ID and sticky), e.g. 0o644.
    public var permissions: UInt32
    public var linkCount: Int
    public var userID: UInt32
    public var groupID: UInt32
    public var inode: UInt64
    /// The device holding the file; with `inode`, identifies the file (two paths name the same
    /// file when both are equal).
    public var device: Device
    /// For character and block devices: the device the file stands for; zero otherwise.
    public var representedDevice: Device
    /// Last access.
    public var accessed: Timestamp
    /// Last change of contents.
    public var modified: Timestamp
    /// Last change of metadata.
    public var statusChanged: Timestamp
    /// Creation time, where the file system records it.
    public var created: Timestamp?
    /// O_DIRECT alignment, where the kernel and file system report it.
    public var directIOAlignment: DirectIOAlignment?

    init(_ raw: statx) {
        // The S_IF* file type bits, the same on every Linux architecture.
        switch UInt32(raw.stx_mode) & 0o170000 {
        case 0o100000: kind = .regular
        case 0o040000: kind = .directory
        case 0o120000: kind = .symbolicLink
        case 0o020000: kind = .characterDevice
        case 0o060000: kind = .blockDevice
        case 0o010000: kind = .fifo
        case 0o140000: kind = .socket
        default: kind = .unknown
        }
        size = Int64(bitPattern: raw.stx_size)
        blockSize = Int(raw.stx_blksize)
        allocatedBlocks = Int64(bitPattern: raw.stx_blocks)
        permissions = UInt32(raw.stx_mode) & 0o7777
        linkCount = Int(raw.stx_nlink)
        userID = raw.stx_uid
        groupID = raw.stx_gid
        inode = raw.stx_ino
        device = Device(major: raw.stx_dev_major, minor: raw.stx_dev_minor)
        representedDevice = Device(major: raw.stx_rdev_major, minor: raw.stx_rdev_minor)
        accessed = Timestamp(seconds: raw.stx_atime.tv_sec, nanoseconds: raw.stx_atime.tv_nsec)
        modified = Timestamp(seconds: raw.stx_mtime.tv_sec, nanoseconds: raw.stx_mtime.tv_nsec)
        statusChanged = Timestamp(seconds: raw.stx_ctime.tv_sec, nanoseconds: raw.stx_ctime.tv_nsec)
        created = raw.stx_mask & UInt32(STATX_BTIME) != 0
            ? Timestamp(seconds: raw.stx_btime.tv_sec, nanoseconds: raw.stx_btime.tv_nsec) : nil
        directIOAlignment = raw.stx_mask & UInt32(STATX_DIOALIGN) != 0 && raw.stx_dio_offset_align != 0
            ? DirectIOAlignment(memory: Int(raw.stx_dio_mem_align), offset: Int(raw.stx_dio_offset_align)) : nil
    }

    /// What RingIO asks statx for.
    static let mask = UInt32(STATX_BASIC_STATS) | UInt32(STATX_BTIME) | UInt32(STATX_DIOALIGN)
}
