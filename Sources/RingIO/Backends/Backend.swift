internal import CRingIO

/// How the loop's requests reach the kernel: chosen once at setup, one `switch` per call (no
/// dynamic dispatch), and the loop's only view of the backends.
///
/// A third backend (the planned simulated kernel) is one more case here.
enum Backend {
    /// io_uring: batched submission through one ring.
    case ioUring(IOUringBackend)
    /// Blocking syscalls on a few threads (io_uring unavailable or not allowed).
    case threadPool(ThreadPoolBackend)

    /// Starts `request`; its result reaches `table` under `userData` (through the mailbox for
    /// thread-pool work). A request the backend refuses completes at once with the errno. Not
    /// after `close` (the loop refuses requests once shutdown begins).
    ///
    /// - Parameters:
    ///   - timeout: links an IORING_OP_LINK_TIMEOUT (io_uring only: a blocking call cannot be cut short).
    ///   - timeoutStorage: the in-flight slot's timespec.
    @inline(__always)
    func issue(
        _ request: IORequest, userData: UInt64, timeout: Duration?,
        timeoutStorage: UnsafeMutablePointer<__kernel_timespec>, table: OperationTable
    ) {
        switch self {
        case .ioUring(let ring):
            // Safety: the request's memory is kept valid by its builder until completion (IORequest); timeoutStorage is the held slot's timespec.
            if let refused = unsafe ring.issue(request, userData: userData, timeout: timeout, timeoutStorage: timeoutStorage) {
                table.complete(userData, result: refused)
            }
        case .threadPool(let pool):
            pool.issue(request, userData: userData)
        }
    }

    /// Asks the kernel to cancel `userData` (io_uring only; a blocking syscall ends when it ends).
    func cancel(_ userData: UInt64) {
        if case .ioUring(let ring) = self { ring.cancel(userData) }
    }

    /// After a job: submits at once when the I/O in flight is device-bound (io_uring only).
    @inline(__always)
    func submitIfDeviceBound(armedCount: Int) {
        if case .ioUring(let ring) = self { ring.submitIfDeviceBound(armedCount: armedCount) }
    }

    /// The turn's blocking step: submit, and when no job is ready, sleep until a completion or a
    /// post arrives; then hand the completions to `table`. After `close`, only the sleep.
    func submitAndWait(hasReadyJobs: Bool, table: OperationTable, mailbox: Mailbox) {
        switch self {
        case .ioUring(let ring):
            ring.turn(hasReadyJobs: hasReadyJobs, table: table)
        case .threadPool:
            // Results arrive as posts.
            if !hasReadyJobs { mailbox.sleepUntilPosted() }
        }
    }

    /// Puts `fd` in the registered-file table; nil when there is none or it is full.
    func registerFile(_ fd: Int32) -> Int32? {
        if case .ioUring(let ring) = self { return ring.registerFile(fd) }
        return nil
    }

    /// Empties a registered-file slot.
    func releaseFileSlot(_ slot: Int32) {
        if case .ioUring(let ring) = self { ring.releaseFileSlot(slot) }
    }

    /// Closes the backend (nothing may be in flight).
    func close(table: OperationTable) {
        switch self {
        case .ioUring(let ring): ring.close(table: table)
        case .threadPool(let pool): pool.close()
        }
    }
}
