
/// The one error type RingIO throws (besides `CancellationError` for cancelled tasks).
///
/// Every error says what was attempted (`operation`), on what (`path` and/or `fd`), the kernel's
/// answer (`errno`, when there was one) and, in `description`, what a person can do about it.
public struct RingIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; `errno` refines `.system`.
    public enum Code: Sendable, Hashable {
        /// The kernel or libc refused the operation; see `errno`.
        case system
        /// io_uring cannot be used here (disabled by sysctl, blocked by seccomp, or not built in).
        case ioUringUnavailable
        /// Registering buffers would exceed RLIMIT_MEMLOCK.
        case lockedMemoryLimit
        /// The kernel will not pin file-backed memory for fixed buffers.
        case fileBackedMemory
        /// A buffer is larger than the kernel's 1 GiB limit for one registered buffer.
        case bufferTooLarge
        /// An argument was refused before asking the kernel.
        case invalidArgument
        /// The executor has been shut down.
        case shutDown
        /// The file was closed by this process before the operation.
        case closed
        /// The operation did not finish before its timeout; the kernel cancelled it (IORING_OP_LINK_TIMEOUT).
        case timedOut
        /// This build or Swift runtime cannot do it (e.g. installing a global executor in the
        /// public-API build, or where another library already installed one).
        case unsupported
    }

    /// What kind of failure this is.
    public var code: Code
    /// The errno the kernel returned, if the kernel was asked.
    public var errno: Errno?
    /// The operation that failed.
    public var operation: Operation
    /// The file's path, when the operation concerns a named file.
    public var path: String?
    /// The file descriptor, when the operation concerns an open file.
    public var fd: Int32?
    /// A sentence on what to do about it.
    public var hint: String?
    /// For `.timedOut` (and other failures of the `…Fully` helpers): bytes moved before the failure.
    public var bytesTransferred: Int?

    /// Creates an error; most code uses the static helpers instead.
    public init(
        code: Code,
        errno: Errno? = nil,
        operation: Operation,
        path: String? = nil,
        fd: Int32? = nil,
        hint: String? = nil
    ) {
        self.code = code
        self.errno = errno
        self.operation = operation
        self.path = path
        self.fd = fd
        self.hint = hint
    }

    public var description: String {
        if (code == .invalidArgument || code == .bufferTooLarge) && operation == .configuration {
            // Refused before any syscall: no errno to show, only what to change.
            return "RingIO: invalid configuration: " + (hint ?? "refused")
        }
        var target: [String] = []
        if let path { target.append("'\(path)'") }
        if let fd { target.append("fd \(fd)") }
        var text = "RingIO: \(operation)"
        if !target.isEmpty { text += " of " + target.joined(separator: ", ") }
        text += " failed"
        if let errno {
            text += ": \(errno.description) (\(errno.symbolicName), errno \(errno.rawValue))"
        } else {
            text += ": \(code)"
        }
        if let hint { text += ". " + hint }
        return text
    }
}

extension RingIOError {
    /// Turns a negative io_uring/liburing result into an error. The single place where `-errno` becomes `Errno`.
    ///
    /// - Parameters:
    ///   - result: the negative `cqe->res` or liburing return value.
    ///   - operation: what was attempted.
    ///   - path: the file's path, if known.
    ///   - fd: the descriptor, if any.
    static func fromResult(_ result: Int32, operation: Operation, path: String? = nil, fd: Int32? = nil) -> RingIOError {
        precondition(result < 0, "only negative results are errors")
        let errno = Errno(rawValue: -result)
        return RingIOError(
            code: .system, errno: errno, operation: operation, path: path, fd: fd,
            hint: Self.hint(for: errno, operation: operation))
    }

    /// The error for an operation attempted after `shutdown()`.
    static func shutDown(_ operation: Operation, path: String? = nil, fd: Int32? = nil) -> RingIOError {
        RingIOError(
            code: .shutDown, operation: operation, path: path, fd: fd,
            hint: "The RingExecutor was shut down; create a new executor to do more I/O")
    }

    /// The error for an operation on a `File` that this process has already closed.
    static func closed(_ operation: Operation, path: String?, fd: Int32?) -> RingIOError {
        RingIOError(
            code: .closed, errno: .badFileDescriptor, operation: operation, path: path, fd: fd,
            hint: "The file was already closed with close(); open it again to use it")
    }

    /// The error for an operation whose linked timeout fired.
    static func timedOut(_ operation: Operation, after timeout: Duration, path: String?, fd: Int32?) -> RingIOError {
        var error = RingIOError(
            code: .timedOut, errno: .timedOut, operation: operation, path: path, fd: fd,
            hint: "It did not complete within \(timeout); the kernel cancelled it, and its buffer is free again")
        error.bytesTransferred = 0
        return error
    }

    /// The error for an argument refused before the kernel is asked.
    static func invalidArgument(_ operation: Operation, path: String? = nil, fd: Int32? = nil, _ hint: String) -> RingIOError {
        RingIOError(code: .invalidArgument, errno: .invalidArgument, operation: operation, path: path, fd: fd, hint: hint)
    }

    private static func hint(for errno: Errno, operation: Operation) -> String? {
        switch errno {
        case .noSuchFileOrDirectory:
            return "No file or directory exists at that path; check the path and the current directory"
        case .permissionDenied:
            return "Permission denied: check the file's mode and that every parent directory is searchable (x) by this user"
        case .isDirectory:
            return operation == .open
                ? "The path is a directory; open a regular file (or open it read-only for directory operations)"
                : "The descriptor refers to a directory, which cannot be read or written as a file"
        case .badFileDescriptor:
            return "The descriptor is not open, or not open for this kind of access (e.g. writing a read-only file)"
        case .noSpace:
            return "No space left on the device; free space or write elsewhere"
        case .fileExists:
            return "The file already exists and .exclusive was requested"
        case .tooManyOpenFiles:
            return "The process hit its open-file limit (RLIMIT_NOFILE); close files or raise `ulimit -n`"
        case .invalidArgument where operation == .readFixed || operation == .writeFixed:
            return "The kernel refused the request: the range may lie outside the registered buffer, or O_DIRECT alignment is not met"
        case .resourceTemporarilyUnavailable:
            return "The descriptor is non-blocking and no data is ready"
        case .ioError:
            return "The device reported an I/O error"
        case .readOnlyFileSystem:
            return "The file system is mounted read-only"
        default:
            return nil
        }
    }
}
