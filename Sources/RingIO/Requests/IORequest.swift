internal import CRingIO
import Glibc

/// One operation for the kernel, described as a value: what to do, on which descriptor, with
/// which memory.
///
/// The file layer builds it; `RequestEncoder` turns it into an SQE, the one place that chooses a
/// fixed or plain buffer, the registered file or the raw descriptor, and links. The io_uring
/// backend submits that SQE; the thread-pool backend executes the same encoding with blocking
/// syscalls. Every pointer in it must stay valid until the operation's completion.
struct IORequest {
    /// The operation and its arguments.
    @safe  // Safety: a request only describes memory; whoever builds one with an address keeps it valid until the completion (the unsafe act is at that call site).
    enum Kind {
        /// IORING_OP_NOP.
        case nop
        /// IORING_OP_READ_FIXED into a leased buffer (`bufferIndex`), or IORING_OP_READ into
        /// memory the caller owns (`bufferIndex` -1) or when the pool is not registered.
        case read(address: UnsafeMutableRawPointer, length: UInt32, offset: UInt64, bufferIndex: Int32)
        /// IORING_OP_WRITE_FIXED / IORING_OP_WRITE, chosen as for `read`.
        case write(address: UnsafeRawPointer, length: UInt32, offset: UInt64, bufferIndex: Int32)
        /// IORING_OP_READV.
        case readVectored(iovecs: UnsafePointer<iovec>, count: UInt32, offset: UInt64)
        /// IORING_OP_WRITEV.
        case writeVectored(iovecs: UnsafePointer<iovec>, count: UInt32, offset: UInt64)
        /// IORING_OP_OPENAT relative to the request's descriptor (a directory or AT_FDCWD).
        case open(path: UnsafePointer<CChar>, flags: Int32, permissions: UInt32)
        /// IORING_OP_CLOSE of the raw descriptor.
        case close
        /// IORING_OP_STATX of `path` relative to the descriptor (with AT_EMPTY_PATH: the descriptor itself).
        case status(path: UnsafePointer<CChar>, flags: Int32, mask: UInt32, into: UnsafeMutablePointer<statx>)
        /// IORING_OP_FSYNC, with IORING_FSYNC_DATASYNC when `dataOnly`.
        case sync(dataOnly: Bool)
        /// IORING_OP_FALLOCATE.
        case allocate(mode: Int32, offset: Int64, length: Int64)
        /// IORING_OP_FTRUNCATE (Linux 6.9+; a helper thread runs ftruncate(2) on older kernels).
        case truncate(size: Int64)
        /// IORING_OP_UNLINKAT relative to the descriptor.
        case unlink(path: UnsafePointer<CChar>, flags: Int32)
        /// IORING_OP_RENAMEAT, both paths relative to the descriptor.
        case rename(from: UnsafePointer<CChar>, to: UnsafePointer<CChar>)
        /// IORING_OP_MKDIRAT relative to the descriptor.
        case makeDirectory(path: UnsafePointer<CChar>, permissions: UInt32)
    }

    /// What to do.
    var kind: Kind
    /// The descriptor it acts on: the file, or for path operations the directory the path starts
    /// from (AT_FDCWD for the current directory). Unused by `nop`.
    var fd: Int32
    /// The file's slot in the ring's registered-file table, or -1. Used instead of `fd` by the
    /// operations that accept IOSQE_FIXED_FILE, when the backend has the table.
    var fileSlot: Int32

    init(_ kind: Kind, fd: Int32 = AT_FDCWD, fileSlot: Int32 = -1) {
        self.kind = kind
        self.fd = fd
        self.fileSlot = fileSlot
    }

    /// Whether the opcode names its file by registered slot when it has one (the transfers and
    /// the calls on an open file; not CLOSE, STATX or path operations, whose descriptor is a
    /// directory or must be the raw number).
    var acceptsRegisteredFile: Bool {
        switch kind {
        case .read, .write, .readVectored, .writeVectored, .sync, .allocate, .truncate: true
        case .nop, .open, .close, .status, .unlink, .rename, .makeDirectory: false
        }
    }

    /// Whether this is IORING_OP_FTRUNCATE, which kernels before 6.9 lack.
    var isTruncate: Bool {
        if case .truncate = kind { return true }
        return false
    }
}
