internal import CRingIO
import Glibc

/// Starts the loop's thread and waits until it reports that startup is over.
enum LoopThread {
    /// Tells the starting thread that startup is over (successful or not).
    @safe  // Safety: the semaphore is owned by `start`, which waits on it before it is destroyed; `signal` is called exactly once.
    struct Startup: @unchecked Sendable {
        // Safety: a POSIX semaphore, posted by the new thread and waited on by the starting one;
        // freed by the starting thread after the wait returns.
        fileprivate let semaphore: UnsafeMutablePointer<sem_t>

        /// Lets `start` return; call exactly once.
        func signal() { unsafe sem_post(semaphore) }  // Safety: start() waits on it before destroying it; called once.
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
        // Safety: allocated and initialized here; destroyed by the defer once no thread can touch it.
        let startup = unsafe Startup(semaphore: .allocate(capacity: 1))
        unsafe sem_init(startup.semaphore, 0, 0)
        defer {
            // Safety: after the wait returned (the thread posted and no longer uses it), or when no thread was created.
            unsafe sem_destroy(startup.semaphore)
            unsafe startup.semaphore.deallocate()
        }
        var attributes = pthread_attr_t()
        // Safety: the local attributes object is initialized here and destroyed by the defer, after pthread_create copied it.
        unsafe pthread_attr_init(&attributes)
        defer { unsafe pthread_attr_destroy(&attributes) }
        unsafe pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // Safety: one retain, taken over by the new thread (takeRetainedValue) or dropped below when it was not created.
        let context = unsafe Unmanaged.passRetained(Context(name: name, body: body, startup: startup)).toOpaque()
        var handle = pthread_t()
        // Safety: the entry point captures nothing (a C function pointer) and its argument is the retained Context.
        let created = unsafe pthread_create(&handle, &attributes, { context in
            // Safety: the context is the retained Context passed just below; the thread takes over that retain.
            let context = unsafe Unmanaged<Context>.fromOpaque(context!).takeRetainedValue()
            // Safety: the name is bridged to a NUL-terminated C string valid for the call; the C side only passes it to pthread_setname_np.
            unsafe ringio_set_thread_name(context.name)
            context.body(context.startup)
            return nil
        }, unsafe context)
        guard created == 0 else {
            // Safety: pthread_create failed, so no thread took over the retain made above.
            unsafe Unmanaged<Context>.fromOpaque(context).release()
            throw RingIOError(code: .system, errno: .init(rawValue: created), operation: .setup, hint: "Could not start the executor thread")
        }
        // Safety: the semaphore was initialized above and is destroyed only by the defer, after this wait; EINTR is retried.
        while unsafe sem_wait(startup.semaphore) != 0 {}
    }
}
