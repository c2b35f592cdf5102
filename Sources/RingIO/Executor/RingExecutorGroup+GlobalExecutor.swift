/// The group as Swift's global concurrent executor (opt-in, process-wide).
extension RingExecutorGroup {
    /// Makes this group Swift's global concurrent executor: from now on every task without an
    /// executor preference and every default actor runs on its loops, so file I/O on a group's
    /// `File` is issued inline on the loop the task runs on, with no hop, from any task.
    ///
    /// Jobs enqueued on a loop thread stay on that loop (a task resumed by its I/O's completion,
    /// a task it creates); jobs from other threads go to the loops in round-robin order.
    ///
    /// Trade-offs, as with SwiftNIO's `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`:
    /// - A blocking call (a lock held long, `read` of a pipe, `sleep`, heavy computation) in any
    ///   task stalls every task and every I/O of its loop until it returns; other loops go on.
    ///   Move such work to a thread of its own.
    /// - Tasks do not move between loops by themselves: the tasks one loop creates stay on it.
    /// - `Task.yield()` and `Task.sleep` do not pass through the hook (since Swift 6.2 they
    ///   enqueue on the default executor object itself): the wake-up passes through a thread of
    ///   Swift's pool, which hands the task back to a loop in round-robin order, possibly
    ///   another one. That is two cross-thread wake-ups (~34 µs for a yield here, against
    ///   ~0.4 µs in a task that prefers the group; `Benchmarks/global-executor`): yield-heavy
    ///   code should prefer the group.
    /// - It lasts until `shutdown()`, which gives the global executor back to Swift's pool; the
    ///   group object then stays alive until the process ends (a job may be on its way to it).
    ///
    /// Call it early (at the start of `main`), before other code relies on the global executor.
    ///
    /// It uses the Swift runtime's private `swift_task_enqueueGlobal_hook` (see
    /// `GlobalEnqueueHook`); the public alternative is `withTaskExecutorPreference(group)` (or
    /// `group.run`) around the code that does I/O.
    ///
    /// - Throws: `RingIOError` `.unsupported` in the `PublicConcurrencyOnly` build, when another
    ///   library (e.g. SwiftNIO) installed its own global executor, or when another group is
    ///   installed; `.shutDown` when this group is shut down.
    public func unsafeInstallAsGlobalConcurrentExecutor() throws(RingIOError) {
        let operation = Operation("install as the global executor")
        guard !isShutDown, loops.allSatisfy({ $0.core.lifecycle == .running }) else { throw RingIOError.shutDown(operation) }
        let hint: String
        switch GlobalEnqueueHook.install(self) {
        case .installed:
            return
        case .anotherHookInstalled:
            hint = "Another library installed its own global executor (e.g. SwiftNIO's NIOSingletons); use withTaskExecutorPreference(group) instead"
        case .anotherGroupInstalled:
            hint = GlobalEnqueueHook.isInstalled(self)
                ? "This group is already the global executor"
                : "Another RingExecutorGroup is the global executor; shut it down first, or use withTaskExecutorPreference(group)"
        case .unavailableInThisBuild:
            hint = "The PublicConcurrencyOnly build has no way to replace the global executor; use withTaskExecutorPreference(group)"
        }
        throw RingIOError(code: .unsupported, operation: operation, hint: hint)
    }

    /// Whether this group is Swift's global concurrent executor now.
    public var isGlobalConcurrentExecutor: Bool { GlobalEnqueueHook.isInstalled(self) }
}
