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
    }

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
        self.ready = .allocate(capacity: 1)
        sem_init(ready, 0, 0)
        var started = 0
        for _ in 0..<threadCount {
            let context = Unmanaged.passRetained(self).toOpaque()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            var handle = pthread_t()
            let created = pthread_create(&handle, &attributes, { context in
                // Safety: the context is the pool retained just above; the thread takes over that retain.
                let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
                ringio_set_thread_name("ringio-worker")
                pool.work()
                return nil
            }, context)
            pthread_attr_destroy(&attributes)
            if created == 0 {
                started += 1
            } else {
                Unmanaged<WorkerPool>.fromOpaque(context).release()
            }
        }
        guard started > 0 else {
            throw RingIOError(code: .system, errno: .resourceTemporarilyUnavailable, operation: .setup,
                              hint: "Could not start any thread for the thread-pool backend")
        }
    }

    deinit {
        sem_destroy(ready)
        ready.deallocate()
    }

    /// Queues a request; one of the threads performs it.
    func submit(_ request: Request) {
        state.withLock { $0.queue.append(request) }
        sem_post(ready)
    }

    /// Lets the threads finish once the queue is empty (call when nothing is in flight).
    func stop() {
        state.withLock { $0.stopping = true }
        for _ in 0..<threadCount { sem_post(ready) }
    }

    private func work() {
        while true {
            while sem_wait(ready) != 0 {}
            let next: Request? = state.withLock { state in state.queue.popFirst() }
            guard var request = next else {
                if state.withLock({ $0.stopping }) { return }
                continue
            }
            let result = ringio_execute_sqe(&request.sqe)
            complete(request.userData, result)
        }
    }
}
