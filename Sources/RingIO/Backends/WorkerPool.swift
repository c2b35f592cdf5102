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
@safe  // Safety: owns the `ready` semaphore (sem_init in init, sem_destroy in deinit, which runs only after every worker dropped its retain).
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
        // Safety: one sem_t owned by the pool, initialized (process-private, count 0) before any worker thread exists.
        unsafe self.ready = .allocate(capacity: 1)
        unsafe sem_init(ready, 0, 0)
        var started = 0
        for _ in 0..<threadCount {
            // Safety: one retain per thread, taken over by the thread (takeRetainedValue) or released below when it was not created.
            let context = unsafe Unmanaged.passRetained(self).toOpaque()
            var attributes = pthread_attr_t()
            // Safety: initializes and configures the local attributes object; it is destroyed below, after pthread_create copied it.
            unsafe pthread_attr_init(&attributes)
            unsafe pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            var handle = pthread_t()
            // Safety: the entry point captures nothing (a C function pointer) and its argument is the pool retained just above.
            let created = unsafe pthread_create(&handle, &attributes, { context in
                // Safety: the context is the pool retained just above; the thread takes over that retain.
                let pool = unsafe Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
                // Safety: the name is bridged to a NUL-terminated C string valid for the call; the C side only passes it to pthread_setname_np.
                unsafe ringio_set_thread_name("ringio-worker")
                pool.work()
                return nil
            }, unsafe context)
            // Safety: the attributes were initialized above, and pthread_create does not keep them.
            unsafe pthread_attr_destroy(&attributes)
            if created == 0 {
                started += 1
            } else {
                // Safety: the thread was not created, so the retain made for it is still ours to drop.
                unsafe Unmanaged<WorkerPool>.fromOpaque(context).release()
            }
        }
        guard started > 0 else {
            throw RingIOError(code: .system, errno: .resourceTemporarilyUnavailable, operation: .setup,
                              hint: "Could not start any thread for the thread-pool backend")
        }
    }

    deinit {
        // Safety: every worker holds a retain while it runs, so none can be waiting on or posting the semaphore now.
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
        // Safety: ready was initialized in init and lives until deinit, which cannot run while self is in use.
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
        // Safety: ready is valid for self's lifetime; one post per thread lets each wake up and see `stopping`.
        for _ in 0..<threadCount { unsafe sem_post(ready) }
    }

    private func work() {
        while true {
            // Safety: ready outlives this thread, which holds a retain on the pool; EINTR is retried.
            while unsafe sem_wait(ready) != 0 {}
            let next: Request? = state.withLock { state in state.queue.popFirst() }
            guard var request = next else {
                if state.withLock({ $0.stopping }) { return }
                continue
            }
            // Safety: &request.sqe is a local copy; the addresses in it stay valid until complete() below posts the result to the loop.
            let result = unsafe ringio_execute_sqe(&request.sqe)
            // Safety: ready is valid while this thread holds its retain; the post wakes a worker for the CLOSE just queued.
            if finished(request) { unsafe sem_post(ready) }
            complete(request.userData, result)
        }
    }
}
