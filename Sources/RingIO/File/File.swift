internal import CRingIO
import Glibc
import Synchronization

/// An open file whose I/O goes through a `RingExecutor`'s ring.
///
/// Share it freely between tasks. Close it with `close()`; a file released while still open is
/// closed with close(2). Operations called from tasks that do not run on the executor hop onto it.
public final class File: Sendable {
    /// The executor whose ring performs this file's I/O (for a file of a group: the loop that
    /// opened it, which does the I/O of callers that are not on one of the group's loops).
    public let executor: RingExecutor
    /// The group whose loops may all do this file's I/O, if it was opened on one.
    public let group: RingExecutorGroup?
    /// The path it was opened with (or given when adopting a descriptor).
    public let path: String?
    private let state: Atomic<Int32>
    /// The file's slot in the ring's registered-file table, or -1 when it is not registered.
    let fixedSlot: Int32
    /// For files opened with `.direct`: what O_DIRECT requires (statx STATX_DIOALIGN), checked
    /// before every read and write so a misaligned request fails with an explanation.
    public let directIOAlignment: FileStatus.DirectIOAlignment?
    /// A regular file on a file system backed by a block device (ext4, xfs, … on a disk), or a
    /// block device: its reads and writes end on their own (the kernel copies from the page cache or
    /// waits for the device; it cannot abort either), so they run without a cancellation handler,
    /// which saves two task-status updates per I/O. A task cancelled meanwhile gets its data and
    /// sees `CancellationError` at its next operation. Everything else (network, FUSE and virtual
    /// file systems, tmpfs, pipes, sockets, character devices) can block for as long as it likes:
    /// its I/O is cancelled with IORING_OP_ASYNC_CANCEL at once.
    let transfersEndOnTheirOwn: Bool
    /// A pipe, socket, terminal or other character device, or a file without offsets (ESPIPE):
    /// reads of a stream must not overlap; each one takes the next bytes.
    let isStream: Bool
    /// A stream, or a file of procfs or sysfs, whose text the kernel generates as it is read:
    /// streaming reads it in order, one read at a time (a read ahead at a later offset would make
    /// the kernel generate everything before it again).
    let readsInOrder: Bool

    /// Whether the file is in the ring's registered-file table, so its I/O names it by slot
    /// (IOSQE_FIXED_FILE) and the kernel skips the descriptor lookup per request.
    public var isRegistered: Bool { fixedSlot >= 0 && descriptor != nil }

    /// The open descriptor, or nil once closed.
    public var descriptor: Int32? {
        let fd = state.load(ordering: .acquiring)
        return fd >= 0 ? fd : nil
    }

    /// Adopts an open descriptor; the `File` now owns it and closes it.
    ///
    /// - Parameters:
    ///   - descriptor: an open file descriptor.
    ///   - path: shown in errors, if known.
    ///   - executor: the executor whose ring performs the I/O.
    public init(unsafeDescriptor descriptor: Int32, path: String? = nil, on executor: RingExecutor) {
        self.executor = executor
        self.group = nil
        self.path = path
        self.state = Atomic(descriptor)
        self.fixedSlot = -1
        self.directIOAlignment = nil
        let kind = ringio_classify_descriptor(descriptor)
        self.transfersEndOnTheirOwn = kind & Int32(RINGIO_TRANSFERS_END_ON_THEIR_OWN) != 0
        self.isStream = kind & Int32(RINGIO_STREAM) != 0
        self.readsInOrder = kind & Int32(RINGIO_STREAM | RINGIO_READ_IN_ORDER) != 0
    }

    /// - Parameter classifiedAs: the `File` this one takes the descriptor over from, whose
    ///   classification still holds (saves classifying the same descriptor twice).
    private init(
        descriptor: Int32, fixedSlot: Int32, directIOAlignment: FileStatus.DirectIOAlignment?, path: String,
        classifiedAs previous: File? = nil, on executor: RingExecutor, group: RingExecutorGroup?
    ) {
        self.executor = executor
        self.group = group
        self.path = path
        self.state = Atomic(descriptor)
        self.fixedSlot = fixedSlot
        self.directIOAlignment = directIOAlignment
        if let previous {
            self.transfersEndOnTheirOwn = previous.transfersEndOnTheirOwn
            self.isStream = previous.isStream
            self.readsInOrder = previous.readsInOrder
        } else {
            let kind = ringio_classify_descriptor(descriptor)
            self.transfersEndOnTheirOwn = kind & Int32(RINGIO_TRANSFERS_END_ON_THEIR_OWN) != 0
            self.isStream = kind & Int32(RINGIO_STREAM) != 0
            self.readsInOrder = kind & Int32(RINGIO_STREAM | RINGIO_READ_IN_ORDER) != 0
        }
    }

    deinit {
        let fd = state.load(ordering: .acquiring)
        guard fd >= 0 else { return }
        if fixedSlot >= 0 { executor.door.releaseFileSlot(fixedSlot) }
        _ = Glibc.close(fd)
    }

    /// Opens a file through the ring.
    ///
    /// - Parameters:
    ///   - path: absolute, or relative to `directory` (or to the current directory when nil).
    ///   - directory: an open directory (see `Options.directory`) that relative paths start from.
    ///   - mode: read, write or both; default read-only.
    ///   - options: create, exclusive, truncate, append, direct, directory.
    ///   - permissions: mode bits for a created file; default 0o644.
    ///   - timeout: if set, the open is cancelled by the kernel when it takes longer (`.timedOut`).
    ///   - executor: the executor whose ring performs the I/O.
    /// - Returns: the open file.
    /// - Throws: `RingIOError` with the path and errno (ENOENT, EACCES, EISDIR, …).
    /// - Note: issues IORING_OP_OPENAT (and IORING_OP_STATX for `.direct`), then registers the file
    ///   in the ring's fixed-file table while it has a free slot.
    public static func open(
        _ path: String,
        relativeTo directory: File? = nil,
        mode: Mode = .readOnly,
        options: Options = [],
        permissions: UInt32 = 0o644,
        timeout: Duration? = nil,
        on executor: RingExecutor
    ) async throws -> File {
        try await open(
            KernelPath(path), relativeTo: directory, mode: mode, options: options, permissions: permissions, timeout: timeout,
            on: executor, group: nil)
    }

    /// Opens a file for every loop of `group`: I/O from a task on one of its loops runs on that
    /// loop's ring; from elsewhere, on the loop that opened it (the caller's, or the next).
    ///
    /// - Parameters: as `open(_:relativeTo:mode:options:permissions:timeout:on:)`.
    /// - Returns: the open file.
    /// - Throws: `RingIOError` with the path and errno (ENOENT, EACCES, EISDIR, …).
    /// - Note: issues IORING_OP_OPENAT on that loop, and registers the file in that loop's
    ///   fixed-file table; the other loops name it by its descriptor.
    public static func open(
        _ path: String,
        relativeTo directory: File? = nil,
        mode: Mode = .readOnly,
        options: Options = [],
        permissions: UInt32 = 0o644,
        timeout: Duration? = nil,
        on group: RingExecutorGroup
    ) async throws -> File {
        try await open(
            KernelPath(path), relativeTo: directory, mode: mode, options: options, permissions: permissions, timeout: timeout,
            on: group.currentLoop ?? group.next(), group: group)
    }

    /// The one implementation of every `open`: a `String` or a `FilePath`, on an executor (of a group).
    static func open(
        _ kernelPath: KernelPath, relativeTo directory: File?, mode: Mode, options: Options, permissions: UInt32,
        timeout: Duration?, on executor: RingExecutor, group: RingExecutorGroup?
    ) async throws -> File {
        let flags = mode.flags | options.rawValue | O_CLOEXEC
        // Safety: cPath stays allocated until this closure returns, and perform returns only after the OPENAT's completion (even if cancelled).
        let path = kernelPath.description
        let (fd, slot) = unsafe try await withKernelPath(kernelPath, .open) { cPath in
            try await executor.onLoop {
                let base = try directory?.openDescriptor(for: .open) ?? AT_FDCWD
                let fd = unsafe try await executor.door.perform(
                    IORequest(.open(path: cPath, flags: flags, permissions: permissions), fd: base),
                    .open, path: path, timeout: timeout)
                return (fd, executor.door.registerFile(fd) ?? -1)
            }
        }
        let file = File(descriptor: fd, fixedSlot: slot, directIOAlignment: nil, path: path, on: executor, group: group)
        guard options.contains(.direct) else { return file }
        // O_DIRECT: learn the alignment once, with IORING_OP_STATX.
        let status = try await file.status(timeout: timeout)
        // Without STATX_DIOALIGN (kernels before 6.1) assume 4096, which also suits 4K-sector disks.
        let alignment = status.directIOAlignment ?? .init(memory: 4096, offset: 4096)
        return File(
            descriptor: file.takeDescriptor(), fixedSlot: slot, directIOAlignment: alignment, path: path,
            classifiedAs: file, on: executor, group: group)
    }

    /// Hands the descriptor over to a new `File` (this one then neither closes nor releases it).
    private func takeDescriptor() -> Int32 {
        state.exchange(-1, ordering: .acquiringAndReleasing)
    }

    /// The descriptor, or `.closed` (EBADF) if this process closed the file.
    func openDescriptor(for operation: Operation) throws -> Int32 {
        let fd = state.load(ordering: .acquiring)
        guard fd >= 0 else { throw RingIOError.closed(operation, path: path, fd: nil) }
        return fd
    }

    /// Closes the file. Later operations throw `RingIOError` `.closed` (errno EBADF).
    ///
    /// Runs even if the task is cancelled, and falls back to close(2) after the executor shut down.
    ///
    /// - Throws: `RingIOError` `.closed` if already closed, or the kernel's error.
    /// - Note: issues IORING_OP_CLOSE.
    public func close() async throws {
        let fd = state.exchange(-1, ordering: .acquiringAndReleasing)
        guard fd >= 0 else { throw RingIOError.closed(.close, path: path, fd: nil) }
        do {
            _ = try await executor.onLoop {
                defer {
                    // After the CLOSE: requests prepared earlier in this turn still find the slot.
                    if fixedSlot >= 0 { executor.door.releaseFileSlot(fixedSlot) }
                }
                return try await executor.door.perform(IORequest(.close, fd: fd), .close, path: path, fd: fd, cancellable: false)
            }
        } catch let error as RingIOError where error.code == .shutDown || error.errno == .resourceBusy {
            // The CLOSE never reached the kernel (shut down, or the queue refused it): close here.
            _ = Glibc.close(fd)
        }
    }

    /// The loop that does this call's I/O, and the file's registered slot there (-1: the raw
    /// descriptor): the caller's loop when it is one of the file's group, else the file's own.
    @inline(__always)
    var loopForThisCall: (executor: RingExecutor, fixedSlot: Int32) {
        if let group, let loop = group.currentLoop, loop !== executor { return (loop, -1) }
        return (executor, fixedSlot)
    }

    /// Runs one operation on the loop with the current descriptor, refusing a closed file.
    ///
    /// - Parameters:
    ///   - operation: names it in errors.
    ///   - timeout: links an IORING_OP_LINK_TIMEOUT to the operation when set.
    ///   - transfer: a read or write: on a file whose transfers end on their own
    ///     (`transfersEndOnTheirOwn`) it runs without a cancellation handler.
    ///   - request: describes the operation for the descriptor; the request carries the file's
    ///     registered slot too, which the encoder uses where the opcode accepts it.
    @inline(__always)
    func withDescriptor(
        _ operation: Operation,
        timeout: Duration? = nil,
        transfer: Bool = false,
        _ request: (Int32) -> IORequest.Kind
    ) async throws -> Int32 {
        let (executor, fixedSlot) = loopForThisCall
        return try await executor.onLoop {
            // Checked on the loop, so a close() that ran before this point is always seen.
            let fd = try openDescriptor(for: operation)
            let cancelInFlight = !(transfer && transfersEndOnTheirOwn)
            return try await executor.door.perform(
                IORequest(request(fd), fd: fd, fileSlot: fixedSlot), operation,
                path: path, fd: fd, cancelInFlight: cancelInFlight, timeout: timeout,
                revalidate: { _ = try openDescriptor(for: operation) })
        }
    }

    /// Checks that `lease` belongs to this file's executor and that `range` lies inside it.
    @inline(__always)
    func address(
        of range: Range<Int>, in lease: borrowing BufferLease, offset: Int64, _ operation: Operation
    ) throws -> UnsafeMutableRawPointer {
        guard lease.pool === executor.buffers else {
            throw RingIOError.invalidArgument(operation, path: path, fd: descriptor, "The lease comes from another executor's pool; lease from this file's executor")
        }
        guard offset >= 0, offset <= Int64.max - Int64(range.count) else {
            throw RingIOError.invalidArgument(operation, path: path, fd: descriptor, "The file offset must be 0 or more, and offset + length must fit in 63 bits (got \(offset))")
        }
        // Safety: unsafeAddress checks range against the lease's capacity; the pool check above ties lease.index to this executor's registration.
        guard let address = unsafe lease.unsafeAddress(of: range) else {
            throw RingIOError.invalidArgument(operation, path: path, fd: descriptor, "The range \(range) does not lie inside the lease (0..<\(lease.capacity))")
        }
        // Safety: the address is only tested for alignment and handed back; callers keep the lease until the I/O using it completes.
        unsafe try checkDirectAlignment(address: address, length: range.count, offset: offset, operation)
        return unsafe address
    }

    /// For O_DIRECT files: refuses a request the kernel would answer with a bare EINVAL.
    @inline(__always)
    func checkDirectAlignment(address: UnsafeRawPointer, length: Int, offset: Int64, _ operation: Operation) throws {
        guard let alignment = directIOAlignment else { return }
        let badOffset = offset % Int64(alignment.offset) != 0
        let badLength = length % alignment.offset != 0
        let badAddress = UInt(bitPattern: address) % UInt(alignment.memory) != 0
        guard badOffset || badLength || badAddress else { return }
        var problems: [String] = []
        if badOffset { problems.append("offset \(offset) is not a multiple of \(alignment.offset)") }
        if badLength { problems.append("length \(length) is not a multiple of \(alignment.offset)") }
        if badAddress { problems.append("the buffer address is not a multiple of \(alignment.memory) (use a lease range starting at a multiple of \(alignment.memory))") }
        throw RingIOError.invalidArgument(
            operation, path: path, fd: descriptor,
            "The file is open with O_DIRECT, which needs file offsets and lengths aligned to \(alignment.offset) bytes and buffers aligned to \(alignment.memory) bytes (statx): " + problems.joined(separator: "; "))
    }
}
