internal import CRingIO
import Glibc

/// Starts the loop's thread and waits until it reports that startup is over.
enum LoopThread {
    /// Tells the starting thread that startup is over (successful or not).
    struct Startup: @unchecked Sendable {
        // Safety: a POSIX semaphore, posted by the new thread and waited on by the starting one;
        // freed by the starting thread after the wait returns.
        fileprivate let semaphore: UnsafeMutablePointer<sem_t>

        /// Lets `start` return; call exactly once.
        func signal() { sem_post(semaphore) }
    }

    private final class Context {
        let name: String
        let body: (Startup) -> Void
        let startup: Startup
        init(name: String, body: @escaping (Startup) -> Void, startup: Startup) {
            self.name = name
            self.body = body
            self.startup = startup
        }
    }

    /// Runs `body` on a new detached thread named `name` and returns once it calls `signal()`.
    ///
    /// - Throws: `RingIOError` when the thread cannot be created.
    static func start(name: String, _ body: @escaping (Startup) -> Void) throws(RingIOError) {
        let startup = Startup(semaphore: .allocate(capacity: 1))
        sem_init(startup.semaphore, 0, 0)
        defer {
            sem_destroy(startup.semaphore)
            startup.semaphore.deallocate()
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(Context(name: name, body: body, startup: startup)).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(&handle, &attributes, { context in
            // Safety: the context is the retained Context passed just below; the thread takes over that retain.
            let context = Unmanaged<Context>.fromOpaque(context!).takeRetainedValue()
            ringio_set_thread_name(context.name)
            context.body(context.startup)
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Context>.fromOpaque(context).release()
            throw RingIOError(code: .system, errno: .init(rawValue: created), operation: .setup, hint: "Could not start the executor thread")
        }
        while sem_wait(startup.semaphore) != 0 {}
    }
}
