internal import CRingIO
import DequeModule
import Glibc
import Synchronization

/// The thread-pool backend: a few threads that perform the requests SQEs describe with blocking
/// syscalls (`ringio_execute_sqe`), for machines where io_uring cannot be used.
///
/// Requests come from the loop thread; each result goes back through `complete`, which hands it to
/// the loop. A blocking syscall cannot be interrupted, so cancellation and timeouts take effect
/// only when it returns (regular files return promptly; an empty pipe does not).
// Safety: `ready` is a POSIX semaphore, made for use from many threads; everything else is
// immutable or behind the mutex.
@safe  // Safety: requests carry SQEs whose addresses the loop keeps valid until their completion is posted; the pool only passes them to the C executor.
final class WorkerPool: @unchecked Sendable {
    struct Request: @unchecked Sendable {
        // Safety: the SQE's pointers (buffers, paths, statx, iovecs) stay valid until the
        // operation's continuation is resumed, which happens only after `complete` is called.
        var sqe: io_uring_sqe
        let userData: UInt64
    }

    private struct State: ~Copyable {
        var queue = Deque<Request>()
        var stopping = false
        /// Requests queued or running per descriptor, and CLOSEs waiting for them: unlike the
        /// kernel, which takes its own file reference at submission, a worker only has the number,
        /// so a CLOSE must not run (and free the number for reuse) while another worker uses it.
        var inFlightByDescriptor: [Int32: Int] = [:]
        var deferredCloses: [Int32: Request] = [:]
    }

    private static let closeOpcode = UInt8(IORING_OP_CLOSE.rawValue)

    private let state = Mutex(State())
    private let ready: UnsafeMutablePointer<sem_t>
    private let complete: @Sendable (UInt64, Int32) -> Void
    let threadCount: Int

    /// Starts `threadCount` threads; `complete(userData, result)` is called from them.
    ///
    /// - Throws: `RingIOError` if no thread could be started.
    init(threadCount: Int, complete: @escaping @Sendable (UInt64, Int32) -> Void) throws(RingIOError) {
        self.threadCount = threadCount
        self.complete = complete
        unsafe self.ready = .allocate(capacity: 1)
        unsafe sem_init(ready, 0, 0)
        var started = 0
        for _ in 0..<threadCount {
            let context = unsafe Unmanaged.passRetained(self).toOpaque()
            var attributes = pthread_attr_t()
            unsafe pthread_attr_init(&attributes)
            unsafe pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            var handle = pthread_t()
            let created = unsafe pthread_create(&handle, &attributes, { context in
                // Safety: the context is the pool retained just above; the thread takes over that retain.
                let pool = unsafe Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
                unsafe ringio_set_thread_name("ringio-worker")
                pool.work()
                return nil
            }, unsafe context)
            unsafe pthread_attr_destroy(&attributes)
            if created == 0 {
                started += 1
            } else {
                unsafe Unmanaged<WorkerPool>.fromOpaque(context).release()
            }
        }
        guard started > 0 else {
            throw RingIOError(code: .system, errno: .resourceTemporarilyUnavailable, operation: .setup,
                              hint: "Could not start any thread for the thread-pool backend")
        }
    }

    deinit {
        unsafe sem_destroy(ready)
        unsafe ready.deallocate()
    }

    /// Queues a request; one of the threads performs it. A CLOSE waits for the requests on the
    /// same descriptor that were submitted before it.
    func submit(_ request: Request) {
        let queued: Bool = state.withLock { state in
            let fd = request.sqe.fd
            if request.sqe.opcode == Self.closeOpcode {
                if state.inFlightByDescriptor[fd, default: 0] > 0 {
                    state.deferredCloses[fd] = request
                    return false
                }
            } else {
                state.inFlightByDescriptor[fd, default: 0] += 1
            }
            state.queue.append(request)
            return true
        }
        if queued { unsafe sem_post(ready) }
    }

    /// Counts a finished request; queues a CLOSE that was waiting for it. Returns true if one was queued.
    private func finished(_ request: Request) -> Bool {
        guard request.sqe.opcode != Self.closeOpcode else { return false }
        return state.withLock { state in
            let fd = request.sqe.fd
            let left = state.inFlightByDescriptor[fd, default: 1] - 1
            if left > 0 {
                state.inFlightByDescriptor[fd] = left
                return false
            }
            state.inFlightByDescriptor[fd] = nil
            guard let close = state.deferredCloses.removeValue(forKey: fd) else { return false }
            state.queue.append(close)
            return true
        }
    }

    /// Lets the threads finish once the queue is empty (call when nothing is in flight).
    func stop() {
        state.withLock { $0.stopping = true }
        for _ in 0..<threadCount { unsafe sem_post(ready) }
    }

    private func work() {
        while true {
            while unsafe sem_wait(ready) != 0 {}
            let next: Request? = state.withLock { state in state.queue.popFirst() }
            guard var request = next else {
                if state.withLock({ $0.stopping }) { return }
                continue
            }
            let result = unsafe ringio_execute_sqe(&request.sqe)
            if finished(request) { unsafe sem_post(ready) }
            complete(request.userData, result)
        }
    }
}
