internal import CRingIO

/// The backend for hosts without io_uring: requests are encoded as for the ring and executed with
/// blocking syscalls by a few worker threads (`WorkerPool`); results come back through the mailbox.
///
/// Also the io_uring backend's helper for opcodes its kernel lacks (IORING_OP_FTRUNCATE before
/// Linux 6.9), so the loop thread never blocks on them. A blocking syscall cannot be interrupted:
/// cancellation and timeouts take effect only when it returns. Loop-confined.
final class ThreadPoolBackend {
    private let workers: WorkerPool
    /// Raw descriptors and plain buffers: the syscalls know neither registered files nor buffers.
    private let encoder = RequestEncoder(fixedBuffers: false, registeredFiles: false)

    /// Starts `threadCount` workers whose results are posted to `mailbox`.
    ///
    /// - Throws: `RingIOError` if no thread could be started.
    init(threadCount: Int, mailbox: Mailbox) throws(RingIOError) {
        workers = try WorkerPool(threadCount: threadCount) { userData, result in
            mailbox.post { $0.completions.append((userData, result)) }
        }
    }

    /// Hands `request` to a worker; its result arrives in the mailbox under `userData`.
    @inline(__always)
    func issue(_ request: IORequest, userData: UInt64) {
        var work = WorkerPool.Request(sqe: io_uring_sqe(), userData: userData)
        // Safety: the pointer to the local SQE is used only inside the closure; the addresses it records stay valid until completion (IORequest).
        unsafe withUnsafeMutablePointer(to: &work.sqe) { unsafe encoder.encode(request, userData: userData, into: $0) }
        workers.submit(work)
    }

    /// Lets the workers end (call when nothing is in flight).
    func close() {
        workers.stop()
    }
}

@available(*, unavailable)
extension ThreadPoolBackend: Sendable {}
