/// The serial-executor face of a `RingExecutor`, which actors are given as their executor.
///
/// The runtime calls the same `enqueue` for both executor roles, so a separate object tells the
/// loop which role a job came in: actor jobs run isolated to the executor, task jobs do not (and
/// so avoid a hop through the queue on every call into a nonisolated async function).
final class IsolatedEntry: SerialExecutor {
    private let core: LoopCore

    init(core: LoopCore) {
        self.core = core
    }

    func enqueue(_ job: consuming ExecutorJob) {
        core.enqueue(QueuedJob(job: UnownedJob(job), role: .isolated))
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        // Safety: unowned: RingExecutor holds this entry strongly, and actors using it must keep the RingExecutor alive.
        unsafe UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        precondition(core.isLoopThread, "Expected to be on the RingExecutor's thread")
    }

    func isIsolatingCurrentContext() -> Bool? {
        core.isLoopThread
    }
}
