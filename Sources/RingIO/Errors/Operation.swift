/// Inside RingIO, `Operation` is `RingIOError.Operation` (nested, so it cannot clash with Foundation's).
typealias Operation = RingIOError.Operation

extension RingIOError {
    /// Names the operation an error came from, e.g. `.readFixed` or `.registerBuffers`.
    public struct Operation: Sendable, Hashable, CustomStringConvertible {
        /// The operation's name as shown in messages.
        public let name: String

        /// Creates an operation name.
        public init(_ name: String) { self.name = name }

        public var description: String { name }

        /// Checking a configuration before anything is set up (errors read "invalid configuration").
        public static let configuration = Operation("configuration")
        /// io_uring_queue_init (ring setup).
        public static let setup = Operation("io_uring setup")
        /// io_uring_register_buffers.
        public static let registerBuffers = Operation("register buffers")
        /// Leasing a buffer from the pool.
        public static let lease = Operation("lease buffer")
        /// IORING_OP_OPENAT.
        public static let open = Operation("open")
        /// IORING_OP_CLOSE.
        public static let close = Operation("close")
        /// IORING_OP_READ_FIXED.
        public static let readFixed = Operation("read (READ_FIXED)")
        /// IORING_OP_WRITE_FIXED.
        public static let writeFixed = Operation("write (WRITE_FIXED)")
        /// Setting up or using a pipeline (`File.withPipeline`); its operations report `readFixed`/`writeFixed`.
        public static let pipeline = Operation("pipeline")
        /// IORING_OP_NOP.
        public static let nop = Operation("nop")
        /// IORING_OP_STATX.
        public static let stat = Operation("stat (STATX)")
        /// IORING_OP_FSYNC.
        public static let sync = Operation("sync (FSYNC)")
        /// IORING_OP_FSYNC with IORING_FSYNC_DATASYNC.
        public static let dataSync = Operation("data sync (FSYNC DATASYNC)")
        /// IORING_OP_FALLOCATE.
        public static let allocate = Operation("allocate (FALLOCATE)")
        /// IORING_OP_FTRUNCATE, or ftruncate(2) where the kernel lacks it.
        public static let truncate = Operation("truncate")
        /// IORING_OP_UNLINKAT.
        public static let unlink = Operation("unlink (UNLINKAT)")
        /// IORING_OP_RENAMEAT.
        public static let rename = Operation("rename (RENAMEAT)")
        /// IORING_OP_MKDIRAT.
        public static let makeDirectory = Operation("make directory (MKDIRAT)")
        /// IORING_OP_READ into caller memory.
        public static let read = Operation("read (READ)")
        /// IORING_OP_WRITE from caller memory.
        public static let write = Operation("write (WRITE)")
        /// IORING_OP_READV.
        public static let readVectored = Operation("read (READV)")
        /// IORING_OP_WRITEV.
        public static let writeVectored = Operation("write (WRITEV)")
        /// Submitting to the ring (io_uring_enter).
        public static let submit = Operation("submit")
    }
}
