import Glibc

/// Inside RingIO, `Errno` is `RingIOError.Errno` (nested, so it cannot clash with swift-system's).
typealias Errno = RingIOError.Errno

extension RingIOError {
    /// A POSIX error number as the kernel reported it, e.g. `.noSuchFileOrDirectory` (ENOENT).
    public struct Errno: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The numeric value (positive).
        public let rawValue: Int32

        /// Wraps an errno value.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// strerror's text, e.g. "No such file or directory".
        public var description: String { unsafe String(cString: strerror(rawValue)) }  // Safety: strerror's NUL-terminated result (static or per-thread) is copied at once.

        /// The C name, e.g. "ENOENT".
        public var symbolicName: String { Errno.names[rawValue] ?? "errno \(rawValue)" }

        public static let notPermitted = Errno(rawValue: EPERM)
        public static let noSuchFileOrDirectory = Errno(rawValue: ENOENT)
        public static let interrupted = Errno(rawValue: EINTR)
        public static let ioError = Errno(rawValue: EIO)
        public static let badFileDescriptor = Errno(rawValue: EBADF)
        public static let resourceTemporarilyUnavailable = Errno(rawValue: EAGAIN)
        public static let noMemory = Errno(rawValue: ENOMEM)
        public static let permissionDenied = Errno(rawValue: EACCES)
        public static let badAddress = Errno(rawValue: EFAULT)
        public static let resourceBusy = Errno(rawValue: EBUSY)
        public static let fileExists = Errno(rawValue: EEXIST)
        public static let notDirectory = Errno(rawValue: ENOTDIR)
        public static let isDirectory = Errno(rawValue: EISDIR)
        public static let invalidArgument = Errno(rawValue: EINVAL)
        public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
        public static let fileTooLarge = Errno(rawValue: EFBIG)
        public static let noSpace = Errno(rawValue: ENOSPC)
        public static let illegalSeek = Errno(rawValue: ESPIPE)
        public static let readOnlyFileSystem = Errno(rawValue: EROFS)
        public static let brokenPipe = Errno(rawValue: EPIPE)
        public static let noFunction = Errno(rawValue: ENOSYS)
        public static let notSupported = Errno(rawValue: EOPNOTSUPP)
        public static let canceled = Errno(rawValue: ECANCELED)
        public static let timedOut = Errno(rawValue: ETIMEDOUT)

        private static let names: [Int32: String] = [
            EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", EBADF: "EBADF", EAGAIN: "EAGAIN",
            ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST",
            ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", EMFILE: "EMFILE", ENFILE: "ENFILE",
            EFBIG: "EFBIG", ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS", EPIPE: "EPIPE",
            ENOSYS: "ENOSYS", EOPNOTSUPP: "EOPNOTSUPP", ECANCELED: "ECANCELED", ETIMEDOUT: "ETIMEDOUT",
            ENAMETOOLONG: "ENAMETOOLONG", ELOOP: "ELOOP", EXDEV: "EXDEV", ENXIO: "ENXIO", ENODEV: "ENODEV",
        ]
    }
}
